/**
 * The `gitops` CLI: parses the command name and dispatches. Each command is one file under
 * commands/; errors they throw are mapped to messages and exit code 2 here, and only here.
 */
import { InputError, ToolError, UsageError } from './util/errors.js';

const HELP = `gitops: validate the funlynk-gitops repository before anything merges

Usage: gitops <command> [options]

Commands:
  validate [PATH...]     render every target with kustomize, check schemas and policies
                         (gitops validate --help for options, report formats and exit codes)
  setup                  install the pinned kustomize, kubeconform, opa (tools/versions.json)
                         into .tools/bin with 'go install'
  policy build           compile policies/ into the wasm bundle policies/build/
  policy test            opa check --strict, opa test --coverage, and every policy fixture
                         through the built wasm bundle
  policy gatekeeper      write the Gatekeeper templates and constraints of the admission rules
  schemas sync           regenerate schemas/ from registry packages (see docs/schemas.md)
  render CLUSTER         print a cluster's whole desired state as Argo CD builds it (kustomize
                         paths and pinned Helm charts), each object annotated with its origin
  diff --base REF        rendered changes per cluster between REF and the working tree
  charts fetch           fill .cache/charts from charts.lock.json (offline sources; --pull: helm pull)
  docs [--check]         generate docs/POLICIES.md from the policies' metadata
  bench                  time the gate against kubeconform and conftest on the same input
                         (--scale: synthetic trees; --hook: the pre-commit path)

Run 'gitops <command> --help' for a command's options.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 incomplete run or bad usage.
`;

type Command = (args: string[], cwd: string) => Promise<number>;

async function load(name: string): Promise<Command | null> {
  switch (name) {
    case 'validate':
      return (await import('./commands/validate.js')).run;
    case 'setup':
      return (await import('./commands/setup.js')).run;
    case 'policy':
      return (await import('./commands/policy.js')).run;
    case 'schemas':
      return async (args, cwd) => {
        if (args[0] !== 'sync') throw new UsageError(`unknown 'schemas' subcommand '${args[0] ?? ''}': try 'gitops schemas sync'`);
        return (await import('./commands/schemas-sync.js')).run(args.slice(1), cwd);
      };
    case 'docs':
      return (await import('./commands/docs.js')).run;
    case 'charts':
      return (await import('./commands/charts.js')).run;
    case 'render':
      return (await import('./commands/render.js')).run;
    case 'diff':
      return (await import('./commands/diff.js')).run;
    case 'bench':
      return (await import('./commands/bench.js')).run;
    default:
      return null;
  }
}

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  try {
    const command = await load(name);
    if (command === null) throw new UsageError(`unknown command '${name}'`);
    return await command(rest, cwd);
  } catch (err) {
    return handleError(err);
  }
}

/** The one top-level handler: a message, exit code 2; a stack trace only under DEBUG. */
export function handleError(err: unknown): number {
  if (process.env.DEBUG) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  if (err instanceof UsageError) {
    process.stderr.write(`gitops: ${err.message}\nRun 'gitops --help' for usage.\n`);
  } else if (err instanceof InputError) {
    const where = err.file ? `${err.file}:${err.line}:${err.column}: ` : '';
    process.stderr.write(`gitops: ${where}${err.message}\n`);
  } else if (err instanceof ToolError) {
    process.stderr.write(`gitops: ${err.message}\n${err.stderr ? `${err.stderr.trim()}\n` : ''}`);
  } else {
    process.stderr.write(`gitops: internal error: ${(err as Error)?.message ?? String(err)} (set DEBUG=1 for the stack trace)\n`);
  }
  return 2;
}
