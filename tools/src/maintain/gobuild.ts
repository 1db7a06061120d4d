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
 */
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ToolError } from '../util/errors.js';
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
  | { type: 'done'; group: BuildGroup; ms: number };

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

/** Runs go, streaming stderr lines to `onLine`. */
async function go(args: string[], cwd: string, env: GoEnv, onLine?: (line: string) => void) {
  const child = execa('go', args, { cwd, env, reject: false, all: false, buffer: { stdout: true, stderr: true } });
  if (onLine && child.stderr) {
    let rest = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
  }
  return child;
}

/** Local-path replaces of a module's go.mod (the module must be downloadable). */
async function localReplaces(module: string, version: string, env: GoEnv, cwd: string): Promise<string[]> {
  const r = await execa('go', ['mod', 'download', '-json', `${module}@${version}`], { cwd, env, reject: false });
  let info: { GoMod?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    /* below */
  }
  if (!info.GoMod) throw new ToolError(module, `go mod download ${module}@${version} failed: ${info.Error ?? r.stderr.trim()}`, r.stderr);
  const text = readFileSync(info.GoMod, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:replace\s+)?(\S+)(?:\s+v\S+)?\s+=>\s+(\.{1,2}\/\S*)\s*$/gm)) out.push(m[1]!);
  return out;
}

async function moduleDate(module: string, version: string, env: GoEnv, cwd: string): Promise<string> {
  const r = await execa('go', ['list', '-m', '-json', `${module}@${version}`], { cwd, env, reject: false });
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
async function pinnedModuleWrapper(group: BuildGroup, dir: string, env: GoEnv, fail: (what: string, r: { stderr: string }) => never): Promise<void> {
  const dl = await execa('go', ['mod', 'download', '-json', `${group.module}@${group.version}`], {
    cwd: os.tmpdir(), env: { ...env, GONOSUMDB: group.module, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() }, reject: false,
  });
  if (dl.exitCode !== 0) fail('go mod download', dl);
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
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-tool-'));
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
    const date = await moduleDate(group.module, group.version, env, dir);
    const ldflags = Object.entries(group.profile.ldflagsX ?? {}).map(([k, v]) => `-X ${k}=${expand(v, group.version, date)}`).join(' ');
    const buildArgs = [...(group.profile.trimpath ? ['-trimpath'] : []), '-v', ...(ldflags ? ['-ldflags', ldflags] : [])];
    const fail = (what: string, r: { stderr: string }): never => {
      const lines = r.stderr.trim().split('\n').filter((l) => !/^go: downloading /.test(l) && !/^[\w.-]+(\/[\w.~+-]+)*$/.test(l.trim()));
      throw new ToolError(group.tools[0]!.name, `${what} failed for ${group.tools.map((t) => t.name).join(', ')} ${group.version}`, lines.slice(-15).join('\n'));
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
      const get = await go(['get', ...group.tools.map((t) => `${t.package}@${group.version}`)], dir, env, onLine);
      const got = await get;
      if (got.exitCode !== 0) fail('go get', got);
    }
    phase = 'compiling';
    report();
    const build = await go(['build', ...buildArgs, '-o', `${outDir}/`, ...group.tools.map((t) => t.package)], dir, env, onLine);
    const built = await build;
    if (built.exitCode !== 0) fail('go build', built);
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
export async function installGroups(groups: BuildGroup[], binDir: string, cacheDir: string, emit: (e: BuildEvent) => void, parallel = Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2) + 1))): Promise<InstallOutcome> {
  mkdirSync(binDir, { recursive: true });
  const outcome: InstallOutcome = { installed: [], reused: [] };
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
    const probe = await execa('go', ['version'], { reject: false });
    if (probe.exitCode !== 0) {
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
