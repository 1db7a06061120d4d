import path from 'node:path';
import { runTool } from '../util/process.js';
import { UsageError } from '../util/errors.js';
import { findRepoRoot } from '../util/config.js';
import { exitCode, formatReport } from '../report/index.js';
import type { OutputFormat } from '../pipeline/types.js';
import { validate, type SchemaEngine } from '../pipeline/validate.js';
import { oneOf, parse } from './args.js';

const HELP = `Usage: gitops validate [PATH...] [options]

Renders every target with kustomize (through a temporary wrapper that records where each object
comes from), validates it against the vendored JSON Schemas (schemas/) and evaluates the Rego
policies (policies/, compiled to policies/build/policy.wasm). Every finding points at the file
and line to edit, through the overlays.

Targets (without PATH): every kustomization root under overlays/ and clusters/, and every
Dockerfile and compose file under base/, overlays/, clusters/, apps/.
A PATH may be a kustomization directory, a plain directory of manifests (with Dockerfiles and
compose files), or one file; inside or outside the repository.

Options:
  --format text|json|sarif|junit|github   report format on stdout (default text)
  --brief                  text: only the findings that fail the run and the summary line, so a
                           passing run prints one line (what the pre-commit hook runs)
  --changed                only the targets that changed files (staged, unstaged, untracked) touch
  --staged                 with --changed: only staged files (what the pre-commit hook runs)
  --since REF              only the targets touched by changes since git REF (e.g. origin/main)
  --fail-on error|warning  lowest severity that fails the run (default error)
  --schema-engine ajv|kubeconform|both
                           default: ajv, plus kubeconform when installed in .tools/bin
  --require-charts         a pinned Helm chart that cannot be rendered (not in .cache/charts) is
                           an error and makes the run incomplete (default: a warning)
  --apiserver[=dry-run|apply|off]
                           also send each cluster's state to a loopback kube-apiserver: Namespaces
                           and CRDs applied, the rest server-side dry-run; =apply applies for real
                           on kwok nodes and waits for readiness (default: apiserver.mode in
                           gitops.yaml). With --since REF, REF's objects are applied first
  --no-cache               compute every verdict again (the results of earlier runs in the
                           git-ignored .cache/results are neither read nor updated)
  --quiet                  no progress on stderr
  -h, --help               this help

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above --fail-on;
2 incomplete (bad usage, unreadable input, a missing or failing tool, a stale policy bundle).

Examples:
  gitops validate                          the whole repository
  gitops validate overlays/prod            one overlay
  gitops validate --changed --staged --brief --quiet   what the pre-commit hook runs
  gitops validate --format sarif > gitops.sarif
  gitops validate ./some/dir --format json | jq '.findings[] | .location'
`;

async function changedFiles(repoRoot: string, since: string | undefined, stagedOnly: boolean): Promise<string[]> {
  const git = async (args: string[]): Promise<string[]> => {
    const r = await runTool('git', args, { cwd: repoRoot });
    if (r.exitCode !== 0) throw new UsageError(`--changed needs git: 'git ${args.join(' ')}' failed: ${r.stderr.trim()}`);
    return r.stdout.split('\n').filter(Boolean);
  };
  const names = since !== undefined
    ? await git(['diff', '--name-only', `${since}...HEAD`])
    : stagedOnly
      ? await git(['diff', '--name-only', '--cached'])
      : [
          ...(await git(['diff', '--name-only', '--cached'])),
          ...(await git(['diff', '--name-only'])),
          ...(await git(['ls-files', '--others', '--exclude-standard'])),
        ];
  return [...new Set(names)].map((n) => path.resolve(repoRoot, n));
}

export async function run(args: string[], cwd: string): Promise<number> {
  // --apiserver alone means the dry-run mode (parseArgs has no optional values).
  args = args.map((a) => (a === '--apiserver' ? '--apiserver=dry-run' : a));
  const { values, positionals } = parse(args, {
    apiserver: { type: 'string' },
    format: { type: 'string' },
    changed: { type: 'boolean' },
    staged: { type: 'boolean' },
    since: { type: 'string' },
    'fail-on': { type: 'string' },
    'schema-engine': { type: 'string' },
    quiet: { type: 'boolean' },
    brief: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
    'require-charts': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = oneOf<OutputFormat>('format', values.format, ['text', 'json', 'sarif', 'junit', 'github'], 'text');
  const failOn = oneOf('fail-on', values['fail-on'], ['error', 'warning'] as const, 'error');
  const engine = oneOf<SchemaEngine>('schema-engine', values['schema-engine'], ['ajv', 'kubeconform', 'both'], 'auto');
  if ((values.changed || values.since !== undefined) && positionals.length > 0) {
    throw new UsageError('--changed/--since and PATH arguments exclude each other');
  }
  if (values.brief && format !== 'text') throw new UsageError(`--brief goes with --format text (not ${format})`);
  const repoRoot = findRepoRoot(cwd);
  if (values.staged && !values.changed) throw new UsageError('--staged goes with --changed');
  const changed = values.changed || values.since !== undefined ? await changedFiles(repoRoot, values.since, values.staged === true) : undefined;
  // Unset: apiserver.mode of gitops.yaml, read by validate() with the rest of the settings.
  const apiserverMode = values.apiserver === undefined ? undefined : oneOf('apiserver', values.apiserver, ['dry-run', 'apply', 'off'] as const, 'off');
  const showProgress = !values.quiet && process.stderr.isTTY !== false;
  const result = await validate({
    cwd,
    paths: positionals,
    changedFiles: changed,
    schemaEngine: engine,
    today: process.env.GITOPS_TODAY,
    requireCharts: values['require-charts'] === true,
    apiserver: apiserverMode,
    baseRef: values.since,
    noCache: values['no-cache'] === true,
    progress: showProgress ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  const color = format === 'text' && !process.env.NO_COLOR && process.stdout.isTTY === true;
  process.stdout.write(formatReport(result.report, format, { color, repoRoot: result.repoRoot, rules: result.rules, failOn, targets: result.targets, brief: values.brief === true }));
  return exitCode(result.report, failOn);
}
