/**
 * The Kubernetes input adapter: from parsed YAML documents to Kubernetes resources with their
 * origin (rendered kustomize output with origin annotations, and plain manifest files alike), and
 * from a resource to its Document (located through the source map).
 */
import path from 'node:path';
import { parse } from 'yaml';
import type { Document } from '../pipeline/document.js';
import type { RelatedLocation, Resource, ResourceRef, SourceOrigin, Location } from '../pipeline/types.js';
import type { SchemaError } from '../schema/ajv.js';

// Kustomize writes the same few origin/transformation annotation texts on many objects: each
// distinct text is parsed once per process. Callers only read the parsed values.
const annotationValues = new Map<string, unknown>();
function parseYamlValue(text: string): unknown {
  if (!annotationValues.has(text)) annotationValues.set(text, parse(text));
  return annotationValues.get(text);
}
import type { YamlDoc, YamlProblem } from '../util/yaml.js';

const ORIGIN = 'config.kubernetes.io/origin';
const TRANSFORMATIONS = 'alpha.config.kubernetes.io/transformations';

/** Scopes of the built-in kinds that are cluster-wide (resource.namespace is null for them). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'RuntimeClass',
  'IngressClass', 'CSIDriver', 'VolumeSnapshotClass', 'ClusterIssuer', 'ClusterSecretStore',
  'ClusterExternalSecret', 'ConstraintTemplate',
]);

export function refOf(obj: Record<string, unknown>): ResourceRef {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  const kind = String(obj.kind);
  const ns = typeof meta.namespace === 'string' && !CLUSTER_SCOPED.has(kind) ? meta.namespace : null;
  return { apiVersion: String(obj.apiVersion), kind, namespace: ns, name: typeof meta.name === 'string' ? meta.name : '' };
}

export interface DocProblem extends YamlProblem {
  ruleId: string;
}

function checkObject(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `a manifest document must be a mapping with apiVersion and kind, found ${Array.isArray(value) ? 'a list' : `a ${typeof value === 'string' ? 'string' : 'scalar'}`}`;
  }
  const obj = value as Record<string, unknown>;
  const missing = ['apiVersion', 'kind'].filter((k) => typeof obj[k] !== 'string' || obj[k] === '');
  if (missing.length > 0) return `document has no ${missing.join(' and no ')}: every manifest needs apiVersion and kind`;
  return null;
}

/** Resources of a plain manifest file (a List document expands into its items). */
export function resourcesFromDocs(docs: YamlDoc[], absFile: string): { resources: Resource[]; problems: DocProblem[] } {
  const resources: Resource[] = [];
  const problems: DocProblem[] = [];
  for (const doc of docs) {
    const bad = checkObject(doc.value);
    if (bad !== null) {
      problems.push({ ruleId: bad.startsWith('document has no') ? 'input/missing-kind' : 'input/not-an-object', message: bad, line: doc.line, column: doc.column });
      continue;
    }
    const obj = doc.value as Record<string, unknown>;
    const origin = (listItem?: number): SourceOrigin => ({
      file: absFile, docIndex: doc.index, transformedBy: [], generator: null, ...(listItem === undefined ? {} : { listItem }),
    });
    if (/List$/.test(String(obj.kind)) && Array.isArray(obj.items)) {
      (obj.items as unknown[]).forEach((item, i) => {
        const itemBad = checkObject(item);
        if (itemBad !== null) {
          problems.push({ ruleId: 'input/missing-kind', message: `items[${i}]: ${itemBad}`, line: doc.line, column: doc.column });
          return;
        }
        const o = item as Record<string, unknown>;
        resources.push({ object: o, ref: refOf(o), origin: origin(i) });
      });
      continue;
    }
    resources.push({ object: obj, ref: refOf(obj), origin: origin() });
  }
  return { resources, problems };
}

/** Resources of rendered kustomize output: origin annotations read, resolved and stripped. */
export function resourcesFromRender(docs: Array<Pick<YamlDoc, 'value'>>, wrapperDir: string, targetKustomization: string): Resource[] {
  const out: Resource[] = [];
  for (const doc of docs) {
    if (checkObject(doc.value) !== null) continue;
    const obj = doc.value as Record<string, unknown>;
    const meta = (obj.metadata ?? {}) as Record<string, unknown>;
    const annotations = { ...((meta.annotations ?? {}) as Record<string, string>) };
    const originText = annotations[ORIGIN];
    const transText = annotations[TRANSFORMATIONS];
    delete annotations[ORIGIN];
    delete annotations[TRANSFORMATIONS];
    const newMeta: Record<string, unknown> = { ...meta };
    if (Object.keys(annotations).length > 0) newMeta.annotations = annotations;
    else delete newMeta.annotations;
    const object = { ...obj, metadata: newMeta };

    let file = targetKustomization;
    let generator: SourceOrigin['generator'] = null;
    if (typeof originText === 'string') {
      const o = (parseYamlValue(originText) ?? {}) as { path?: string; configuredIn?: string; configuredBy?: { kind?: string; name?: string } };
      if (o.path) file = path.resolve(wrapperDir, o.path);
      else if (o.configuredIn) {
        file = path.resolve(wrapperDir, o.configuredIn);
        generator = { kind: o.configuredBy?.kind ?? 'Generator', name: String((obj.metadata as { name?: string }).name ?? '') };
      }
    }
    const transformedBy: string[] = [];
    if (typeof transText === 'string') {
      const list = (parseYamlValue(transText) ?? []) as Array<{ configuredIn?: string }>;
      for (const t of list) {
        if (!t.configuredIn) continue;
        const abs = path.resolve(wrapperDir, t.configuredIn);
        if (!transformedBy.includes(abs)) transformedBy.push(abs);
      }
    }
    out.push({ object, ref: refOf(object), origin: { file, docIndex: null, transformedBy, generator } });
  }
  return out;
}

/**
 * The name of the container a field path of `object` lies in
 * (`spec.template.spec.containers[1].image` -> the second container's name), or null.
 */
export function containerOf(object: Record<string, unknown>, field: string | null): string | null {
  const m = field === null ? null : /^(.*?(?:containers|initContainers|ephemeralContainers))\[(\d+)\]/.exec(field);
  if (!m) return null;
  let node: unknown = object;
  for (const key of m[1]!.split('.')) node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  const item = Array.isArray(node) ? node[Number(m[2])] : undefined;
  const name = item !== null && typeof item === 'object' ? (item as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : null;
}

/** The Document of a Kubernetes object; `map` is the source map of its target (field -> file:line). */
export function kubernetesDocument(resource: Resource, map: (field: string | null) => { location: Location; related: RelatedLocation[] }): Document {
  return {
    kind: 'kubernetes',
    file: resource.origin.file,
    input: { kind: 'kubernetes', resource: resource.object },
    resource,
    locate(field) {
      const mapped = map(field);
      return { ...mapped, resource: resource.ref, field, container: containerOf(resource.object, field) };
    },
    schemaMessage(e: SchemaError) {
      return `${resource.ref.kind}/${resource.ref.name}: ${e.instancePath ? `${e.instancePath}: ` : ''}${e.message}`;
    },
  };
}
