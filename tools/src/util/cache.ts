import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeText, parseYaml, type ParsedYaml, type YamlProblem } from './yaml.js';
import type { ResultCache } from './results.js';

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
  private results: ResultCache | null = null;

  /** Lets `problems` take an unchanged file's verdict from an earlier run. */
  useResults(results: ResultCache): void {
    if (results.enabled) this.results = results;
  }

  /**
   * The YAML problems of a file (an empty list: it parses), or null when it cannot be read. A file
   * whose bytes an earlier run already judged is not parsed again until something needs its tree.
   */
  problems(abs: string): YamlProblem[] | null {
    const done = this.files.get(abs);
    if (done !== undefined || this.results === null) return this.read(abs).parsed?.problems ?? null;
    let bytes = this.unparsed.get(abs);
    if (bytes === undefined) {
      try {
        bytes = readFileSync(abs);
      } catch {
        return this.read(abs).parsed?.problems ?? null;
      }
      this.unparsed.set(abs, bytes);
    }
    const key = this.results.key('yaml-problems', createHash('sha256').update(bytes).digest('hex'));
    const known = this.results.get<YamlProblem[]>('yaml', key);
    if (known !== undefined) return known;
    const problems = this.read(abs).parsed?.problems ?? null;
    if (problems !== null) this.results.set('yaml', key, problems);
    return problems;
  }

  /** The parsed file, or why it could not be read (never throws). */
  read(abs: string): ReadResult {
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
