import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeText, parseYaml, type ParsedYaml, type YamlProblem } from './yaml.js';
import { jsonExact, type ResultCache } from './results.js';

export type ReadResult = { parsed: ParsedYaml; error: null } | { parsed: null; error: string };

/**
 * Parsed YAML files, read from disk and parsed once per run: by target discovery, the kustomize
 * dependency walk, the loaders, the source map and the checks. Every YAML reader of the gate goes
 * through the run's cache.
 */
export class FileCache {
  private readonly files = new Map<string, ReadResult>();
  /** Bytes read for `problems` but not parsed (yet). */
  private readonly unparsed = new Map<string, Buffer>();
  /** Summaries taken from the results cache this run. */
  private readonly summaries = new Map<string, { problems: YamlProblem[]; values: unknown[] }>();
  private results: ResultCache | null = null;
  /** Raw texts read this run (`text`). */
  private readonly texts = new Map<string, string | null>();
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

  /** A file's text (UTF-8), read once per run; null when it cannot be read. */
  text(abs: string): string | null {
    this.note(abs);
    let t = this.texts.get(abs);
    if (t === undefined) {
      try {
        t = readFileSync(abs, 'utf8');
      } catch {
        t = null;
      }
      this.texts.set(abs, t);
    }
    return t;
  }

  /** Lets `problems` take an unchanged file's verdict from an earlier run. */
  useResults(results: ResultCache): void {
    if (results.enabled) this.results = results;
  }

  /**
   * What a file parses to without its syntax tree: its problems (empty: it parses) and the values
   * of its documents; null when it cannot be read. A file whose bytes an earlier run already
   * parsed is not parsed again until something needs its tree (a finding's line).
   */
  private summary(abs: string): { problems: YamlProblem[]; values: unknown[] } | null {
    this.note(abs);
    const fromTree = (): { problems: YamlProblem[]; values: unknown[] } | null => {
      const parsed = this.read(abs).parsed;
      return parsed === null ? null : { problems: parsed.problems, values: parsed.docs.map((d) => d.value) };
    };
    if (this.files.has(abs) || this.results === null) return fromTree();
    const done = this.summaries.get(abs);
    if (done !== undefined) return done;
    let bytes = this.unparsed.get(abs);
    if (bytes === undefined) {
      try {
        bytes = readFileSync(abs);
      } catch {
        return fromTree();
      }
      this.unparsed.set(abs, bytes);
    }
    const key = this.results.key('yaml-file', createHash('sha256').update(bytes).digest('hex'));
    const known = this.results.get<{ problems: YamlProblem[]; values: unknown[] }>('yaml', key);
    if (known !== undefined) {
      this.summaries.set(abs, known);
      return known;
    }
    const summary = fromTree();
    if (summary !== null && jsonExact(summary)) this.results.set('yaml', key, summary);
    return summary;
  }

  /** The YAML problems of a file (an empty list: it parses), or null when it cannot be read. */
  problems(abs: string): YamlProblem[] | null {
    return this.summary(abs)?.problems ?? null;
  }

  /** The value of a file's first document (null: none, or unreadable), as `get(abs).docs[0].value`. */
  firstValue(abs: string): unknown {
    return this.summary(abs)?.values[0] ?? null;
  }

  /** The parsed file, or why it could not be read (never throws). */
  read(abs: string): ReadResult {
    this.note(abs);
    let result = this.files.get(abs);
    if (result === undefined) {
      try {
        // Bytes that are not UTF-8 are a problem of the file (input/encoding); the rest is still read.
        const held = this.unparsed.get(abs);
        this.unparsed.delete(abs);
        const { text, problem } = decodeText(held ?? readFileSync(abs));
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
