/**
 * Building the pinned Go tools of tools/versions.json, with what it is doing reported as events
 * (the command renders them; nothing here prints).
 *
 * - Tools of the same module, version and build profile are one build (one `go build` of several
 *   packages: kube-apiserver and kubectl share most of their packages).
 * - A profile may replace the module's local-path `replace` directives (Kubernetes' 31 staging
 *   modules) by published versions in a throwaway wrapper module, and set `-X` ldflags so that
 *   `--version` tells the truth.
 * - Every binary is kept in a cache by name, version and build spec (GITOPS_TOOLS_CACHE, else
 *   ~/.cache/gitops/tools: the folder CI caches), and copied into .tools/bin from there, so a
 *   version built once is never built again, by any checkout on the machine.
 * - Independent builds run side by side, as many as the cores allow, the largest first.
 * - Every go command runs through util/process.ts (own process group, a timeout, killed with
 *   setup); its stderr lines stream into the progress events while it runs.
 */
import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../util/errors.js';
import { failureReason, removeTempDir, runTool, tempDir, type ToolRun } from '../util/process.js';
import { sha256, stableStringify } from '../schema/json.js';

export interface BuildProfile {
  /** Every `replace X => ./local/path` of the module's go.mod becomes `replace X => X <this version>`. */
  replaceLocal?: string;
  /** `-X name=value` ldflags; values may use {version}, {major}, {minor}, {date}. */
  ldflagsX?: Record<string, string>;
  /** Build with -trimpath (as the project's own release build does). */
  trimpath?: boolean;
}

export interface GoToolPin {
  module: string;
  package: string;
  version: string;
  /** Name of a build profile in versions.json `profiles`. */
  profile?: string;
  /** What needs the tool: validate, apiserver, apiserver-apply, policy, test, bench. */
  neededBy?: string[];
  /** Relative cost of a cold build, to start the largest first (default 1). */
  weight?: number;
  /**
   * The module's go.sum hash (h1:...). When set, setup checks the downloaded module against it
   * itself and builds with the module's own go.sum, so no checksum-database lookup is needed.
   */
  sum?: string;
}

/** One build: tools of one module@version built together. */
export interface BuildGroup {
  id: string;
  module: string;
  version: string;
  tools: Array<{ name: string; package: string }>;
  profile: BuildProfile;
  weight: number;
  /** The pinned module hash (GoToolPin.sum), when the pin has one. */
  sum?: string;
}

export type BuildEvent =
  | { type: 'reused'; group: BuildGroup; from: string }
  | { type: 'start'; group: BuildGroup }
  | { type: 'phase'; group: BuildGroup; phase: 'downloading' | 'resolving' | 'compiling' | 'linking'; packages: number; downloads: number }
  | { type: 'done'; group: BuildGroup; ms: number }
  | { type: 'failed'; group: BuildGroup; ms: number };

export function defaultCacheDir(): string {
  if (process.env.GITOPS_TOOLS_CACHE) return path.resolve(process.env.GITOPS_TOOLS_CACHE);
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'gitops', 'tools');
}

/** Groups pins into builds (same module, version and profile build together). */
export function buildGroups(pins: Record<string, GoToolPin>, names: string[], profiles: Record<string, BuildProfile>): BuildGroup[] {
  const groups = new Map<string, BuildGroup>();
  for (const name of names) {
    const pin = pins[name]!;
    const key = `${pin.module}@${pin.version}#${pin.profile ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { id: key, module: pin.module, version: pin.version, tools: [], profile: pin.profile ? profiles[pin.profile] ?? {} : {}, weight: 0, ...(pin.sum ? { sum: pin.sum } : {}) };
      groups.set(key, g);
    }
    g.tools.push({ name, package: pin.package });
    g.weight += pin.weight ?? 1;
  }
  return [...groups.values()];
}

/** Cache folder of one tool: by name, version and a hash of everything that shapes the binary. */
export function cachePath(cacheDir: string, group: BuildGroup, tool: { name: string; package: string }): string {
  const spec = sha256(stableStringify({ module: group.module, version: group.version, package: tool.package, profile: group.profile, ...(group.sum ? { sum: group.sum } : {}), platform: `${process.platform}-${process.arch}` })).slice(0, 12);
  return path.join(cacheDir, tool.name, `${group.version}-${spec}`, tool.name);
}

function expand(template: string, version: string, date: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return template.replaceAll('{version}', version).replaceAll('{major}', m?.[1] ?? '').replaceAll('{minor}', m?.[2] ?? '').replaceAll('{date}', date);
}

interface GoEnv { [k: string]: string }

/**
 * Longest a go command may run before its process group is killed: a cold build of the largest
 * pin (kube-apiserver and kubectl together) takes about 15 minutes on 2 cores; downloads and
 * queries far less. Generous, so that a slow machine is never cut short, but never forever.
 */
export const GO_BUILD_TIMEOUT_MS = 60 * 60 * 1000;
export const GO_QUERY_TIMEOUT_MS = 20 * 60 * 1000;

/** Runs go (its own process group, a timeout), streaming its stderr lines to `onLine`. */
function go(args: string[], cwd: string, env: GoEnv, onLine?: (line: string) => void, timeoutMs = GO_QUERY_TIMEOUT_MS): Promise<ToolRun> {
  return runTool('go', args, {
    cwd, env, timeoutMs,
    ...(onLine ? { onLine: (line: string, stream: 'stdout' | 'stderr') => { if (stream === 'stderr') onLine(line); } } : {}),
  });
}

/** Local-path replaces of a module's go.mod (the module must be downloadable). */
async function localReplaces(module: string, version: string, env: GoEnv, cwd: string): Promise<string[]> {
  const r = await go(['mod', 'download', '-json', `${module}@${version}`], cwd, env);
  let info: { GoMod?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    /* below */
  }
  if (!info.GoMod) throw new ToolError(module, `go mod download ${module}@${version} failed: ${info.Error ?? failureReason(r, GO_QUERY_TIMEOUT_MS)}`, r.stderr);
  const text = readFileSync(info.GoMod, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:replace\s+)?(\S+)(?:\s+v\S+)?\s+=>\s+(\.{1,2}\/\S*)\s*$/gm)) out.push(m[1]!);
  return out;
}

async function moduleDate(module: string, version: string, env: GoEnv, cwd: string): Promise<string> {
  const r = await go(['list', '-m', '-json', `${module}@${version}`], cwd, env);
  try {
    const t = (JSON.parse(r.stdout) as { Time?: string }).Time;
    if (t) return t.replace(/\.\d+Z$/, 'Z');
  } catch {
    /* fall through */
  }
  return '1970-01-01T00:00:00Z';
}

/**
 * A wrapper for a module whose hash is pinned: the download is checked against the pin here, and
 * the build uses the module's own go.sum, so the checksum database is never asked.
 */
async function pinnedModuleWrapper(group: BuildGroup, dir: string, env: GoEnv, fail: (what: string, r: ToolRun) => never): Promise<void> {
  const dl = await go(['mod', 'download', '-json', `${group.module}@${group.version}`], os.tmpdir(), { ...env, GONOSUMDB: group.module, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() });
  if (dl.failed) fail('go mod download', dl);
  const info = JSON.parse(dl.stdout) as { Dir: string; GoMod: string; Sum: string; GoModSum: string };
  if (info.Sum !== group.sum) {
    throw new ToolError(group.tools[0]!.name, `${group.module}@${group.version} has hash ${info.Sum}, tools/versions.json pins ${group.sum}: refusing to build it`);
  }
  const goLine = /^go\s+(\S+)/m.exec(readFileSync(info.GoMod, 'utf8'))?.[1] ?? '1.24';
  writeFileSync(path.join(dir, 'go.mod'), `module gitops.local/wrapper\n\ngo ${goLine}\n\nrequire ${group.module} ${group.version}\n`);
  const moduleSums = existsSync(path.join(info.Dir, 'go.sum')) ? readFileSync(path.join(info.Dir, 'go.sum'), 'utf8') : '';
  writeFileSync(path.join(dir, 'go.sum'), `${moduleSums.trimEnd()}\n${group.module} ${group.version} ${info.Sum}\n${group.module} ${group.version}/go.mod ${info.GoModSum}\n`);
}

/** The file name `go build -o dir/` gives a main package: its last element, skipping a /vN suffix. */
export function goBinaryName(pkg: string): string {
  const parts = pkg.split('/');
  const last = parts[parts.length - 1]!;
  return /^v\d+$/.test(last) && parts.length > 1 ? parts[parts.length - 2]! : last;
}

/**
 * Builds one group into the cache; returns the cached binary of each tool. Go prints each package
 * it compiles with -v: those lines are counted for the progress events.
 */
async function buildGroup(group: BuildGroup, cacheDir: string, emit: (e: BuildEvent) => void): Promise<void> {
  const started = Date.now();
  emit({ type: 'start', group });
  const env: GoEnv = {
    ...process.env as GoEnv,
    GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto',
    GOFLAGS: '-buildvcs=false',
  };
  const dir = tempDir('gitops-tool-');
  const outDir = path.join(dir, 'out');
  mkdirSync(outDir);
  let packages = 0;
  let downloads = 0;
  let phase: 'downloading' | 'resolving' | 'compiling' | 'linking' = 'resolving';
  const report = (): void => emit({ type: 'phase', group, phase, packages, downloads });
  const onLine = (line: string): void => {
    if (/^go: downloading /.test(line)) {
      downloads += 1;
      phase = 'downloading';
    } else if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(line.trim()) && line.trim() !== '') {
      packages += 1;
      phase = 'compiling';
    } else return;
    report();
  };
  try {
    report();
    // The module's date is one more proxy query: asked only when a version flag uses it.
    const needsDate = Object.values(group.profile.ldflagsX ?? {}).some((v) => v.includes('{date}'));
    const date = needsDate ? await moduleDate(group.module, group.version, env, dir) : '';
    const ldflags = Object.entries(group.profile.ldflagsX ?? {}).map(([k, v]) => `-X ${k}=${expand(v, group.version, date)}`).join(' ');
    const buildArgs = [...(group.profile.trimpath ? ['-trimpath'] : []), '-v', ...(ldflags ? ['-ldflags', ldflags] : [])];
    const fail = (what: string, r: ToolRun): never => {
      const lines = r.stderr.trim().split('\n').filter((l) => !/^go: downloading /.test(l) && !/^[\w.-]+(\/[\w.~+-]+)*$/.test(l.trim()));
      // A timeout, a kill or a go that cannot start says so; else go's own last lines say why.
      const why = r.timedOut || r.startError !== null || r.signal !== null ? `: ${failureReason(r, what === 'go build' ? GO_BUILD_TIMEOUT_MS : GO_QUERY_TIMEOUT_MS)}` : '';
      throw new ToolError(group.tools[0]!.name, `${what} failed for ${group.tools.map((t) => t.name).join(', ')} ${group.version}${why}`, lines.slice(-15).join('\n'));
    };
    // The wrapper module: requires the tool's module, replaces what its go.mod points at locally.
    writeFileSync(path.join(dir, 'go.mod'), 'module gitops.local/wrapper\n\ngo 1.24\n');
    const replaces = group.profile.replaceLocal ? await localReplaces(group.module, group.version, env, dir) : [];
    if (replaces.length > 0) {
      const lines = replaces.map((m) => `replace ${m} => ${m} ${group.profile.replaceLocal}`);
      writeFileSync(path.join(dir, 'go.mod'), `module gitops.local/wrapper\n\ngo 1.24\n\n${lines.join('\n')}\n`);
    }
    phase = 'downloading';
    report();
    if (group.sum !== undefined) {
      await pinnedModuleWrapper(group, dir, env, fail);
      env.GOFLAGS = `${env.GOFLAGS} -mod=mod`;
    } else {
      const got = await go(['get', ...group.tools.map((t) => `${t.package}@${group.version}`)], dir, env, onLine);
      if (got.failed) fail('go get', got);
    }
    phase = 'compiling';
    report();
    const built = await go(['build', ...buildArgs, '-o', `${outDir}/`, ...group.tools.map((t) => t.package)], dir, env, onLine, GO_BUILD_TIMEOUT_MS);
    if (built.failed) fail('go build', built);
    for (const t of group.tools) {
      const produced = path.join(outDir, goBinaryName(t.package));
      const dest = cachePath(cacheDir, group, t);
      mkdirSync(path.dirname(dest), { recursive: true });
      // Rename into place so a concurrent setup never sees half a binary.
      copyFileSync(produced, `${dest}.part`);
      chmodSync(`${dest}.part`, 0o755);
      renameSync(`${dest}.part`, dest);
    }
    emit({ type: 'done', group, ms: Date.now() - started });
  } catch (err) {
    emit({ type: 'failed', group, ms: Date.now() - started });
    throw err;
  } finally {
    removeTempDir(dir);
  }
}

export interface InstallOutcome {
  installed: string[];
  reused: string[];
}

/**
 * Puts each group's tools into binDir: from the cache when built before, else built (in parallel,
 * as many at once as the cores allow) and cached first.
 */
export async function installGroups(
  groups: BuildGroup[], binDir: string, cacheDir: string, emit: (e: BuildEvent) => void,
  /** Filled as tools are placed, so a caller knows what was when another build fails (and this throws). */
  outcome: InstallOutcome = { installed: [], reused: [] },
  parallel = Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2) + 1)),
): Promise<InstallOutcome> {
  mkdirSync(binDir, { recursive: true });
  const toBuild: BuildGroup[] = [];
  const place = (group: BuildGroup): void => {
    for (const t of group.tools) {
      const dest = path.join(binDir, t.name);
      rmSync(dest, { force: true });
      copyFileSync(cachePath(cacheDir, group, t), dest);
      chmodSync(dest, 0o755);
    }
  };
  for (const g of groups) {
    if (g.tools.every((t) => existsSync(cachePath(cacheDir, g, t)))) {
      place(g);
      outcome.reused.push(...g.tools.map((t) => t.name));
      emit({ type: 'reused', group: g, from: path.dirname(path.dirname(cachePath(cacheDir, g, g.tools[0]!))) });
    } else toBuild.push(g);
  }
  if (toBuild.length > 0) {
    const probe = await runTool('go', ['version'], { timeoutMs: GO_QUERY_TIMEOUT_MS });
    if (probe.failed) {
      throw new ToolError('go', `Go is needed to install ${toBuild.flatMap((g) => g.tools.map((t) => t.name)).join(', ')} into .tools/bin but 'go' is not on PATH: install Go 1.24 or newer, then run 'npx gitops setup'`);
    }
  }
  // The largest builds first, so the small ones fill the gaps beside them.
  const queue = [...toBuild].sort((a, b) => b.weight - a.weight);
  const errors: Error[] = [];
  await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
      try {
        await buildGroup(g, cacheDir, emit);
        place(g);
        outcome.installed.push(...g.tools.map((t) => t.name));
      } catch (err) {
        errors.push(err as Error);
      }
    }
  }));
  if (errors.length > 0) throw errors[0]!;
  return outcome;
}
