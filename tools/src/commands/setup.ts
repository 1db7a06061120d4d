import { findRepoRoot, loadConfig } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { readPins, setupTools, toolsFor, type ToolName } from '../maintain/tools.js';
import { crdBundlePresent, installCrdBundle } from '../apiserver/crds.js';
import { defaultCacheDir, type BuildEvent, type BuildGroup } from '../maintain/gobuild.js';
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

function formatMs(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function label(g: BuildGroup): string {
  return `${g.tools.map((t) => t.name).join(', ')} ${g.version}`;
}

/**
 * Renders build events: on a terminal one status line rewritten every second; elsewhere (CI) a
 * plain line per running build every 5 s, so a log never stays silent for 10 s.
 */
class ProgressView {
  private readonly active = new Map<string, { group: BuildGroup; started: number; what: string }>();
  private readonly timer: NodeJS.Timeout;
  private readonly tty = process.stderr.isTTY === true;
  private lastPlain = 0;

  constructor() {
    this.timer = setInterval(() => this.tick(), this.tty ? 1000 : 1000);
    this.timer.unref();
  }

  private line(text: string): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`setup: ${text}\n`);
    if (this.tty) this.redraw();
  }

  private status(): string {
    const now = Date.now();
    return [...this.active.values()].map((a) => `${label(a.group)}: ${a.what} ${formatMs(now - a.started)}`).join(' | ');
  }

  private redraw(): void {
    if (!this.tty || this.active.size === 0) return;
    const width = Math.max(20, (process.stderr.columns ?? 120) - 1);
    const text = `setup: building ${this.status()}`;
    process.stderr.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
  }

  private tick(): void {
    if (this.active.size === 0) return;
    if (this.tty) return this.redraw();
    if (Date.now() - this.lastPlain >= 5000) {
      this.lastPlain = Date.now();
      process.stderr.write(`setup: building ${this.status()}\n`);
    }
  }

  event(e: BuildEvent): void {
    const id = e.group.id;
    if (e.type === 'reused') this.line(`${label(e.group)} reused (built before, cache ${e.from})`);
    else if (e.type === 'start') {
      this.active.set(id, { group: e.group, started: Date.now(), what: 'starting' });
      this.line(`building ${label(e.group)} from ${e.group.module} (go build ${e.group.tools.map((t) => t.package).join(' ')})`);
    } else if (e.type === 'phase') {
      const a = this.active.get(id);
      if (a) a.what = e.phase === 'compiling' ? `compiling (${e.packages} packages)` : e.phase === 'downloading' ? `downloading modules (${e.downloads})` : e.phase;
    } else if (e.type === 'done') {
      this.active.delete(id);
      this.line(`built ${label(e.group)} in ${formatMs(e.ms)}`);
    }
    if (this.tty) this.redraw();
  }

  message(text: string): void {
    this.line(text);
  }

  close(): void {
    clearInterval(this.timer);
    if (this.tty) process.stderr.write('\r\x1b[K');
  }
}

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
    const purposes = [values.for];
    if (values.for === 'validate') {
      const mode = loadConfig(repoRoot).apiserver.mode;
      if (mode === 'dry-run') purposes.push('apiserver');
      if (mode === 'apply') purposes.push('apiserver-apply');
    }
    only = toolsFor(repoRoot, purposes);
    if (only.length === 0) throw new UsageError(`--for ${values.for}: no pinned tool is needed by '${values.for}' (tools/versions.json neededBy)`);
  }
  const view = new ProgressView();
  try {
    const result = await setupTools(repoRoot, (e) => view.event(e), only);
    const asked = only ?? (known as ToolName[]);
    if (asked.includes('kube-apiserver') && !crdBundlePresent(repoRoot)) {
      const t0 = Date.now();
      const r = await installCrdBundle(repoRoot, defaultCacheDir(), (l) => view.message(`downloading ${l}`));
      view.message(`${r.crds} pinned CRDs for the API server in .tools/apiserver-crds.json (${r.reused ? 'from the cache' : `downloaded in ${formatMs(Date.now() - t0)}`})`);
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
