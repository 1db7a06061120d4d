/**
 * The keys under which a run finds the verdicts of earlier runs (util/results.ts): each is the
 * digest of everything the verdict depends on, so that a hit is exactly what the stage would
 * compute again. A verdict whose inputs cannot be named completely gets no key (null) and is
 * always computed.
 */
import type { PolicyEngine } from '../policy/evaluate.js';
import type { SchemaStore, TargetCrds } from '../schema/store.js';
import { stableStringify } from '../schema/json.js';
import { digest, type ResultCache } from '../util/results.js';

const digests = new WeakMap<object, string>();

/** The digest of a JSON value (an object, a policy input), computed once per value. */
function objectDigest(value: object): string {
  let d = digests.get(value);
  if (d === undefined) {
    d = digest(JSON.stringify(value));
    digests.set(value, d);
  }
  return d;
}

/** What the schema of `object` is made of: the vendored file's bytes, or the target CRD's schema. */
function schemaIdentity(results: ResultCache, store: SchemaStore, object: Record<string, unknown>, crds: TargetCrds): string | null {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return null;
  const res = store.resolve(apiVersion, kind, crds);
  // An unknown kind costs nothing to judge again, and its message lists the whole store.
  if (res.status !== 'found') return null;
  if (res.crd) return `target-crd ${res.key} ${objectDigest(res.crd.schema)}`;
  const file = results.fileDigest(res.file!);
  return file === null ? null : `${res.source} ${res.key} ${file}`;
}

/** ajv's verdict on an object: the object and its schema. */
export function schemaVerdictKey(results: ResultCache, store: SchemaStore, object: Record<string, unknown>, crds: TargetCrds): string | null {
  if (!results.enabled) return null;
  const schema = schemaIdentity(results, store, object, crds);
  return schema === null ? null : results.key('ajv', store.description, schema, objectDigest(object));
}

/** kubeconform's verdict on an object: the object, its schema and the kubeconform binary. */
export function kubeconformVerdictKey(results: ResultCache, store: SchemaStore, bin: string, object: Record<string, unknown>, crds: TargetCrds): string | null {
  if (!results.enabled) return null;
  const schema = schemaIdentity(results, store, object, crds);
  if (schema === null) return null;
  const stamp = results.fileStamp(bin);
  if (stamp === null) return null;
  // Every target CRD is a schema location of the process: they are part of the verdict.
  const located = stableStringify([...crds.byKey.keys()].sort());
  return results.key('kubeconform', bin, stamp, store.description, schema, located, objectDigest(object));
}

/**
 * What every policy verdict of a target depends on besides the document: the bundle and the
 * settings (engine.fingerprint), the repository facts, the target's name, environment and
 * objects, and the objects of its environment.
 */
export function policyTargetKey(
  results: ResultCache,
  engine: PolicyEngine,
  target: { name: string; env: string | null },
  resources: Array<Record<string, unknown>>,
  environment: Array<Record<string, unknown>>,
): string {
  return results.key(
    'policy',
    engine.fingerprint,
    JSON.stringify([target.name, target.env]),
    resources.map(objectDigest).join(','),
    environment.map(objectDigest).join(','),
  );
}

/**
 * The key of the verdict of the object-scoped rules (policy/scope.ts) on a document: the document
 * without its position in the target, the bundle and settings, the target's name and env.
 */
export function policyObjectKey(results: ResultCache, engine: PolicyEngine, target: { name: string; env: string | null }, input: Record<string, unknown>): string {
  return results.key('policy-object', engine.objectFingerprint, JSON.stringify([target.name, target.env]), inputDigest(input, false));
}

/**
 * The digest of a policy input, with its position in the target (`index`) or without. A
 * Kubernetes input ({kind, resource, index}) reuses its object's digest (the schema verdict's key
 * took it already); any other input is digested whole.
 */
function inputDigest(input: Record<string, unknown>, withIndex: boolean): string {
  const { index, ...rest } = input;
  const place = withIndex ? JSON.stringify(index ?? null) : '';
  if (rest.kind === 'kubernetes' && Object.keys(rest).length === 2 && rest.resource !== null && typeof rest.resource === 'object') {
    return digest('kubernetes', objectDigest(rest.resource), place);
  }
  return digest(JSON.stringify(rest), place);
}

/** The key of the verdict of `scope` (the target-scoped rules, or all) on a document of a target keyed `targetKey`. */
export function policyDocumentKey(results: ResultCache, targetKey: string, scope: 'target' | 'all', input: Record<string, unknown>): string {
  return results.key(targetKey, scope, inputDigest(input, true));
}

/**
 * The key of a finding's location (locate/sourcemap.ts) on a rendered resource: the repository
 * (display paths), the target's kustomization, the resource (object, name, origin) and the field.
 * The files the mapping read are checked apart, by their digests (rememberedLocation).
 */
export function locationKey(
  results: ResultCache,
  repoRoot: string,
  targetFile: string | null,
  resource: { object: Record<string, unknown>; ref: unknown; origin: unknown },
  field: string | null,
): string {
  return results.key('location', repoRoot, JSON.stringify(targetFile), objectDigest(resource.object), JSON.stringify(resource.ref), JSON.stringify(resource.origin), JSON.stringify(field));
}
