/**
 * The charts lock (charts.lock.json at the repository root): for every Helm chart the clusters pin,
 * where the gate gets it (a registry package that carries it offline, or its own repository) and
 * the content hash it must have. One place for chart sources; docs/charts.md describes the format.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../util/errors.js';
import { asObject } from '../util/yaml.js';

export const CHARTS_LOCK = 'charts.lock.json';
/** Git-ignored cache of chart trees, below the repository root. */
export const CHARTS_CACHE = '.cache/charts';

export interface OfflineSource {
  /** Go module that carries the chart at the pinned version. */
  goModule: string;
  moduleVersion: string;
  /** The chart's folder inside the module. */
  path: string;
  /** The chart file inside that folder when it is not Chart.yaml (a template the release tool fills). */
  chartFile?: string;
  /**
   * What the upstream release tool writes into the chart file (version, appVersion, text
   * placeholders) when the module carries a template: applied the same way, and recorded here.
   */
  stamp?: { version: string; appVersion: string; replace?: Record<string, string> };
  /** The proxy's checksum database has no entry for this version: the content hash below is the check. */
  noSumDb?: boolean;
  /** Content hash (chartTreeHash) of the chart tree the gate renders. */
  sha256: string;
}

export interface LockEntry {
  repoURL: string;
  chart: string;
  version: string;
  offline: OfflineSource | null;
  /** Why no offline source exists (said in the unrendered-chart finding). */
  noOffline?: string;
  /** The chart from its repository (helm pull): content hash of the pulled tree, once recorded. */
  pulled: { sha256: string | null };
}

export interface ChartsLock {
  file: string;
  entries: LockEntry[];
}

/** Same repository whatever the case or trailing slash; OCI references keep their scheme. */
export function normalizeChartRepo(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}

export function lockKey(repoURL: string, chart: string, version: string): string {
  return `${normalizeChartRepo(repoURL)}|${chart}|${version}`;
}

/** Reads the lock; a missing file is an empty lock (every chart then is an error), a malformed one an InputError. */
export function readChartsLock(repoRoot: string, lockFile?: string): ChartsLock {
  const file = lockFile ?? path.join(repoRoot, CHARTS_LOCK);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { file, entries: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${CHARTS_LOCK}: not JSON: ${(err as Error).message}`, CHARTS_LOCK);
  }
  const charts = asObject(raw)?.charts;
  if (!Array.isArray(charts)) throw new InputError(`${CHARTS_LOCK}: expected {"charts": [...]}`, CHARTS_LOCK);
  const entries: LockEntry[] = charts.map((c, i) => {
    const o = asObject(c);
    if (!o || typeof o.repoURL !== 'string' || typeof o.chart !== 'string' || typeof o.version !== 'string') {
      throw new InputError(`${CHARTS_LOCK}: charts[${i}] needs repoURL, chart and version`, CHARTS_LOCK);
    }
    const off = asObject(o.offline);
    if (off && (typeof off.goModule !== 'string' || typeof off.moduleVersion !== 'string' || typeof off.path !== 'string' || typeof off.sha256 !== 'string')) {
      throw new InputError(`${CHARTS_LOCK}: charts[${i}].offline needs goModule, moduleVersion, path and sha256`, CHARTS_LOCK);
    }
    return {
      repoURL: o.repoURL,
      chart: o.chart,
      version: o.version,
      offline: off ? (off as unknown as OfflineSource) : null,
      noOffline: typeof o.noOffline === 'string' ? o.noOffline : undefined,
      pulled: { sha256: typeof asObject(o.pulled)?.sha256 === 'string' ? (asObject(o.pulled)!.sha256 as string) : null },
    };
  });
  return { file, entries };
}

export function findLockEntry(lock: ChartsLock, repoURL: string, chart: string, version: string): LockEntry | null {
  const key = lockKey(repoURL, chart, version);
  return lock.entries.find((e) => lockKey(e.repoURL, e.chart, e.version) === key) ?? null;
}

/**
 * Content hash of a chart tree: sha256 over the sorted list of `relative/path\0sha256(file)\n`.
 * Independent of timestamps, permissions and archive format, so a pulled .tgz and a tree copied
 * from a module compare by content.
 */
export function chartTreeHash(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile()) {
        const rel = path.relative(dir, abs).split(path.sep).join('/');
        lines.push(`${rel}\u0000${createHash('sha256').update(readFileSync(abs)).digest('hex')}\n`);
      }
    }
  };
  walk(dir);
  lines.sort();
  return `sha256:${createHash('sha256').update(lines.join('')).digest('hex')}`;
}

/** Cache folder of one chart from one kind of source: .cache/charts/<kind>/<chart>-<version>/<chart>. */
export function cachedChartDir(repoRoot: string, kind: 'offline' | 'pulled', entry: Pick<LockEntry, 'chart' | 'version'>, cacheDir?: string): string {
  return path.join(cacheDir ?? path.join(repoRoot, CHARTS_CACHE), kind, `${entry.chart}-${entry.version}`, entry.chart);
}
