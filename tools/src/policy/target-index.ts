/**
 * The target index: lookups that cross-resource rules would otherwise rebuild by scanning the
 * whole target once per evaluated object (which made one large target cubic). Computed here once
 * per target, in one pass, and handed to the policies as `data.index`; policies/lib/index.rego
 * defines the same index in Rego (used when `data.index` is absent, as in `opa test`), and
 * tools/test/policy/target-index.test.ts checks the two agree on every target of the repository.
 *
 * Every list holds indices into `data.target.resources`, ascending. The Rego definitions these
 * mirror (lib.kubernetes.namespace_of, is_workload, lib.wiring.group) are quoted beside each part.
 */
import { sortKeysDeep } from '../schema/json.js';

export interface TargetIndex {
  /** kind -> objects of that kind, in every namespace (string kinds). */
  by_kind: Record<string, number[]>;
  /** namespace -> kind -> objects of that kind in that namespace (string namespaces and kinds). */
  by_ns_kind: Record<string, Record<string, number[]>>;
  /** namespace -> workloads in it (objects of a pod-template kind). */
  workloads_by_ns: Record<string, number[]>;
  /** Namespace name -> first Namespace object of that name. */
  namespace_at: Record<string, number>;
  /**
   * Object index -> the namespaces whose namespace-level findings are reported on that object:
   * the namespace's Namespace object when declared, else its first workload (lib.wiring.anchor),
   * for every namespace that holds a workload.
   */
  anchored_at: Record<string, unknown[]>;
  /** Object index -> earlier objects with the same group, kind, namespace and name. */
  earlier_duplicates: Record<string, number[]>;
}

/** lib.kubernetes.pod_spec_paths: the kinds that carry a pod template. */
const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);

const MISSING = Symbol('missing');

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** object.get(o, ["metadata", key], fallback) */
function metadataField(o: Record<string, unknown>, key: string): unknown {
  const m = o.metadata;
  return isObject(m) && Object.hasOwn(m, key) ? m[key] : MISSING;
}

/** lib.kubernetes.namespace_of: object.get(obj, ["metadata", "namespace"], "") */
function namespaceOf(o: Record<string, unknown>): unknown {
  const ns = metadataField(o, 'namespace');
  return ns === MISSING ? '' : ns;
}

/** A key under which Rego's == holds exactly for equal JSON values. */
function valueKey(v: unknown): string {
  return JSON.stringify(sortKeysDeep(v));
}

/** lib.wiring.group: "" for the core group, else the part before the slash; undefined for a non-string. */
function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function push<T>(map: Record<string, T[]>, key: string, value: T): void {
  (map[key] ??= []).push(value);
}

export function targetIndex(resources: ReadonlyArray<Record<string, unknown>>): TargetIndex {
  const index: TargetIndex = { by_kind: {}, by_ns_kind: {}, workloads_by_ns: {}, namespace_at: {}, anchored_at: {}, earlier_duplicates: {} };
  // Namespace values of any JSON type, by valueKey: first Namespace object, first workload.
  const namespaceObject = new Map<string, number>();
  const firstWorkload = new Map<string, { ns: unknown; at: number }>();
  const identities = new Map<string, number[]>();
  resources.forEach((o, i) => {
    if (!isObject(o)) return;
    const ns = namespaceOf(o);
    const kind = o.kind;
    if (typeof kind === 'string') push(index.by_kind, kind, i);
    if (typeof ns === 'string' && typeof kind === 'string') push(index.by_ns_kind[ns] ??= {}, kind, i);
    if (typeof kind === 'string' && WORKLOAD_KINDS.has(kind)) {
      if (typeof ns === 'string') push(index.workloads_by_ns, ns, i);
      const key = valueKey(ns);
      if (!firstWorkload.has(key)) firstWorkload.set(key, { ns, at: i });
    }
    const name = metadataField(o, 'name');
    if (kind === 'Namespace' && name !== MISSING) {
      const key = valueKey(name);
      if (!namespaceObject.has(key)) namespaceObject.set(key, i);
      if (typeof name === 'string' && !Object.hasOwn(index.namespace_at, name)) index.namespace_at[name] = i;
    }
    // k8s.duplicates identity: [group(apiVersion), kind, namespace_of(o), metadata.name]
    const group = groupOf(o.apiVersion);
    if (group !== undefined && kind !== undefined && name !== MISSING) {
      const key = valueKey([group, kind, ns, name]);
      const earlier = identities.get(key);
      if (earlier) index.earlier_duplicates[String(i)] = [...earlier];
      identities.set(key, [...(earlier ?? []), i]);
    }
  });
  for (const [key, { ns, at }] of firstWorkload) {
    const anchor = namespaceObject.get(key) ?? at;
    push(index.anchored_at, String(anchor), ns);
  }
  return index;
}
