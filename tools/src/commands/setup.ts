import { findRepoRoot, loadConfig } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { readPins, setupTools, toolsForPurpose, type ToolName } from '../maintain/tools.js';
import { crdBundlePresent, installCrdBundle } from '../apiserver/crds.js';
import { defaultCacheDir } from '../maintain/gobuild.js';
import { formatMs, ProgressView } from '../maintain/progress.js';
import { parse } from './args.js';

const HELP = `Usage: gitops setup [--quiet] [--for PURPOSE] [TOOL...]

Installs the pinned tools of tools/versions.json that are missing or at another version into
.tools/bin (git-ignored). Each version is built once from the Go module proxy into a cache
(GITOPS_TOOLS_CACHE, default ~/.cache/gitops/tools; CI caches it) and copied from there
afterwards. Needs Go to build; a newer Go toolchain comes through the module proxy
(GOTOOLCHAIN=auto). While building, one line per build says what it builds and for how long
(updated in place on a terminal, a plain line every 5 s otherwise).

Without TOOL: every pinned tool. Options:
  --for validate    only what 'gitops validate' needs: kustomize, kubeconform, opa, plus the API
                    server's tools when gitops.yaml turns apiserver on
  --for apiserver   etcd and kube-apiserver (and the pinned CRDs) for --apiserver
  --for apiserver-apply   also kube-controller-manager, kube-scheduler and kwok (--apiserver=apply)
  --quiet           no summary line when nothing had to be installed
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
  const unknown = positionals.filter((t) => !known.includes(t));
  if (unknown.length > 0) throw new UsageError(`unknown tool ${unknown.join(', ')}: tools/versions.json pins ${known.join(', ')}`);
  if (values.for !== undefined && positionals.length > 0) throw new UsageError('--for and TOOL arguments exclude each other');
  let only: ToolName[] | undefined = positionals.length > 0 ? (positionals as ToolName[]) : undefined;
  if (values.for !== undefined) {
    only = toolsForPurpose(repoRoot, values.for, loadConfig(repoRoot).apiserver.mode);
    if (only.length === 0) throw new UsageError(`--for ${values.for}: no pinned tool is needed by '${values.for}' (tools/versions.json neededBy)`);
  }
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
  return 0;
}
