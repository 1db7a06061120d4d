/**
 * Compiled validators cached on disk, so that a warm run compiles no schema: ajv's standalone code
 * of each validator is written to `<repo>/.cache/ajv/<key>.cjs` (git-ignored) and loaded from there
 * next time. The key is the sha256 of the schema text, the ajv and ajv-formats versions and the
 * compiled gate's own ajv configuration (ajv.js), so a changed schema, a dependency upgrade or a
 * changed option never loads stale code. A cache that cannot be written (read-only checkout) is
 * skipped silently: the validator is compiled in memory as before, never a different result.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';
import { ajvRuntime } from './ajv.js';
import { sha256 } from './json.js';

const require = createRequire(import.meta.url);

type Standalone = (ajv: Ajv, refsOrFunc?: ValidateFunction) => string;
/** ajv's standalone code generator, loaded with the first compilation. */
function toStandalone(ajv: Ajv, validate: ValidateFunction): string {
  const m = require('ajv/dist/standalone/index.js') as { default?: Standalone } & Standalone;
  return (m.default ?? m)(ajv, validate);
}

let fingerprint: string | undefined;
/** Versions and configuration that the generated code depends on. */
export function compilerFingerprint(): string {
  if (fingerprint === undefined) {
    const version = (pkg: string): string => (require(`${pkg}/package.json`) as { version: string }).version;
    // The compiled ajv.js beside this file (ajv.ts when run from source, as under vitest).
    const here = path.extname(fileURLToPath(import.meta.url));
    const config = readFileSync(fileURLToPath(new URL(`./ajv${here}`, import.meta.url)), 'utf8');
    fingerprint = sha256(`ajv ${version('ajv')}\najv-formats ${version('ajv-formats')}\n${sha256(config)}`);
  }
  return fingerprint;
}

function runtimeRequire(id: string): unknown {
  return id === 'gitops:ajv-runtime' ? ajvRuntime : require(id);
}

function load(code: string): ValidateFunction {
  const module = { exports: {} as unknown };
  // The code is ajv's own output for our schemas, written by this process to the git-ignored cache.
  new Function('require', 'module', 'exports', code)(runtimeRequire, module, module.exports);
  return module.exports as ValidateFunction;
}

export interface CacheStats {
  /** Validators loaded from disk. */
  hits: number;
  /** Validators compiled (and written). */
  compiled: number;
}

export class ValidatorCache {
  readonly stats: CacheStats = { hits: 0, compiled: 0 };

  /** `dir` null: no disk cache (compile in memory only). */
  constructor(private readonly dir: string | null) {}

  static forRepo(repoRoot: string): ValidatorCache {
    return new ValidatorCache(path.join(repoRoot, '.cache', 'ajv'));
  }

  /**
   * The validator of `schemaText` (the schema's exact text: the key) for the ajv instance `ajv()`
   * makes, of `dialect` (its options); ajv is made and the text parsed by `parse` only when the
   * validator must be compiled.
   */
  get(ajv: () => Ajv, dialect: string, schemaText: string, parse: () => object): ValidateFunction {
    const key = sha256(`${compilerFingerprint()}\n${dialect}\n${schemaText}`);
    const file = this.dir === null ? null : path.join(this.dir, `${key}.cjs`);
    if (file !== null) {
      let code: string | null = null;
      try {
        code = readFileSync(file, 'utf8');
      } catch {
        // not cached yet
      }
      if (code !== null) {
        try {
          const v = load(code);
          this.stats.hits += 1;
          return v;
        } catch {
          // A truncated or foreign file: compile again and overwrite it.
        }
      }
    }
    const compiler = ajv();
    const validate = compiler.compile(parse());
    this.stats.compiled += 1;
    if (file !== null) {
      try {
        const code = toStandalone(compiler, validate);
        mkdirSync(this.dir!, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, code);
        renameSync(tmp, file);
      } catch {
        // read-only or full disk: the in-memory validator is still right
      }
    }
    return validate;
  }
}
