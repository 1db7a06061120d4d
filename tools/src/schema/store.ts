/**
 * The schema store: resolves `apiVersion` + `kind` to a JSON Schema, in this order:
 *   1. Kubernetes core of the pinned version (schemas/kubernetes/v<ver>-standalone-strict/index.json)
 *   2. vendored CRDs (schemas/crds/index.json)
 *   3. a CustomResourceDefinition among the target's own objects, converted on the fly
 * and otherwise reports the kind as unknown (the caller turns that into `schema/unknown-kind`).
 * Indexes are read once; schema files are read and compiled lazily, and validators are cached.
 */
import { CrdConversionError, SchemaStoreError } from '../util/errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Ajv, ValidateFunction } from 'ajv';
import { crdToSchemas, isCustomResourceDefinition, type CrdVersionSchema, type JsonSchema } from './convert.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { createAjv, formatAjvErrors, validateWithValidator, type SchemaError } from './ajv.js';

import { sha256, stableStringify } from './json.js';
import { ValidatorCache } from './ajv-cache.js';

type AddFormats = (ajv: Ajv2020) => Ajv2020;
// ajv is loaded only to compile a schema (schema/ajv.ts).
const require = createRequire(import.meta.url);

export type SchemaSource = 'kubernetes' | 'crd' | 'target-crd';

export interface ResolvedSchema {
  status: 'found';
  /** `<apiVersion>/<kind>`, e.g. `apps/v1/Deployment`. */
  key: string;
  source: SchemaSource;
  /** Absolute path of the vendored schema file; null for a CRD of the target. */
  file: string | null;
  /** Set for CRDs (vendored or of the target). */
  scope?: 'Namespaced' | 'Cluster';
  /** For target CRDs: the converted schema. */
  crd?: CrdVersionSchema;
}

export interface UnknownSchema {
  status: 'unknown';
  key: string;
  /** Human explanation, e.g. which versions of the kind do exist. */
  message: string;
}

export type SchemaResolution = ResolvedSchema | UnknownSchema;

/** CRDs found among one target's objects, converted to schemas. */
export interface TargetCrds {
  /** key `<apiVersion>/<kind>` → schema. */
  byKey: Map<string, CrdVersionSchema>;
  /** CRD objects that could not be converted (name + reason). */
  errors: Array<{ name: string; message: string }>;
}

export type ValidationStatus = 'valid' | 'invalid' | 'unknown-kind' | 'no-type' | 'schema-error';

export interface ValidationOutcome {
  status: ValidationStatus;
  errors: SchemaError[];
  resolution: SchemaResolution | null;
}

interface CrdIndexEntry {
  file: string;
  scope: 'Namespaced' | 'Cluster';
  source: string;
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new SchemaStoreError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

export class SchemaStore {
  readonly coreDir: string;
  readonly crdDir: string;
  private readonly core: Record<string, { file: string }>;
  private readonly crds: Record<string, CrdIndexEntry>;
  private readonly validators = new Map<string, ValidateFunction>();
  /** Created on the first schema that must be compiled (most warm runs compile none). */
  private ajvInstance: Ajv | undefined;
  /** Compiled validators on disk (.cache/ajv), shared by every process of the repository. */
  readonly cache: ValidatorCache;

  private constructor(
    readonly repoRoot: string,
    readonly kubernetesVersion: string,
    ajv?: Ajv,
  ) {
    this.ajvInstance = ajv;
    const schemas = path.join(path.resolve(repoRoot), 'schemas');
    this.coreDir = path.join(schemas, 'kubernetes', `v${kubernetesVersion}-standalone-strict`);
    this.crdDir = path.join(schemas, 'crds');
    const coreIndex = path.join(this.coreDir, 'index.json');
    if (!existsSync(coreIndex)) {
      throw new SchemaStoreError(
        `no schemas for Kubernetes ${kubernetesVersion} (${path.relative(repoRoot, coreIndex)} is missing); run \`gitops schemas sync\``,
      );
    }
    this.core = readJson(coreIndex);
    const crdIndex = path.join(this.crdDir, 'index.json');
    this.crds = existsSync(crdIndex) ? readJson(crdIndex) : {};
    // A caller's own ajv instance may be configured differently: its validators stay in memory.
    this.cache = ajv === undefined ? ValidatorCache.forRepo(repoRoot) : new ValidatorCache(null);
  }

  private readonly ajv = (): Ajv => {
    this.ajvInstance ??= createAjv();
    return this.ajvInstance;
  };

  /** Opens the store for a repository and Kubernetes version (reads only the two indexes). */
  static open(repoRoot: string, kubernetesVersion: string, ajv?: Ajv): SchemaStore {
    return new SchemaStore(repoRoot, kubernetesVersion, ajv);
  }

  /** For `summary.tools.schemas`. */
  get description(): string {
    return `kubernetes v${this.kubernetesVersion}`;
  }

  /** Whether the pinned Kubernetes version serves this apiVersion/kind (core APIs only). */
  hasCoreKind(apiVersion: string, kind: string): boolean {
    return Object.hasOwn(this.core, `${apiVersion}/${kind}`);
  }

  /** Converts the CustomResourceDefinitions among a target's objects. */
  targetCrds(objects: Array<Record<string, unknown>>): TargetCrds {
    const byKey = new Map<string, CrdVersionSchema>();
    const errors: TargetCrds['errors'] = [];
    for (const obj of objects) {
      if (!isCustomResourceDefinition(obj)) continue;
      const meta = obj.metadata as { name?: unknown } | undefined;
      const name = typeof meta?.name === 'string' ? meta.name : '(unnamed)';
      try {
        for (const s of crdToSchemas(obj)) byKey.set(`${s.apiVersion}/${s.kind}`, s);
      } catch (err) {
        if (err instanceof CrdConversionError) errors.push({ name, message: err.message });
        else throw err;
      }
    }
    return { byKey, errors };
  }

  resolve(apiVersion: string, kind: string, target?: TargetCrds): SchemaResolution {
    const key = `${apiVersion}/${kind}`;
    const core = Object.hasOwn(this.core, key) ? this.core[key] : undefined;
    if (core) return { status: 'found', key, source: 'kubernetes', file: path.join(this.coreDir, core.file) };
    const crd = Object.hasOwn(this.crds, key) ? this.crds[key] : undefined;
    if (crd) return { status: 'found', key, source: 'crd', file: path.join(this.crdDir, crd.file), scope: crd.scope };
    const own = target?.byKey.get(key);
    if (own) return { status: 'found', key, source: 'target-crd', file: null, scope: own.scope, crd: own };
    return { status: 'unknown', key, message: this.unknownMessage(apiVersion, kind, target) };
  }

  private unknownMessage(apiVersion: string, kind: string, target?: TargetCrds): string {
    const groupOf = (av: string): string => (av.includes('/') ? av.slice(0, av.indexOf('/')) : '');
    const group = groupOf(apiVersion);
    const apiVersionOf = (k: string): string => k.slice(0, k.lastIndexOf('/'));
    // Built-in groups are those the Kubernetes schemas serve; a *.k8s.io group that is not among
    // them (Gateway API, VPA, volume snapshots) belongs to CRDs.
    const builtinGroups = new Set(Object.keys(this.core).map((k) => groupOf(apiVersionOf(k))));
    const isCore = builtinGroups.has(group);
    const others = [
      ...Object.keys(this.core),
      ...Object.keys(this.crds),
      ...(target ? [...target.byKey.keys()] : []),
    ]
      // Versions of the same group; for an apiVersion without a group (v1), where the group was
      // likely left out, the kind's versions in every group. Never another named group's.
      .filter((k) => k.slice(k.lastIndexOf('/') + 1) === kind && (group === '' || groupOf(apiVersionOf(k)) === group))
      .map(apiVersionOf)
      .sort();
    if (others.length > 0) {
      return `${kind} ${apiVersion} is not ${isCore ? `served by Kubernetes ${this.kubernetesVersion}` : 'in the schema store'}; known versions: ${others.join(', ')}`;
    }
    if (isCore) return `${kind} ${apiVersion} is not an API of Kubernetes ${this.kubernetesVersion}`;
    const crdGroup = group.endsWith('.k8s.io') ? ` (${group} is not a built-in API group of Kubernetes ${this.kubernetesVersion}: its kinds come from CRDs)` : '';
    return `no schema for ${kind} ${apiVersion}${crdGroup}: not a vendored CRD (schemas/crds) and no CustomResourceDefinition for it in this target`;
  }

  /** The schema document of a resolution (read from disk for vendored schemas). */
  schemaOf(res: ResolvedSchema): JsonSchema {
    if (res.crd) return res.crd.schema;
    return readJson<JsonSchema>(res.file!);
  }

  /** The compiled validator of a resolution, compiled once per schema. */
  validator(res: ResolvedSchema): ValidateFunction {
    const cacheKey = res.crd ? `target:${res.key}:${sha256(JSON.stringify(res.crd.schema))}` : `file:${res.file}`;
    let v = this.validators.get(cacheKey);
    if (!v) {
      try {
        if (res.crd) {
          const crd = res.crd;
          v = this.cache.get(this.ajv, 'kubernetes', stableStringify(crd.schema), () => crd.schema);
        } else {
          const file = res.file!;
          let text: string;
          try {
            text = readFileSync(file, 'utf8');
          } catch (err) {
            throw new SchemaStoreError(`cannot read ${file}: ${(err as Error).message}`);
          }
          v = this.cache.get(this.ajv, 'kubernetes', text, () => {
            try {
              return JSON.parse(text) as JsonSchema;
            } catch (err) {
              throw new SchemaStoreError(`cannot read ${file}: ${(err as Error).message}`);
            }
          });
        }
      } catch (err) {
        if (err instanceof SchemaStoreError) throw err;
        throw new SchemaStoreError(`schema for ${res.key} does not compile: ${(err as Error).message}`);
      }
      this.validators.set(cacheKey, v);
    }
    return v;
  }

  private composeValidate: ValidateFunction | null = null;

  /**
   * Validates a compose file against the compose specification (schemas/compose/compose-spec.json,
   * from the compose-spec reference implementation). That schema is written in JSON Schema 2020-12
   * (`unevaluatedProperties`, `$defs`), so it gets ajv's 2020 dialect.
   */
  validateCompose(doc: unknown): SchemaError[] {
    if (this.composeValidate === null) {
      const file = path.join(path.dirname(this.crdDir), 'compose', 'compose-spec.json');
      if (!existsSync(file)) throw new SchemaStoreError(`no compose schema (${path.relative(this.repoRoot, file)} is missing); run \`gitops schemas sync\``);
      const text = readFileSync(file, 'utf8');
      const compose2020 = (): Ajv => {
        const { Ajv2020: Dialect } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
        const formats = require('ajv-formats') as { default?: AddFormats } & AddFormats;
        const ajv = new Dialect({ allErrors: true, strict: false, logger: false, verbose: true, code: { source: true } });
        (formats.default ?? formats)(ajv);
        return ajv as unknown as Ajv;
      };
      this.composeValidate = this.cache.get(compose2020, 'compose-2020', text, () => {
        const { $schema: _s, ...schema } = readJson<Record<string, unknown>>(file);
        return schema;
      });
    }
    const validate = this.composeValidate as ValidateFunction;
    return validate(doc) ? [] : formatAjvErrors(validate.errors ?? [], doc);
  }

  /** Validates one object with ajv. Never throws for bad input; see `status`. */
  validate(object: Record<string, unknown>, target?: TargetCrds): ValidationOutcome {
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      return {
        status: 'no-type',
        errors: [{ instancePath: '', message: 'object has no apiVersion or kind', keyword: 'required' }],
        resolution: null,
      };
    }
    const resolution = this.resolve(apiVersion, kind, target);
    if (resolution.status === 'unknown') {
      return { status: 'unknown-kind', errors: [{ instancePath: '', message: resolution.message, keyword: 'unknown-kind' }], resolution };
    }
    let validate: ValidateFunction;
    try {
      validate = this.validator(resolution);
    } catch (err) {
      return { status: 'schema-error', errors: [{ instancePath: '', message: (err as Error).message, keyword: 'schema' }], resolution };
    }
    const errors = validateWithValidator(validate, object);
    return { status: errors.length === 0 ? 'valid' : 'invalid', errors, resolution };
  }
}

