import { findRepoRoot } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { readPins, setupTools, type ToolName } from '../maintain/tools.js';
import { parse } from './args.js';

const HELP = `Usage: gitops setup [--quiet] [TOOL...]

Installs the pinned tools of tools/versions.json (kustomize, kubeconform, opa, actionlint,
conftest, gator) that are missing or at another version into .tools/bin (git-ignored) with
'go install'. Needs Go; a newer Go toolchain comes through the module proxy (GOTOOLCHAIN=auto).
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values, positionals } = parse(args, { quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const repoRoot = findRepoRoot(cwd);
  const known = Object.keys(readPins(repoRoot));
  const unknown = positionals.filter((t) => !known.includes(t));
  if (unknown.length > 0) throw new UsageError(`unknown tool ${unknown.join(', ')}: tools/versions.json pins ${known.join(', ')}`);
  const log = (line: string): void => {
    process.stderr.write(`setup: ${line}\n`);
  };
  const result = await setupTools(repoRoot, log, positionals.length > 0 ? (positionals as ToolName[]) : undefined);
  if (!values.quiet || result.installed.length > 0) {
    log(`${result.installed.length} installed${result.installed.length ? ` (${result.installed.join(', ')})` : ''}, ${result.present.length} already present in .tools/bin`);
  }
  return 0;
}
