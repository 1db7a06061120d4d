/**
 * Results of earlier runs, kept on disk so that a run only computes what changed: parsed objects
 * of kustomize's output, schema verdicts, kubeconform verdicts and policy violations, each under
 * a key that is the sha256 of everything the result depends on (docs/performance.md, "Results
 * cache"). A key never names a file or a time: the same inputs give the same key, so a hit is the
 * result the gate would compute again. The exception is `stamped`: digests of files kept under the
 * files' stamps, as git's index keeps them.
 *
 * Stored in the git-ignored `<repo>/.cache/results/<namespace>.json` (a target's own results in
 * `<namespace>.<target digest>.json`, `forTarget`), each file written whole and
 * atomically (a temp file renamed), so two runs at once never leave a torn file; the last writer
 * wins and both wrote right results. Every key also holds the fingerprint of the gate's own code
 * (its compiled files and the locked dependencies), so a changed gate never reads an older gate's
 * results. A file that cannot be read or parsed is ignored (the results are computed again); a
 * cache that cannot be written (read-only checkout) is skipped silently.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { sha256 } from '../schema/json.js';

const FORMAT = 1;
/** Entries kept per namespace; the least recently used go first. */
const MAX_ENTRIES = 50_000;
/** How long after its last change a file counts as settled (ResultCache.stamped). */
export const SETTLED_MS = 2000;

interface Stored {
  format: number;
  /**
   * The gate fingerprint the file was written with. Every key holds the fingerprint, so the
   * entries of another gate can never be hit: such a file is read as empty, and the next write
   * drops them instead of carrying them along until the entry limit.
   */
  gate?: string;
  entries: Record<string, [number, unknown]>;
}

interface Namespace {
  entries: Map<string, [number, unknown]>;
  /** Keys whose value a caller already holds this run: later callers get a copy. */
  handedOut: Set<string>;
  /** Entries added: the file must be written (a hit's new use time is written with them). */
  dirty: boolean;
}

export interface ResultStats {
  hits: number;
  misses: number;
}

export function digest(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** What tells a file's versions apart without reading it: size, modification and change times, inode. */
function stampOf(st: Stats): string {
  return `${st.size} ${st.mtimeMs} ${st.ctimeMs} ${st.ino}`;
}

let codeFingerprint: string | undefined;

/**
 * The gate's own code as results depend on it: every file of the compiled gate (or of the sources,
 * when run from them under vitest) by path, size and modification time, and the lockfile of its
 * dependencies. Rebuilding the gate, or upgrading ajv or opa-wasm, starts from an empty cache.
 */
export function gateFingerprint(): string {
  if (codeFingerprint === undefined) {
    const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
    const parts: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const abs = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(abs);
        else if (/\.(js|ts)$/.test(entry.name)) {
          const s = statSync(abs);
          parts.push(`${path.relative(root, abs)} ${s.size} ${s.mtimeMs}`);
        }
      }
    };
    walk(root);
    try {
      const s = statSync(path.join(root, '..', '..', 'package-lock.json'));
      parts.push(`package-lock.json ${s.size} ${s.mtimeMs}`);
    } catch {
      parts.push('no lockfile');
    }
    codeFingerprint = digest(...parts);
  }
  return codeFingerprint;
}

export class ResultCache {
  readonly stats: ResultStats = { hits: 0, misses: 0 };
  private readonly namespaces = new Map<string, Namespace>();
  private readonly now: number;
  private readonly fingerprint: string;
  private readonly fileDigests = new Map<string, string>();
  private readonly fileStamps = new Map<string, string>();
  /** The views of `forTarget`, by target name. */
  private readonly views = new Map<string, ResultCache>();
  /** The cache itself (a view reaches its stamps and digests through it). */
  private readonly root: ResultCache = this;
  /** Suffix of the namespace files of a `forTarget` view; '' for the cache itself. */
  private part = '';
  /**
   * Values kept this run by the cache or any view, by namespace and key: a key names everything
   * its value depends on, so another target's view may take it (a base object rendered alike into
   * several targets is parsed, checked and judged once per run, as before the per-target files).
   */
  private readonly keptThisRun = new Map<string, unknown>();

  /**
   * `dir` null: nothing is kept (every lookup misses, nothing is written). `now`: the run's time
   * (entries' use time; which files count as settled).
   */
  constructor(private readonly dir: string | null, now = Date.now()) {
    this.now = now;
    this.fingerprint = dir === null ? '' : gateFingerprint();
  }

  static forRepo(repoRoot: string): ResultCache {
    return new ResultCache(path.join(repoRoot, '.cache', 'results'));
  }

  static none(): ResultCache {
    return new ResultCache(null);
  }

  get enabled(): boolean {
    return this.dir !== null;
  }

  /**
   * The same cache with namespaces of the target's own: its per-object results (parsed renders,
   * verdicts, locations) are kept in files of their own, so a run reads and writes the files of
   * the targets it checks, not those of the whole repository (the pre-commit run checks the few a
   * change feeds). Keys, stamps, statistics and saving are shared with the cache.
   */
  forTarget(name: string): ResultCache {
    if (this.dir === null) return this;
    if (this.part !== '') return this.root.forTarget(name);
    let view = this.views.get(name);
    if (view === undefined) {
      // Every other field is the cache's own (the prototype): one set of namespaces, one save.
      view = Object.create(this) as ResultCache;
      view.part = `.${digest(name).slice(0, 16)}`;
      this.views.set(name, view);
    }
    return view;
  }

  /** The key of a result: the gate's fingerprint and the parts it depends on. */
  key(...parts: string[]): string {
    return digest(this.fingerprint, ...parts);
  }

  private namespace(base: string): Namespace {
    const name = `${base}${this.part}`;
    let ns = this.namespaces.get(name);
    if (ns === undefined) {
      ns = { entries: new Map(), handedOut: new Set(), dirty: false };
      if (this.dir !== null) {
        try {
          const stored = JSON.parse(readFileSync(path.join(this.dir, `${name}.json`), 'utf8')) as Stored;
          if (stored.format === FORMAT && stored.gate === this.fingerprint && stored.entries !== null && typeof stored.entries === 'object') {
            ns.entries = new Map(Object.entries(stored.entries));
          }
        } catch {
          // none yet, or damaged: computed again and rewritten
        }
      }
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  /**
   * Reads the named namespaces now (a run calls this while it waits for its renders), so that the
   * lookups that follow find them parsed.
   */
  preload(names: string[]): void {
    if (this.dir === null) return;
    for (const name of names) this.namespace(name);
  }

  /** The stored entry under `key`, counted neither as a hit nor as a miss. */
  private entry(name: string, key: string): [number, unknown] | undefined {
    const entry = this.namespace(name).entries.get(key);
    return Array.isArray(entry) && entry.length === 2 ? entry : undefined;
  }

  /** Whether a result is stored under `key` (neither a hit nor a miss). */
  has(name: string, key: string): boolean {
    return this.dir !== null && this.entry(name, key) !== undefined;
  }

  /** A result stored under `key`, or undefined. No two callers of a run share a value's objects. */
  get<T>(name: string, key: string): T | undefined {
    if (this.dir === null) {
      this.stats.misses += 1;
      return undefined;
    }
    const ns = this.namespace(name);
    const entry = this.entry(name, key);
    if (entry === undefined) {
      const kept = this.root.keptThisRun.get(`${name}\0${key}`);
      if (kept === undefined) {
        this.stats.misses += 1;
        return undefined;
      }
      // Kept by another view this run: this view's file gets it too, for the runs that check
      // only this target.
      this.stats.hits += 1;
      ns.entries.set(key, [this.now, kept]);
      ns.dirty = true;
      return structuredClone(kept) as T;
    }
    this.stats.hits += 1;
    entry[0] = this.now;
    if (ns.handedOut.has(key)) return structuredClone(entry[1]) as T;
    ns.handedOut.add(key);
    return entry[1] as T;
  }

  /** Keeps `value` (JSON) under `key`; a value JSON cannot carry exactly is not kept. */
  set(name: string, key: string, value: unknown): void {
    if (this.dir === null || !jsonExact(value)) return;
    const ns = this.namespace(name);
    ns.entries.set(key, [this.now, value]);
    ns.handedOut.add(key);
    ns.dirty = true;
    this.root.keptThisRun.set(`${name}\0${key}`, value);
  }

  /**
   * The result under `key`, or `compute()` kept under it. `key` null: the result cannot be named
   * completely and is always computed, never kept.
   */
  remember<T>(name: string, key: string | null, compute: () => T): T {
    if (key !== null) {
      const known = this.get<T>(name, key);
      if (known !== undefined) return known;
    }
    const value = compute();
    if (key !== null) this.set(name, key, value);
    return value;
  }

  /** The stamp of a file (a binary a result depends on), once per run; null: missing. */
  fileStamp(abs: string): string | null {
    let s = this.fileStamps.get(abs);
    if (s === undefined) {
      try {
        s = stampOf(statSync(abs));
      } catch {
        return null;
      }
      this.fileStamps.set(abs, s);
    }
    return s;
  }

  /**
   * `compute()` over files' contents, kept under the files' paths and stamps (size, modification
   * and change times, inode) as git's index keeps a file's hash: a later run whose files have the
   * same stamps takes the result without reading them. A file changed in the last SETTLED_MS may
   * still change within one stamp (git's "racy" files): its results are computed, never kept.
   * A file that cannot be stat'ed: computed.
   */
  stamped(name: string, files: string[], compute: () => string): string {
    if (this.dir === null) return compute();
    const stamps: string[] = [];
    for (const f of files) {
      let st;
      try {
        st = statSync(f);
      } catch {
        return compute();
      }
      if (Math.max(st.mtimeMs, st.ctimeMs) > this.now - SETTLED_MS) return compute();
      stamps.push(stampOf(st));
    }
    // Kept under the paths, with the stamps beside the result (as git's index keeps one entry per
    // path): a file's new version replaces its old entry, so the index stays as large as the set
    // of files, however often they change.
    const key = this.key(name, ...files);
    const entry = this.root.entry('stamped', key);
    const known = entry?.[1] as [string[], string] | undefined;
    if (entry !== undefined && Array.isArray(known) && Array.isArray(known[0]) && known[0].length === stamps.length && known[0].every((s, i) => s === stamps[i])) {
      this.stats.hits += 1;
      entry[0] = this.now;
      return known[1];
    }
    this.stats.misses += 1;
    const value = compute();
    this.root.set('stamped', key, [stamps, value]);
    return value;
  }

  /**
   * The sha256 of a file's bytes, once per run and across runs while its stamp holds (a schema file
   * as a result depends on it). `read` gives the bytes when they must be hashed (FileCache hands
   * over the bytes its parse reads). Unreadable: null.
   */
  fileDigest(abs: string, read: () => Buffer = () => readFileSync(abs)): string | null {
    let d = this.fileDigests.get(abs);
    if (d === undefined) {
      try {
        d = this.stamped('sha256', [abs], () => sha256(read()));
      } catch {
        return null;
      }
      this.fileDigests.set(abs, d);
    }
    return d;
  }

  /**
   * Writes every namespace that gained entries this run. The first save of a gate build also
   * deletes the files an earlier build wrote that this run did not rewrite (its own keys can never
   * match them): the layout of an older gate, the files of targets that are gone. Never throws.
   */
  save(): void {
    if (this.dir === null) return;
    const written = new Set<string>();
    for (const [name, ns] of this.namespaces) {
      if (!ns.dirty) continue;
      let entries = [...ns.entries];
      if (entries.length > MAX_ENTRIES) entries = entries.sort((a, b) => b[1][0] - a[1][0]).slice(0, MAX_ENTRIES);
      const stored: Stored = { format: FORMAT, gate: this.fingerprint, entries: Object.fromEntries(entries) };
      try {
        mkdirSync(this.dir, { recursive: true });
        const file = path.join(this.dir, `${name}.json`);
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(stored));
        renameSync(tmp, file);
        ns.dirty = false;
        written.add(`${name}.json`);
      } catch {
        // read-only or full disk: the next run computes these again
      }
    }
    this.dropOtherBuilds(written);
  }

  /** Once per gate build (the `gate` marker file): the result files of other builds removed. */
  private dropOtherBuilds(written: Set<string>): void {
    const marker = path.join(this.dir!, 'gate');
    try {
      if (readFileSync(marker, 'utf8') === this.fingerprint) return;
    } catch {
      // no marker yet
    }
    try {
      for (const f of readdirSync(this.dir!)) {
        // Also what a save cut short left (`<name>.json.<pid>.tmp`); a concurrent save whose file
        // goes just fails to rename, as on a full disk.
        if ((f.endsWith('.json') && !written.has(f)) || f.endsWith('.tmp')) rmSync(path.join(this.dir!, f), { force: true });
      }
      writeFileSync(marker, this.fingerprint);
    } catch {
      // read-only: the files stay, and are read as empty
    }
  }
}

/** True when `value` survives JSON unchanged (no undefined, NaN, Infinity, -0 or non-plain objects). */
export function jsonExact(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonExact);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value as Record<string, unknown>).every(jsonExact);
  }
  return false;
}
