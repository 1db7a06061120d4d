import { findRepoRoot, loadConfig } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { readPins, setupTools, toolsForPurpose, type ToolName } from '../maintain/tools.js';
import { crdBundlePresent, installCrdBundle } from '../apiserver/crds.js';
import { defaultCacheDir } from '../maintain/gobuild.js';
import { formatMs, ProgressView } from '../maintain/progress.js';
import { fetchCharts } from '../render/helm-sources.js';
import { parse } from './args.js';

const HELP = `Usage: gitops setup [--quiet] [--for PURPOSE] [TOOL...] [charts]

Installs the pinned tools of tools/versions.json that are missing or at another version into
.tools/bin (git-ignored). Each version is built once from the Go module proxy into a cache
(GITOPS_TOOLS_CACHE, default ~/.cache/gitops/tools; CI caches it) and copied from there
afterwards. Needs Go to build; a newer Go toolchain comes through the module proxy
(GOTOOLCHAIN=auto). While building, one line per build says what it builds and for how long
(updated in place on a terminal, a plain line every 5 s otherwise). Then fills .cache/charts with
the Helm charts that charts.lock.json can take from a registry package (gitops charts fetch).

Without TOOL: every pinned tool and the charts. Options:
  --for validate    only what 'gitops validate' needs: kustomize, kubeconform, opa, helm and the
                    charts, plus the API server's tools when gitops.yaml turns apiserver on
  --for apiserver   etcd and kube-apiserver (and the pinned CRDs) for --apiserver
  --for apiserver-apply   also kube-controller-manager, kube-scheduler and kwok (--apiserver=apply)
  --quiet           no summary line when nothing had to be installed
TOOL may be 'charts' (only the chart cache) beside tool names.
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values, positionals } = parse(args, {
    quiet: { type: 'boolean' },
    for: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
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
  if (values.for !== undefined && names.length > 0) throw new UsageError('--for and TOOL arguments exclude each other');
  // No names: every tool and the charts; 'charts' alone: only the chart cache.
  let only: ToolName[] | undefined = tools.length > 0 ? (tools as ToolName[]) : names.length > 0 ? [] : undefined;
  let withCharts = charts;
  if (values.for !== undefined) {
    only = toolsForPurpose(repoRoot, values.for, loadConfig(repoRoot).apiserver.mode);
    if (only.length === 0) throw new UsageError(`--for ${values.for}: no pinned tool is needed by '${values.for}' (tools/versions.json neededBy)`);
    withCharts = values.for === 'validate';
  }
  if (only === undefined || only.length > 0) {
    const view = new ProgressView({ tty: process.stderr.isTTY === true, columns: () => process.stderr.columns, write: (t) => process.stderr.write(t) });
    view.start();
    try {
      const result = await setupTools(repoRoot, (e) => view.event(e), only);
      const asked = only ?? (known as ToolName[]);
      if (asked.includes('kube-apiserver') && !crdBundlePresent(repoRoot)) {
        const t0 = Date.now();
        view.begin('crds', 'pinned CRDs for the API server', 'go mod download');
        const r = await installCrdBundle(repoRoot, defaultCacheDir(), (l) => view.update('crds', l));
        view.end('crds', `${r.crds} pinned CRDs for the API server in .tools/apiserver-crds.json (${r.reused ? 'from the cache' : `downloaded in ${formatMs(Date.now() - t0)}`})`);
      }
      const changed = result.installed.length + result.reused.length;
      if (!values.quiet || changed > 0) {
        view.message(`${result.installed.length} built${result.installed.length ? ` (${result.installed.join(', ')})` : ''}, ${result.reused.length} from the cache, ${result.present.length} already in .tools/bin`);
      }
    } finally {
      view.close();
    }
  }
  if (withCharts) {
    const log = (line: string): void => {
      process.stderr.write(`setup: ${line}\n`);
    };
    const fetched = await fetchCharts(repoRoot, { log: (line) => log(`charts ${line}`) });
    const got = fetched.filter((f) => f.status !== 'present');
    if (!values.quiet || got.length > 0) log(`charts: ${got.length} fetched into .cache/charts, ${fetched.length - got.length} already there (offline sources of charts.lock.json)`);
  }
  return 0;
}
