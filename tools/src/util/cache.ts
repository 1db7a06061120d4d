import { readFileSync } from 'node:fs';
import { parseYaml, type ParsedYaml } from './yaml.js';

export type ReadResult = { parsed: ParsedYaml; error: null } | { parsed: null; error: string };

/**
 * Parsed YAML files, read from disk and parsed once per run: by target discovery, the kustomize
 * dependency walk, the loaders, the source map and the checks. Every YAML reader of the gate goes
 * through the run's cache.
 */
export class FileCache {
  private readonly files = new Map<string, ReadResult>();

  /** The parsed file, or why it could not be read (never throws). */
  read(abs: string): ReadResult {
    let result = this.files.get(abs);
    if (result === undefined) {
      try {
        result = { parsed: parseYaml(readFileSync(abs, 'utf8')), error: null };
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
