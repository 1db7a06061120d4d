/**
 * What a real kube-apiserver says about a cluster's state. For each cluster:
 *   1. with a base revision (--since), its objects are applied for real first, so that changes to
 *      immutable fields are judged as the update they are;
 *   2. Namespaces and CustomResourceDefinitions are applied for real (everything else needs them);
 *   3. everything else is applied as a server-side dry-run (or for real, to wait for readiness),
 *      except webhook configurations and APIServices, which have no backends here.
 * Each rejection becomes a finding `apiserver/<reason>` on the object and field the server names.
 *
 * The input is a list of objects with their origin (ApiObject), so any renderer can feed a
 * cluster's whole state in; the caller maps fields to file:line (`locate`).
 */
import type { Finding, Location, RelatedLocation, Resource, Severity } from '../pipeline/types.js';
import { isStatus, type ApiResponse, type ApiStatus, type KubeClient } from './client.js';
import { mapLimit } from '../util/pool.js';

/** The info that a cluster's base revision is (partly) missing, `why`: its immutable-field changes are not checked. */
export function baseNotChecked(cluster: string, why: string): Finding {
  return { ruleId: 'apiserver/base-not-rendered', severity: 'info', message: `${why}: immutable-field changes of these objects are not checked`, target: cluster, resource: null, location: null, field: null };
}

export interface ApiObject {
  resource: Resource;
  /** The report's target of the object (e.g. overlays/prod). */
  target: string;
}

export interface ClusterState {
  /** A name for progress lines (e.g. prod). */
  name: string;
  objects: ApiObject[];
  /** Objects of the base revision, applied for real first (--since). */
  base?: Array<Record<string, unknown>>;
  /**
   * Other objects of the same cluster that the run does not check (a partial run): read only for
   * the namespaces they imply (Argo CD Applications creating their destinations).
   */
  context?: Array<Record<string, unknown>>;
}

export type Locate = (obj: ApiObject, field: string | null) => { location: Location | null; related: RelatedLocation[] };

/** Kinds never sent to the server: their backends do not exist here, so they would only break it. */
export const SKIPPED_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService']);

/**
 * API groups whose kinds only exist once a controller that does not run here creates their CRDs:
 * Gatekeeper turns each ConstraintTemplate into a CRD of constraints.gatekeeper.sh at runtime.
 */
export const SKIPPED_GROUPS = new Set(['constraints.gatekeeper.sh']);

function skipped(obj: Record<string, unknown>): boolean {
  return SKIPPED_KINDS.has(String(obj.kind)) || SKIPPED_GROUPS.has(String(obj.apiVersion).split('/')[0]!);
}

/** Kinds applied for real in every mode: the other objects need them to exist. */
const PREREQUISITE_KINDS = new Set(['Namespace', 'CustomResourceDefinition']);

/** The order `kubectl apply` users rely on: what others refer to first. */
const KIND_ORDER = [
  'Namespace', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass', 'ResourceQuota', 'LimitRange',
  'NetworkPolicy', 'ServiceAccount', 'Secret', 'ConfigMap', 'PersistentVolume', 'PersistentVolumeClaim',
  'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'PodDisruptionBudget',
  'DaemonSet', 'Pod', 'ReplicaSet', 'Deployment', 'StatefulSet', 'HorizontalPodAutoscaler', 'Job', 'CronJob',
  'Ingress',
];

export function applyOrder(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

const ARGO_KINDS = new Set(['Application', 'ApplicationSet', 'AppProject']);

/**
 * Namespaces a cluster has without declaring them: Argo CD's own (where its Applications and
 * AppProjects live; its bootstrap creates it) and the destinations Argo CD creates
 * (`syncOptions: [CreateNamespace=true]`).
 */
export function impliedNamespaces(objects: Array<Record<string, unknown>>): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    if (!String(o.apiVersion).startsWith('argoproj.io/') || !ARGO_KINDS.has(String(o.kind))) continue;
    const ns = (o.metadata as { namespace?: unknown } | undefined)?.namespace;
    if (typeof ns === 'string' && ns !== '') out.add(ns);
    const spec = (o.spec ?? {}) as { destination?: { namespace?: unknown }; syncPolicy?: { syncOptions?: unknown } };
    const options = Array.isArray(spec.syncPolicy?.syncOptions) ? spec.syncPolicy.syncOptions : [];
    if (o.kind === 'Application' && options.includes('CreateNamespace=true') && typeof spec.destination?.namespace === 'string') out.add(spec.destination.namespace);
  }
  return [...out].sort();
}

/** Reasons with a rule id of their own (report/catalogue.ts); any other is apiserver/rejected. */
const KNOWN_REASONS = new Set(['invalid', 'required', 'duplicate', 'not-supported', 'forbidden', 'too-long', 'too-many', 'type-invalid', 'not-found', 'bad-request', 'conflict']);

/** FieldValueInvalid -> invalid, FieldValueTooLong -> too-long: the rule id part of a reason. */
export function reasonId(reason: string | undefined): string {
  const r = (reason ?? 'Unknown').replace(/^FieldValue/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return KNOWN_REASONS.has(r) ? r : 'rejected';
}

function describe(o: Record<string, unknown>): string {
  const meta = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(o.kind)}/${meta.name ?? ''}`;
}

/**
 * A label or annotation problem is reported on the whole map; the value (or key) the message
 * quotes names the entry, so the finding can point at its line.
 */
export function refineField(obj: Record<string, unknown>, field: string, message: string): string {
  if (!/(^|\.)(labels|annotations|matchLabels|selector|nodeSelector)$/.test(field)) return field;
  const quoted = /Invalid value: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  if (quoted === undefined) return field;
  let node: unknown = obj;
  for (const seg of field.split('.')) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return field;
  const map = node as Record<string, unknown>;
  const key = Object.keys(map).find((k) => k === quoted) ?? Object.keys(map).find((k) => map[k] === quoted);
  return key === undefined ? field : `${field}.${key}`;
}

/**
 * A finding on an object the API server judged, at the line `locate` maps `field` to (with the
 * related locations: the resource, the patch, the kustomization that rendered it).
 */
export function objectFinding(obj: ApiObject, locate: Locate, ruleId: string, severity: Severity, message: string, field: string | null): Finding {
  const mapped = locate(obj, field);
  const f: Finding = { ruleId, severity, message, target: obj.target, resource: obj.resource.ref, location: mapped.location, field };
  if (mapped.related.length > 0) f.related = mapped.related;
  return f;
}

/** The findings of one rejected request. */
export function rejectionFindings(obj: ApiObject, res: ApiResponse, locate: Locate, verb: string): Finding[] {
  const o = obj.resource.object;
  const what = describe(o);
  const status: ApiStatus = isStatus(res.body)
    ? res.body
    : { kind: 'Status', message: typeof res.body === 'string' ? res.body.trim().slice(0, 300) : `HTTP ${res.status}`, reason: `HTTP${res.status}` };
  const causes = (status.details?.causes ?? []).filter((c) => c.message);
  const make = (ruleId: string, message: string, field: string | null): Finding => objectFinding(obj, locate, ruleId, 'error', message, field);
  if (causes.length === 0) {
    const message = (status.message ?? '').replace(/^.*? is invalid: /, '');
    return [make(`apiserver/${reasonId(status.reason)}`, `${what}: ${verb} rejected: ${message}`, null)];
  }
  return causes.map((c) => {
    const rawField = c.field && c.field !== '<nil>' ? c.field.replace(/^\./, '') : null;
    const field = rawField === null ? null : refineField(o, rawField, c.message ?? '');
    const immutable = /immutable/.test(c.message ?? '');
    const ruleId = immutable ? 'apiserver/immutable' : `apiserver/${reasonId(c.reason)}`;
    return make(ruleId, `${what}: ${rawField ? `${rawField}: ` : ''}${c.message}`, field);
  });
}

export function warningFindings(obj: ApiObject, res: ApiResponse, locate: Locate): Finding[] {
  return res.warnings.map((w) => objectFinding(obj, locate, 'apiserver/warning', 'info', `${describe(obj.resource.object)}: the API server warns: ${w}`, null));
}

/**
 * Waits until the kinds of these CRDs are served (in discovery, which is what a request for one
 * of their objects needs); returns the names of the CRDs whose kinds are still missing. Discovery
 * of a group version is small, unlike the CRD objects, so polling it stays cheap.
 */
export async function waitEstablished(client: KubeClient, crds: Array<Record<string, unknown>>, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const wanted = new Map<string, Array<{ name: string; kind: string }>>();
  for (const crd of crds) {
    const spec = (crd.spec ?? {}) as { group?: string; names?: { kind?: string }; versions?: Array<{ name: string; served?: boolean }> };
    for (const v of spec.versions ?? []) {
      if (v.served === false) continue;
      const gv = `${spec.group}/${v.name}`;
      wanted.set(gv, [...(wanted.get(gv) ?? []), { name: String((crd.metadata as { name?: string })?.name), kind: String(spec.names?.kind) }]);
    }
  }
  let pending = [...wanted.keys()];
  for (;;) {
    const still: string[] = [];
    await mapLimit(pending, 8, async (gv) => {
      const served = await client.resources(gv, true);
      if (!served || wanted.get(gv)!.some((k) => !served.has(k.kind))) still.push(gv);
    });
    pending = still;
    if (pending.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  client.forgetDiscovery();
  return [...new Set(pending.flatMap((gv) => wanted.get(gv)!.map((k) => k.name)))];
}

export interface InstallResult {
  installed: number;
  problems: string[];
}

/** Installs CRDs for real (server-side apply) and waits until they are served. */
export async function installCrds(client: KubeClient, crds: Array<Record<string, unknown>>, timeoutMs = 60_000): Promise<InstallResult> {
  const problems: string[] = [];
  const names: string[] = [];
  const created: Array<Record<string, unknown>> = [];
  await mapLimit(crds, 8, async (crd) => {
    const r = await client.apply(crd, false);
    if (r.status >= 300) problems.push(`${describe(crd)}: ${isStatus(r.body) ? r.body.message : `HTTP ${r.status}`}`);
    else {
      names.push(String((crd.metadata as { name: string }).name));
      created.push(crd);
    }
  });
  const late = await waitEstablished(client, created, timeoutMs);
  for (const n of late) problems.push(`CustomResourceDefinition/${n} was not established within ${Math.round(timeoutMs / 1000)}s`);
  return { installed: names.length - late.length, problems };
}

export interface ClusterCheck {
  findings: Finding[];
  /** Objects sent to the server (applied or dry-run), per kind of request. */
  applied: number;
  dryRun: number;
  skipped: number;
}

/**
 * Sends one cluster's state to the server. `forReal`: everything is applied (the apply mode);
 * otherwise only the prerequisites are, and the rest is a dry-run.
 */
export async function checkCluster(client: KubeClient, state: ClusterState, locate: Locate, forReal: boolean): Promise<ClusterCheck> {
  const out: ClusterCheck = { findings: [], applied: 0, dryRun: 0, skipped: 0 };

  // 1. The base revision, for real; what fails there is the base's problem, not this change's,
  // but the objects it could not create are not compared against it: said as an info.
  if (state.base && state.base.length > 0) {
    const base = state.base.filter((o) => !skipped(o)).sort((a, b) => applyOrder(String(a.kind)) - applyOrder(String(b.kind)));
    const prereq = base.filter((o) => PREREQUISITE_KINDS.has(String(o.kind)));
    const refused: string[] = [];
    /** Whether the server created it (a refusal is noted). */
    const applyBase = async (o: Record<string, unknown>): Promise<boolean> => {
      const r = await client.apply(o, false);
      if (r.status < 300) return true;
      refused.push(`${describe(o)} (${r.unknownKind ? 'unknown kind' : isStatus(r.body) ? r.body.message : `HTTP ${r.status}`})`);
      return false;
    };
    // Only the CRDs the server took are waited for: a refused one is noted once, and never
    // becomes established.
    const baseCrds: Array<Record<string, unknown>> = [];
    for (const o of prereq) if ((await applyBase(o)) && o.kind === 'CustomResourceDefinition') baseCrds.push(o);
    if (baseCrds.length > 0) {
      for (const n of await waitEstablished(client, baseCrds, 30_000)) refused.push(`CustomResourceDefinition/${n} (not established within 30s)`);
    }
    await mapLimit(base.filter((o) => !PREREQUISITE_KINDS.has(String(o.kind))), 8, applyBase);
    if (refused.length > 0) {
      out.findings.push(baseNotChecked(state.name, `${state.name}: ${refused.length} object(s) of the base revision were not created (${refused.slice(0, 3).join('; ')}${refused.length > 3 ? '; ...' : ''})`));
    }
  }

  const objects = state.objects.filter((o) => {
    if (skipped(o.resource.object)) {
      out.skipped += 1;
      return false;
    }
    return true;
  }).sort((a, b) => applyOrder(a.resource.ref.kind) - applyOrder(b.resource.ref.kind));

  /** Sends one object; whether the server accepted it (a refusal becomes findings). */
  const send = async (obj: ApiObject, real: boolean): Promise<boolean> => {
    const r = await client.apply(obj.resource.object, !real);
    if (real) out.applied += 1;
    else out.dryRun += 1;
    if (r.unknownKind) {
      out.findings.push(objectFinding(obj, locate, 'apiserver/unknown-kind', 'error',
        `${describe(obj.resource.object)}: the API server serves no kind ${obj.resource.ref.kind} in ${obj.resource.ref.apiVersion} (no CRD installed for it)`, 'kind'));
      return false;
    }
    if (r.status >= 300) {
      out.findings.push(...rejectionFindings(obj, r, locate, real ? 'apply' : 'dry-run'));
      return false;
    }
    out.findings.push(...warningFindings(obj, r, locate));
    return true;
  };

  // 2. Prerequisites for real, in order: first the namespaces the state implies but does not
  // declare, then the declared Namespaces and CRDs.
  const declared = new Set(objects.filter((o) => o.resource.ref.kind === 'Namespace').map((o) => o.resource.ref.name));
  for (const ns of impliedNamespaces([...objects.map((o) => o.resource.object), ...(state.context ?? [])])) {
    if (!declared.has(ns)) await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, false);
  }
  if (state.base) {
    for (const ns of impliedNamespaces(state.base)) await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, false);
  }
  const prereq = objects.filter((o) => PREREQUISITE_KINDS.has(o.resource.ref.kind));
  // A rejected CRD is reported already: only the accepted ones are waited for.
  const crds: Array<Record<string, unknown>> = [];
  for (const o of prereq) if ((await send(o, true)) && o.resource.ref.kind === 'CustomResourceDefinition') crds.push(o.resource.object);
  if (crds.length > 0) await waitEstablished(client, crds, 30_000);

  // 3. The rest: in dependency order when for real (a quota before the pods it limits), in
  // parallel for a dry-run, which changes nothing.
  const rest = objects.filter((o) => !PREREQUISITE_KINDS.has(o.resource.ref.kind));
  if (forReal) {
    const byOrder = new Map<number, ApiObject[]>();
    for (const o of rest) {
      const k = applyOrder(o.resource.ref.kind);
      byOrder.set(k, [...(byOrder.get(k) ?? []), o]);
    }
    for (const k of [...byOrder.keys()].sort((a, b) => a - b)) await mapLimit(byOrder.get(k)!, 8, (o) => send(o, true));
  } else {
    await mapLimit(rest, 8, (o) => send(o, false));
  }
  return out;
}

/**
 * Removes what a dry-run check left (its Namespaces), so the next cluster starts from nothing
 * but the pinned CRDs (and the CRDs both declare, index.ts). Without a namespace controller the
 * namespaces are finalized directly; they are empty because nothing but the namespaces was
 * created for real. False when one of them is still there: the next cluster needs a fresh plane.
 */
export async function resetNamespaces(client: KubeClient, keep: Set<string>): Promise<boolean> {
  const list = (await client.get('/api/v1/namespaces')) as { items?: Array<{ metadata: { name: string } }> } | null;
  if (list === null) return false;
  let cleared = true;
  for (const ns of list.items ?? []) {
    const name = ns.metadata.name;
    if (keep.has(name)) continue;
    await client.raw('DELETE', `/api/v1/namespaces/${name}`);
    const current = (await client.get(`/api/v1/namespaces/${name}`)) as Record<string, unknown> | null;
    if (current) {
      const spec = { ...((current.spec ?? {}) as Record<string, unknown>), finalizers: [] };
      await client.raw('PUT', `/api/v1/namespaces/${name}/finalize`, JSON.stringify({ ...current, spec }));
      if ((await client.raw('GET', `/api/v1/namespaces/${name}`)).status !== 404) cleared = false;
    }
  }
  return cleared;
}
