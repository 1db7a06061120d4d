import { findRepoRoot } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { readPins, setupTools, type ToolName } from '../maintain/tools.js';
import { fetchCharts } from '../render/helm-sources.js';
import { parse } from './args.js';

const HELP = `Usage: gitops setup [--quiet] [TOOL...] [charts]

Installs the pinned tools of tools/versions.json (kustomize, kubeconform, opa, actionlint,
conftest, helm, gator) that are missing or at another version into .tools/bin (git-ignored) with
'go install'. Needs Go; a newer Go toolchain comes through the module proxy (GOTOOLCHAIN=auto).
Then fills .cache/charts with the Helm charts that charts.lock.json can take from a Go module
(gitops charts fetch), unless TOOLs are named without 'charts'.
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values, positionals } = parse(args, { quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const repoRoot = findRepoRoot(cwd);
  const known = Object.keys(readPins(repoRoot));
  const names = positionals as string[];
  const charts = names.length === 0 || names.includes('charts');
  const tools = names.filter((t) => t !== 'charts');
  const unknown = tools.filter((t) => !known.includes(t));
  if (unknown.length > 0) throw new UsageError(`unknown tool ${unknown.join(', ')}: tools/versions.json pins ${known.join(', ')}`);
  const log = (line: string): void => {
    process.stderr.write(`setup: ${line}\n`);
  };
  const result = positionals.length > 0 && tools.length === 0 ? { installed: [], present: [] } : await setupTools(repoRoot, log, tools.length > 0 ? (tools as ToolName[]) : undefined);
  if (!values.quiet || result.installed.length > 0) {
    log(`${result.installed.length} installed${result.installed.length ? ` (${result.installed.join(', ')})` : ''}, ${result.present.length} already present in .tools/bin`);
  }
  if (charts) {
    const fetched = await fetchCharts(repoRoot, { log: (line) => log(`charts ${line}`) });
    const got = fetched.filter((f) => f.status !== 'present');
    if (!values.quiet || got.length > 0) log(`charts: ${got.length} fetched into .cache/charts, ${fetched.length - got.length} already there (offline sources of charts.lock.json)`);
  }
  return 0;
}
