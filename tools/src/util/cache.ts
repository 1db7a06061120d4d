import { readFileSync } from 'node:fs';
import { decodeText, parseYaml, type ParsedYaml, type YamlProblem } from './yaml.js';
import type { ResultCache } from './results.js';
import { sha256 } from '../schema/json.js';

export type ReadResult = { parsed: ParsedYaml; error: null } | { parsed: null; error: string };

/**
 * Parsed YAML files, read from disk and parsed once per run: by target discovery, the kustomize
 * dependency walk, the loaders, the source map and the checks. Every YAML reader of the gate goes
 * through the run's cache.
 */
export class FileCache {
  private readonly files = new Map<string, ReadResult>();
  /** Bytes read (for a digest or a text) but not parsed yet: the parse takes them. */
  private readonly unparsed = new Map<string, Buffer>();
  /** Facts taken from the results cache this run, by fact name and file. */
  private readonly facts = new Map<string, unknown>();
  private results: ResultCache | null = null;
  /** Raw texts read this run (`text`). */
  private readonly texts = new Map<string, string | null>();
  /** The sha256 of each file's bytes as read this run (null: unreadable). */
  private readonly digests = new Map<string, string | null>();
  /** The files each running `track` has read so far (innermost last). */
  private readonly trackers: Array<Set<string>> = [];

  private note(abs: string): void {
    for (const t of this.trackers) t.add(abs);
  }

  /**
   * `fn()` and every file it read through this cache (any of its readers), so that a result
   * derived from files can be kept with what it depends on (a finding's location).
   */
  track<T>(fn: () => T): { value: T; files: string[] } {
    const files = new Set<string>();
    this.trackers.push(files);
    try {
      return { value: fn(), files: [...files] };
    } finally {
      this.trackers.pop();
    }
  }

  /**
   * A file's text (UTF-8), read once per run and from the same bytes the parse reads; null when it
   * cannot be read.
   */
  text(abs: string): string | null {
    this.note(abs);
    let t = this.texts.get(abs);
    if (t === undefined) {
      try {
        t = decodeText(this.bytes(abs)).text;
      } catch {
        t = null;
      }
      this.texts.set(abs, t);
    }
    return t;
  }

  /**
   * The sha256 of a file's bytes (null: it cannot be read): of the bytes this run read, or, while
   * the file's stamp holds, of an earlier run's (ResultCache.stamped). A file read for it is not
   * read again to be parsed.
   */
  digest(abs: string): string | null {
    const known = this.digests.get(abs);
    if (known !== undefined) return known;
    let d: string | null;
    try {
      d = this.results !== null ? this.results.fileDigest(abs, () => this.bytes(abs)) : sha256(this.bytes(abs));
    } catch {
      d = null;
    }
    this.digests.set(abs, d);
    return d;
  }

  /** A file's bytes, held until the parse takes them (so no file is read twice); throws when unreadable. */
  private bytes(abs: string): Buffer {
    let held = this.unparsed.get(abs);
    if (held === undefined) {
      held = readFileSync(abs);
      this.unparsed.set(abs, held);
    }
    return held;
  }

  /** Lets `problems` and `firstValue` take an unchanged file's facts from an earlier run. */
  useResults(results: ResultCache): void {
    if (results.enabled) this.results = results;
  }

  /**
   * One fact of a file that does not need its syntax tree (its problems, its first value), kept in
   * the results cache under the digest of its bytes: a file an earlier run already parsed is not
   * parsed again until something needs its tree (a finding's line). `fact` computes it from the
   * parsed file; null: the file cannot be read.
   */
  private fact<T>(abs: string, name: string, fact: (parsed: ParsedYaml) => T): T | null {
    this.note(abs);
    const fromTree = (): T | null => {
      const parsed = this.read(abs).parsed;
      return parsed === null ? null : fact(parsed);
    };
    if (this.results === null) return fromTree();
    const memo = `${name}\0${abs}`;
    if (this.facts.has(memo)) return this.facts.get(memo) as T;
    // The digest of an unchanged file comes from its stamp: its bytes are not even read.
    const hex = this.digest(abs);
    if (hex === null) return fromTree();
    const key = this.results.key('yaml-file', hex);
    // A file this run parsed already: its fact comes from the tree, and is kept for the runs that
    // will not parse it (once: an entry already there is not written again).
    const parsedAlready = this.files.has(abs);
    const known = parsedAlready ? undefined : this.results.get<{ fact: T }>(name, key);
    if (known !== undefined) {
      this.facts.set(memo, known.fact);
      return known.fact;
    }
    const value = fromTree();
    // Kept only under the digest of the bytes it was computed from: a file that changed after its
    // stamp was taken is parsed from its new bytes, whose digest read() put in place of the old.
    if (value !== null && this.digests.get(abs) === hex && !(parsedAlready && this.results.has(name, key))) {
      this.results.set(name, key, { fact: value });
    }
    if (value !== null) this.facts.set(memo, value);
    return value;
  }

  /** The YAML problems of a file (an empty list: it parses), or null when it cannot be read. */
  problems(abs: string): YamlProblem[] | null {
    return this.fact(abs, 'yaml', (parsed) => parsed.problems);
  }

  /** The value of a file's first document (null: none, or unreadable), as `get(abs).docs[0].value`. */
  firstValue(abs: string): unknown {
    return this.fact(abs, 'yaml-first', (parsed) => parsed.docs[0]?.value ?? null) ?? null;
  }

  /** The parsed file, or why it could not be read (never throws). */
  read(abs: string): ReadResult {
    this.note(abs);
    let result = this.files.get(abs);
    if (result === undefined) {
      try {
        // Bytes that are not UTF-8 are a problem of the file (input/encoding); the rest is still read.
        const bytes = this.bytes(abs);
        // With a results cache, the digest is that of these bytes, so that what is derived from
        // the parse is kept under the right one: a digest an earlier run's stamp gave may belong
        // to bytes the file no longer has (it changed during this run). Without a results cache
        // nothing asks for it.
        if (this.results !== null) {
          const actual = sha256(bytes);
          if (this.digest(abs) !== actual) this.digests.set(abs, actual);
        }
        this.unparsed.delete(abs);
        const { text, problem } = decodeText(bytes);
        if (!this.texts.has(abs)) this.texts.set(abs, text);
        const parsed = parseYaml(text);
        if (problem !== null) parsed.problems.unshift(problem);
        result = { parsed, error: null };
      } catch (err) {
        result = { parsed: null, error: (err as NodeJS.ErrnoException).code ?? String(err) };
      }
      this.files.set(abs, result);
    }
    return result;
  }

  get(abs: string): ParsedYaml | null {
    return this.read(abs).parsed;
  }
}
