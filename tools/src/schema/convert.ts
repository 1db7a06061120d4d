/**
 * CustomResourceDefinition → JSON Schema (draft-07), shared by the generator (`schemas sync`) and
 * by the schema store for CRDs defined in the target being validated.
 *
 * A CRD version's `openAPIV3Schema` is a Kubernetes *structural schema* (OpenAPI v3.0 subset plus
 * `x-kubernetes-*` extensions). Both ajv and kubeconform read draft-07, so the differences are
 * translated here:
 * - `nullable: true` adds "null" to `type` (and to `enum`).
 * - `x-kubernetes-int-or-string: true` becomes `type: ["integer", "string"]`: the same set of values
 *   as `anyOf: [{type: integer}, {type: string}]`, without an anyOf error cascade.
 * - `x-kubernetes-preserve-unknown-fields: true` keeps the node open (unknown fields allowed);
 *   every other object node that lists `properties` is closed with `additionalProperties: false`,
 *   because the API server would prune (and `kubectl --validate=strict` reject) unknown fields.
 *   Nodes inside allOf/anyOf/oneOf/not are value validations on the same object and are never
 *   closed, or a branch like `{required: [a]}` would reject every sibling field.
 * - OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07's numbers.
 * - `x-kubernetes-embedded-resource: true` adds apiVersion, kind and metadata, as the API server does.
 * - `apiVersion` and `kind` at the root are pinned with `enum`, and `metadata` gets a closed
 *   ObjectMeta schema (a typo such as `metadata.lables` is an error).
 * CEL rules (`x-kubernetes-validations`) and list-type extensions are dropped: neither engine runs them.
 */

import { CrdConversionError } from '../util/errors.js';
import { createHash } from 'node:crypto';

export type JsonSchema = Record<string, unknown>;

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export interface CrdVersionSchema {
  group: string;
  kind: string;
  version: string;
  /** `<group>/<version>` */
  apiVersion: string;
  scope: 'Namespaced' | 'Cluster';
  /** Name of the CustomResourceDefinition (`<plural>.<group>`). */
  crdName: string;
  schema: JsonSchema;
}

const COPIED = [
  'description',
  'title',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'default',
] as const;

const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A closed schema for `metadata` of an object (fields of meta/v1 ObjectMeta). */
export function objectMetaSchema(): JsonSchema {
  const str = { type: 'string' };
  const strOrNull = { type: ['string', 'null'] };
  const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
  return {
    type: 'object',
    description: 'Standard object metadata (meta/v1 ObjectMeta).',
    additionalProperties: false,
    properties: {
      annotations: stringMap,
      creationTimestamp: strOrNull,
      deletionGracePeriodSeconds: { type: 'integer' },
      deletionTimestamp: strOrNull,
      finalizers: { type: 'array', items: str },
      generateName: str,
      generation: { type: 'integer' },
      labels: stringMap,
      managedFields: { type: 'array', items: { type: 'object' } },
      name: str,
      namespace: str,
      ownerReferences: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['apiVersion', 'kind', 'name', 'uid'],
          properties: {
            apiVersion: str,
            blockOwnerDeletion: { type: 'boolean' },
            controller: { type: 'boolean' },
            kind: str,
            name: str,
            uid: str,
          },
        },
      },
      resourceVersion: str,
      selfLink: str,
      uid: str,
    },
  };
}

function addNull(schema: JsonSchema): void {
  const type = schema.type;
  if (typeof type === 'string') schema.type = type === 'null' ? type : [type, 'null'];
  else if (Array.isArray(type) && !type.includes('null')) schema.type = [...type, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
}

/**
 * Converts one structural-schema node. `closable` is false inside allOf/anyOf/oneOf/not, where a
 * node only adds constraints to the object its parent describes.
 */
export function openApiV3ToJsonSchema(node: unknown, closable = true): JsonSchema {
  if (!isObject(node)) return {};
  const out: JsonSchema = {};
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const embedded = node['x-kubernetes-embedded-resource'] === true;

  if (intOrString) out.type = ['integer', 'string'];
  else if (typeof node.type === 'string' && node.type !== '') out.type = node.type;

  for (const key of COPIED) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (Array.isArray(node.enum)) out.enum = node.enum;
  if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required;

  if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
    out.exclusiveMinimum = node.minimum;
    delete out.minimum;
  } else if (typeof node.exclusiveMinimum === 'number') out.exclusiveMinimum = node.exclusiveMinimum;
  if (node.exclusiveMaximum === true && typeof node.maximum === 'number') {
    out.exclusiveMaximum = node.maximum;
    delete out.maximum;
  } else if (typeof node.exclusiveMaximum === 'number') out.exclusiveMaximum = node.exclusiveMaximum;

  let properties: Record<string, JsonSchema> | undefined;
  if (isObject(node.properties)) {
    properties = {};
    for (const [name, child] of Object.entries(node.properties)) {
      properties[name] = openApiV3ToJsonSchema(child, true);
    }
  }
  if (embedded && closable) {
    properties ??= {};
    properties.apiVersion ??= { type: 'string' };
    properties.kind ??= { type: 'string' };
    properties.metadata = objectMetaSchema();
  }
  if (properties) out.properties = properties;

  if (isObject(node.items)) out.items = openApiV3ToJsonSchema(node.items, true);
  if (isObject(node.additionalProperties)) {
    out.additionalProperties = openApiV3ToJsonSchema(node.additionalProperties, true);
  } else if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  }

  for (const junctor of JUNCTORS) {
    const branches = node[junctor];
    if (Array.isArray(branches)) out[junctor] = branches.map((b) => openApiV3ToJsonSchema(b, false));
  }
  if (isObject(node.not)) out.not = openApiV3ToJsonSchema(node.not, false);

  if (node.nullable === true) addNull(out);

  if (preserve) {
    // Unknown fields are kept by the API server: leave the node open. A typed-less preserve node
    // (e.g. an arbitrary JSON value) accepts anything.
    if (out.additionalProperties === false) delete out.additionalProperties;
  } else if (closable && properties && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** Converts one CRD version's schema into a root schema for objects of that kind. */
export function crdVersionToJsonSchema(
  openAPIV3Schema: unknown,
  apiVersion: string,
  kind: string,
): JsonSchema {
  const root = isObject(openAPIV3Schema)
    ? openApiV3ToJsonSchema(openAPIV3Schema, true)
    : { type: 'object' };
  const properties: Record<string, unknown> = isObject(root.properties) ? { ...root.properties } : {};
  properties.apiVersion = { type: 'string', enum: [apiVersion] };
  properties.kind = { type: 'string', enum: [kind] };
  properties.metadata = objectMetaSchema();
  const open = isObject(openAPIV3Schema) && openAPIV3Schema['x-kubernetes-preserve-unknown-fields'] === true;
  const required = new Set<string>(['apiVersion', 'kind']);
  if (Array.isArray(root.required)) for (const r of root.required) if (typeof r === 'string') required.add(r);
  const schema: JsonSchema = {
    ...root,
    $schema: DRAFT_07,
    type: 'object',
    properties,
    required: [...required].sort(),
  };
  if (open) delete schema.additionalProperties;
  else schema.additionalProperties = false;
  return factorRepeatedSubschemas(schema);
}

/**
 * Moves subschemas that occur more than once (and are at least `minChars` long as JSON) into
 * `definitions`, referenced with `$ref`. CRDs such as Argo CD's ApplicationSet repeat the same
 * large subtree many times (the Application template under every generator); factoring it out
 * keeps the file smaller and lets ajv compile it once instead of once per copy (10 s → well
 * under 1 s for ApplicationSet). Only structural positions (properties, items,
 * additionalProperties) are factored, never branches of allOf/anyOf/oneOf/not, and names are
 * content hashes, so the output does not depend on traversal order.
 */
export function factorRepeatedSubschemas(schema: JsonSchema, minChars = 500): JsonSchema {
  const text = new Map<unknown, string>();
  const canon = (node: unknown): string => {
    if (node === null || typeof node !== 'object') return JSON.stringify(node);
    const memo = text.get(node);
    if (memo !== undefined) return memo;
    const out = Array.isArray(node)
      ? `[${node.map(canon).join(',')}]`
      : `{${Object.keys(node)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canon((node as Record<string, unknown>)[k])}`)
          .join(',')}}`;
    text.set(node, out);
    return out;
  };
  const counts = new Map<string, number>();
  const visitStructural = (node: unknown, fn: (child: JsonSchema) => void): void => {
    if (!isObject(node)) return;
    if (isObject(node.properties)) for (const c of Object.values(node.properties)) if (isObject(c)) fn(c);
    if (isObject(node.items)) fn(node.items);
    if (isObject(node.additionalProperties)) fn(node.additionalProperties);
  };
  const count = (node: JsonSchema): void => {
    const key = canon(node);
    if (key.length >= minChars) counts.set(key, (counts.get(key) ?? 0) + 1);
    visitStructural(node, count);
  };
  visitStructural(schema, count);
  const repeated = new Set([...counts].filter(([, n]) => n > 1).map(([k]) => k));
  if (repeated.size === 0) return schema;

  const definitions: Record<string, JsonSchema> = {};
  const nameOf = (key: string): string => `s${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  const rewrite = (node: JsonSchema): JsonSchema => {
    const out: JsonSchema = { ...node };
    const swap = (child: JsonSchema): JsonSchema => {
      const key = canon(child);
      if (repeated.has(key)) {
        const name = nameOf(key);
        if (!definitions[name]) {
          definitions[name] = {}; // placeholder: guards against re-entry
          definitions[name] = rewrite(child);
        }
        return { $ref: `#/definitions/${name}` };
      }
      return rewrite(child);
    };
    if (isObject(node.properties)) {
      const props: Record<string, unknown> = {};
      for (const [k, c] of Object.entries(node.properties)) props[k] = isObject(c) ? swap(c) : c;
      out.properties = props;
    }
    if (isObject(node.items)) out.items = swap(node.items);
    if (isObject(node.additionalProperties)) out.additionalProperties = swap(node.additionalProperties);
    return out;
  };
  const root = rewrite(schema);
  return { ...root, definitions };
}

export function isCustomResourceDefinition(object: Record<string, unknown>): boolean {
  return object.kind === 'CustomResourceDefinition' && object.apiVersion === 'apiextensions.k8s.io/v1';
}

/**
 * Every served version of a CRD (apiextensions.k8s.io/v1) as a JSON Schema. Throws
 * CrdConversionError when the object is not a usable CRD (no group, kind or versions).
 */
export function crdToSchemas(crd: Record<string, unknown>): CrdVersionSchema[] {
  const metadata = isObject(crd.metadata) ? crd.metadata : {};
  const crdName = typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
  if (!isCustomResourceDefinition(crd)) {
    throw new CrdConversionError(`${crdName}: not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
  }
  const spec = isObject(crd.spec) ? crd.spec : undefined;
  const group = spec && typeof spec.group === 'string' ? spec.group : undefined;
  const names = spec && isObject(spec.names) ? spec.names : undefined;
  const kind = names && typeof names.kind === 'string' ? names.kind : undefined;
  const versions = spec && Array.isArray(spec.versions) ? spec.versions : undefined;
  if (!group || !kind || !versions || versions.length === 0) {
    throw new CrdConversionError(`CustomResourceDefinition ${crdName}: spec.group, spec.names.kind and spec.versions are required`);
  }
  const scope = spec?.scope === 'Cluster' ? 'Cluster' : 'Namespaced';
  const out: CrdVersionSchema[] = [];
  for (const v of versions) {
    if (!isObject(v) || typeof v.name !== 'string') {
      throw new CrdConversionError(`CustomResourceDefinition ${crdName}: a version has no name`);
    }
    if (v.served === false) continue;
    const apiVersion = `${group}/${v.name}`;
    const validation = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    out.push({
      group,
      kind,
      version: v.name,
      apiVersion,
      scope,
      crdName,
      schema: crdVersionToJsonSchema(validation, apiVersion, kind),
    });
  }
  return out;
}

/** kubeconform's file name for a CRD schema: `<group>/<kind>_<version>.json`, kind lowercased. */
export function crdSchemaRelPath(group: string, kind: string, version: string): string {
  return `${group}/${kind.toLowerCase()}_${version}.json`;
}

