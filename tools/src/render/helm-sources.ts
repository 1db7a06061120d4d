/**
 * Chart sources: filling the git-ignored cache (.cache/charts) from the lock's offline sources
 * (Go modules through the module proxy) or, when asked, from the charts' own repositories (helm
 * pull), and finding a cached chart at render time. Rendering never downloads: it only reads the cache.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { failureReason, runTool } from '../util/process.js';
import { parseDocument } from 'yaml';
import { ToolError } from '../util/errors.js';
import { cachedChartDir, chartTreeHash, readChartsLock, type LockEntry } from './helm-lock.js';

export interface ResolvedChart {
  dir: string;
  source: 'pulled' | 'offline';
  /** What to say about where it came from (module@version/path, or repository). */
  description: string;
}

export type ChartResolution = { ok: true; chart: ResolvedChart } | { ok: false; reason: string };

function makeWritable(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    chmodSync(abs, e.isDirectory() ? 0o755 : 0o644);
    if (e.isDirectory()) makeWritable(abs);
  }
}

/** Where the chart of a lock entry is in the cache, checked against the lock's hash; never downloads. */
export function resolveCachedChart(repoRoot: string, entry: LockEntry, cacheDir?: string): ChartResolution {
  const pulled = cachedChartDir(repoRoot, 'pulled', entry, cacheDir);
  if (existsSync(path.join(pulled, 'Chart.yaml'))) {
    const hash = chartTreeHash(pulled);
    if (entry.pulled.sha256 !== null && entry.pulled.sha256 !== hash) {
      return { ok: false, reason: `the pulled chart in ${path.relative(repoRoot, pulled)} has content hash ${hash}, but charts.lock.json records ${entry.pulled.sha256}: run 'npx gitops charts fetch --pull' again` };
    }
    return { ok: true, chart: { dir: pulled, source: 'pulled', description: `${entry.repoURL} (helm pull)` } };
  }
  if (entry.offline !== null) {
    const dir = cachedChartDir(repoRoot, 'offline', entry, cacheDir);
    if (existsSync(path.join(dir, 'Chart.yaml'))) {
      const hash = chartTreeHash(dir);
      if (hash !== entry.offline.sha256) {
        return { ok: false, reason: `the chart in ${path.relative(repoRoot, dir)} has content hash ${hash}, but charts.lock.json records ${entry.offline.sha256}: run 'npx gitops charts fetch' again` };
      }
      return { ok: true, chart: { dir, source: 'offline', description: `Go module ${entry.offline.goModule}@${entry.offline.moduleVersion} ${entry.offline.path}` } };
    }
    return { ok: false, reason: `its offline source (Go module ${entry.offline.goModule}@${entry.offline.moduleVersion}) is not in ${path.relative(repoRoot, path.dirname(path.dirname(dir)))} yet: run 'npx gitops setup' or 'npx gitops charts fetch'` };
  }
  return { ok: false, reason: `no offline source (${entry.noOffline ?? 'none recorded in charts.lock.json'}) and it was not pulled: run 'npx gitops charts fetch --pull' where the network reaches ${entry.repoURL}` };
}

/** The chart folder of a downloaded module, made into the chart the upstream release publishes (stamp). */
function materializeOffline(moduleDir: string, entry: LockEntry, dest: string): void {
  const off = entry.offline!;
  const src = path.join(moduleDir, off.path);
  if (!existsSync(src)) throw new ToolError('charts', `${off.goModule}@${off.moduleVersion} has no folder ${off.path}`);
  rmSync(path.dirname(dest), { recursive: true, force: true });
  mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp`;
  cpSync(src, tmp, { recursive: true });
  makeWritable(tmp);
  const chartFile = path.join(tmp, off.chartFile ?? 'Chart.yaml');
  let text = readFileSync(chartFile, 'utf8');
  for (const [from, to] of Object.entries(off.stamp?.replace ?? {})) text = text.split(from).join(to);
  const doc = parseDocument(text);
  if (off.stamp) {
    doc.set('version', off.stamp.version);
    doc.set('appVersion', off.stamp.appVersion);
  }
  const version = String(doc.get('version') ?? '');
  const name = String(doc.get('name') ?? '');
  if (name !== entry.chart || version !== entry.version) {
    throw new ToolError('charts', `${off.goModule}@${off.moduleVersion} ${off.path} is chart ${name} ${version}, not ${entry.chart} ${entry.version}: fix the offline source in charts.lock.json`);
  }
  if (off.chartFile && off.chartFile !== 'Chart.yaml') rmSync(chartFile);
  writeFileSync(path.join(tmp, 'Chart.yaml'), doc.toString());
  renameSync(tmp, dest);
}

async function downloadModule(entry: LockEntry): Promise<string> {
  const off = entry.offline!;
  const env: Record<string, string> = { GOFLAGS: '-mod=mod', GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto' };
  // The proxy's checksum database lacks some versions: the lock's content hash checks those instead.
  if (off.noSumDb) env.GONOSUMDB = off.goModule;
  const run = await runTool('go', ['mod', 'download', '-json', `${off.goModule}@${off.moduleVersion}`], { cwd: os.tmpdir(), env, timeoutMs: 900_000 });
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(run.stdout) as typeof info;
  } catch {
    /* reported below */
  }
  if (run.exitCode !== 0 || !info.Dir) {
    throw new ToolError('charts', `go mod download ${off.goModule}@${off.moduleVersion} failed: ${info.Error ?? failureReason(run)}`);
  }
  return info.Dir;
}

export interface FetchResult {
  chart: string;
  version: string;
  source: 'offline' | 'pulled';
  status: 'fetched' | 'present' | 'recorded';
  sha256: string;
}

export interface FetchOptions {
  /** Also `helm pull` every chart from its repository (needs the network). */
  pull?: boolean;
  /** Write pulled hashes (and offline ones) into charts.lock.json instead of failing on a difference. */
  updateLock?: boolean;
  /** helm binary (for --pull). */
  helm?: string;
  log?: (line: string) => void;
  /** Only these charts (names). */
  only?: string[];
  /** Another lock file than the repository's (gitops diff: the base revision's lock). */
  lockFile?: string;
}

async function pullChart(repoRoot: string, entry: LockEntry, helm: string): Promise<string> {
  const dest = cachedChartDir(repoRoot, 'pulled', entry);
  const home = mkdtempSync(path.join(os.tmpdir(), 'gitops-helm-'));
  try {
    const env = { HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data') };
    const untar = path.join(home, 'chart');
    // Argo CD names OCI repositories without a scheme (or with oci://); helm pull wants oci://.
    const http = /^https?:\/\//.test(entry.repoURL);
    const oci = `oci://${entry.repoURL.replace(/^oci:\/\//, '').replace(/\/+$/, '')}/${entry.chart}`;
    const args = http ? ['pull', entry.chart, '--repo', entry.repoURL, '--version', entry.version] : ['pull', oci, '--version', entry.version];
    const run = await runTool(helm, [...args, '--untar', '--untardir', untar], { env, timeoutMs: 300_000 });
    if (run.exitCode !== 0) throw new ToolError('helm', `helm ${args.join(' ')} failed: ${failureReason(run, 300_000)}`, run.stderr);
    rmSync(path.dirname(dest), { recursive: true, force: true });
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(path.join(untar, entry.chart), dest, { recursive: true });
    return dest;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Fills .cache/charts: every chart with an offline source from its Go module, and with `pull`
 * every chart from its repository. Hashes are checked against the lock (or recorded with updateLock).
 */
export async function fetchCharts(repoRoot: string, opts: FetchOptions = {}): Promise<FetchResult[]> {
  const log = opts.log ?? (() => {});
  const lock = readChartsLock(repoRoot, opts.lockFile);
  const results: FetchResult[] = [];
  let lockChanged = false;
  const entries = lock.entries.filter((e) => !opts.only || opts.only.includes(e.chart));
  const offline = entries.filter((e) => e.offline !== null);
  for (const [i, entry] of offline.entries()) {
    const off = entry.offline!;
    const dest = cachedChartDir(repoRoot, 'offline', entry);
    if (existsSync(path.join(dest, 'Chart.yaml')) && chartTreeHash(dest) === off.sha256) {
      results.push({ chart: entry.chart, version: entry.version, source: 'offline', status: 'present', sha256: off.sha256 });
      continue;
    }
    log(`[${i + 1}/${offline.length}] ${entry.chart} ${entry.version}: go mod download ${off.goModule}@${off.moduleVersion}`);
    const moduleDir = await downloadModule(entry);
    materializeOffline(moduleDir, entry, dest);
    const hash = chartTreeHash(dest);
    if (hash !== off.sha256) {
      if (!opts.updateLock) {
        rmSync(path.dirname(dest), { recursive: true, force: true });
        throw new ToolError('charts', `${entry.chart} ${entry.version} from ${off.goModule}@${off.moduleVersion} has content hash ${hash}, but charts.lock.json records ${off.sha256}; if the lock entry was changed on purpose, run 'npx gitops charts fetch --update-lock'`);
      }
      off.sha256 = hash;
      lockChanged = true;
      results.push({ chart: entry.chart, version: entry.version, source: 'offline', status: 'recorded', sha256: hash });
    } else results.push({ chart: entry.chart, version: entry.version, source: 'offline', status: 'fetched', sha256: hash });
  }
  if (opts.pull) {
    if (!opts.helm) throw new ToolError('helm', "helm is needed to pull charts: run 'npx gitops setup helm'");
    for (const [i, entry] of entries.entries()) {
      log(`[${i + 1}/${entries.length}] ${entry.chart} ${entry.version}: helm pull from ${entry.repoURL}`);
      const dest = await pullChart(repoRoot, entry, opts.helm);
      const hash = chartTreeHash(dest);
      if (entry.pulled.sha256 !== null && entry.pulled.sha256 !== hash && !opts.updateLock) {
        rmSync(path.dirname(dest), { recursive: true, force: true });
        throw new ToolError('charts', `${entry.chart} ${entry.version} pulled from ${entry.repoURL} has content hash ${hash}, but charts.lock.json records ${entry.pulled.sha256}: the published chart changed; check it, then record it with --update-lock`);
      }
      const status = entry.pulled.sha256 === hash ? 'fetched' : opts.updateLock ? 'recorded' : 'fetched';
      if (opts.updateLock && entry.pulled.sha256 !== hash) {
        entry.pulled.sha256 = hash;
        lockChanged = true;
      }
      results.push({ chart: entry.chart, version: entry.version, source: 'pulled', status, sha256: hash });
    }
  }
  if (lockChanged) writeLock(lock.file, lock.entries);
  return results;
}

/** Rewrites the lock's hashes, keeping the file's other content and layout. */
function writeLock(file: string, entries: LockEntry[]): void {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { charts: Array<Record<string, any>> };
  raw.charts.forEach((c, i) => {
    const e = entries.find((x) => x.chart === c.chart && x.version === c.version && x.repoURL === c.repoURL) ?? entries[i];
    if (!e) return;
    if (e.offline && c.offline) c.offline.sha256 = e.offline.sha256;
    c.pulled = { sha256: e.pulled.sha256 };
  });
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
}
