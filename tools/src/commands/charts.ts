import path from 'node:path';
import { findRepoRoot } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { pinnedBinary } from '../maintain/tools.js';
import { fetchCharts } from '../render/helm-sources.js';
import { parse } from './args.js';

const HELP = `Usage: gitops charts fetch [--pull] [--update-lock] [--lock FILE] [CHART...]

Fills the git-ignored chart cache (.cache/charts) for the charts pinned in charts.lock.json:
every chart with an offline source from its Go module (module proxy), and with --pull every
chart from its own Helm repository or OCI registry with the pinned helm (needs the network:
GitHub runners have it). Content hashes are checked against charts.lock.json; --update-lock
records them instead (after a chart bump). 'gitops validate' and 'gitops render' never download:
they read this cache and report charts that are not in it. --lock FILE reads another lock (the
base revision's, so that 'gitops diff' can render both sides).
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    process.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'fetch') throw new UsageError(`unknown 'charts' subcommand '${sub}': try 'gitops charts fetch'`);
  const { values, positionals } = parse(rest, { pull: { type: 'boolean' }, 'update-lock': { type: 'boolean' }, lock: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const repoRoot = findRepoRoot(cwd);
  const log = (line: string): void => {
    process.stderr.write(`charts: ${line}\n`);
  };
  const results = await fetchCharts(repoRoot, {
    pull: values.pull === true,
    updateLock: values['update-lock'] === true,
    helm: pinnedBinary(repoRoot, 'helm') ?? undefined,
    log,
    only: positionals.length > 0 ? positionals : undefined,
    lockFile: values.lock !== undefined ? path.resolve(cwd, values.lock) : undefined,
  });
  for (const r of results) process.stdout.write(`${r.chart} ${r.version} ${r.source} ${r.status} ${r.sha256}\n`);
  return 0;
}
