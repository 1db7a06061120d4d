/**
 * `--apiserver=apply`: the cluster's state applied for real on fake nodes (kwok), then watched
 * until every Deployment is Available, every StatefulSet Ready and every PersistentVolumeClaim
 * Bound. What never gets there is reported with the reason the cluster gives (conditions,
 * events such as FailedScheduling or FailedCreate).
 *
 * The real kube-controller-manager and kube-scheduler do the work; kwok only plays the kubelet
 * (node and pod status) and a volume provisioner, through the stages below.
 */
import type { Finding } from '../pipeline/types.js';
import type { KubeClient } from './client.js';
import { objectFinding, type ApiObject, type Locate } from './check.js';

/** The default StorageClass of the fake cluster; kwok binds its claims. */
export const STORAGE_CLASS = 'gitops-kwok';

/** Fake nodes: three zones, so spread constraints and anti-affinity can be satisfied. */
export const FAKE_NODES = ['zone-a', 'zone-b', 'zone-c'].map((zone, i) => ({ name: `kwok-node-${i}`, zone }));

/**
 * kwok's configuration: the stages that play the kubelet and a volume provisioner. Written for
 * this gate (Stage API of kwok v1alpha1): a node becomes Ready; a scheduled pod starts with every
 * container ready; a pod being deleted goes; an unbound claim gets a volume.
 */
export function kwokConfig(): string {
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: gitops-node-ready
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: NotIn
      values: ['True']
  next:
    statusTemplate: |
      conditions:
      - type: Ready
        status: "True"
        reason: KubeletReady
        message: kwok plays the kubelet
        lastHeartbeatTime: {{ Now | Quote }}
        lastTransitionTime: {{ Now | Quote }}
      phase: Running
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: gitops-pod-running
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.spec.nodeName'
      operator: Exists
    - key: '.status.phase'
      operator: In
      values: ['Pending']
  next:
    statusTemplate: |
      phase: Running
      startTime: {{ Now | Quote }}
      conditions:
      - {type: Initialized, status: "True", lastTransitionTime: {{ Now | Quote }}}
      - {type: ContainersReady, status: "True", lastTransitionTime: {{ Now | Quote }}}
      - {type: Ready, status: "True", lastTransitionTime: {{ Now | Quote }}}
      {{ range .spec.readinessGates }}
      - {type: {{ .conditionType | Quote }}, status: "True", lastTransitionTime: {{ Now | Quote }}}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: true
        started: true
        restartCount: 0
        state: {running: {startedAt: {{ Now | Quote }}}}
      {{ end }}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: true
        restartCount: 0
        state: {terminated: {exitCode: 0, reason: Completed, startedAt: {{ Now | Quote }}, finishedAt: {{ Now | Quote }}}}
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: gitops-pod-gone
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: Exists
  next:
    delete: true
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: gitops-claim-bound
spec:
  resourceRef: {apiGroup: v1, kind: PersistentVolumeClaim}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.spec.volumeName'
      operator: DoesNotExist
  steps:
  - apply:
      template: |
        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: kwok-{{ .metadata.uid }}
        spec:
          accessModes:
          {{ YAML .spec.accessModes 1 }}
          capacity:
            storage: {{ .spec.resources.requests.storage | Quote }}
          storageClassName: {{ or .spec.storageClassName "${STORAGE_CLASS}" | Quote }}
          persistentVolumeReclaimPolicy: Retain
          claimRef:
            apiVersion: v1
            kind: PersistentVolumeClaim
            namespace: {{ .metadata.namespace | Quote }}
            name: {{ .metadata.name | Quote }}
            uid: {{ .metadata.uid | Quote }}
          hostPath:
            path: /nonexistent/kwok-{{ .metadata.uid }}
  - patch:
      root: spec
      template: |
        volumeName: kwok-{{ .metadata.uid }}
  - patch:
      root: status
      subresource: status
      template: |
        phase: Bound
        accessModes:
        {{ YAML .spec.accessModes 1 }}
        capacity:
          storage: {{ .spec.resources.requests.storage | Quote }}
`;
}

/** The objects a fake cluster starts with: its nodes and the default StorageClass. */
export function fakeClusterObjects(): Array<Record<string, unknown>> {
  const nodes = FAKE_NODES.map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': n.zone, 'topology.kubernetes.io/region': 'loopback', type: 'kwok',
      },
    },
    spec: {},
    status: {
      capacity: { cpu: '64', memory: '256Gi', pods: '250', 'ephemeral-storage': '1Ti' },
      allocatable: { cpu: '64', memory: '256Gi', pods: '250', 'ephemeral-storage': '1Ti' },
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: n.name }],
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'kwok', kubeProxyVersion: 'kwok', containerRuntimeVersion: 'kwok', kernelVersion: 'kwok', osImage: 'kwok', machineID: '', systemUUID: '', bootID: '' },
    },
  }));
  const storageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'kwok.x-k8s.io/volume',
    volumeBindingMode: 'Immediate',
    reclaimPolicy: 'Retain',
  };
  return [...nodes, storageClass];
}

interface Condition { type: string; status: string; reason?: string; message?: string }

interface Workload {
  obj: ApiObject;
  kind: 'Deployment' | 'StatefulSet' | 'PersistentVolumeClaim';
  path: string;
  /** For a claim a StatefulSet creates: its name (the finding goes on the StatefulSet). */
  claim?: string;
}

function statusOf(live: Record<string, unknown> | null): Record<string, unknown> {
  return ((live?.status ?? {}) as Record<string, unknown>);
}

/** Whether the live object is where it should be; and if not, what it says about itself. */
export function readiness(kind: Workload['kind'], live: Record<string, unknown> | null): { ready: boolean; why: string } {
  if (live === null) return { ready: false, why: 'it does not exist' };
  const spec = (live.spec ?? {}) as Record<string, unknown>;
  const status = statusOf(live);
  const conditions = (status.conditions ?? []) as Condition[];
  const bad = conditions.filter((c) => c.status !== 'True' && c.message).map((c) => `${c.type}: ${c.message}`);
  if (kind === 'PersistentVolumeClaim') {
    return { ready: status.phase === 'Bound', why: `phase ${String(status.phase ?? 'Pending')}` };
  }
  const want = typeof spec.replicas === 'number' ? spec.replicas : 1;
  if (kind === 'Deployment') {
    const available = conditions.some((c) => c.type === 'Available' && c.status === 'True');
    const updated = Number(status.updatedReplicas ?? 0);
    const ok = available && updated >= want && Number(status.availableReplicas ?? 0) >= want;
    return { ready: ok, why: bad[0] ?? `${Number(status.availableReplicas ?? 0)}/${want} replicas available` };
  }
  const readyReplicas = Number(status.readyReplicas ?? 0);
  return { ready: readyReplicas >= want, why: bad[0] ?? `${readyReplicas}/${want} replicas ready` };
}

/** The latest warning events about the workload, its ReplicaSets and its pods. */
async function warningEvents(client: KubeClient, namespace: string, name: string): Promise<string[]> {
  const list = (await client.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`)) as
    { items?: Array<{ type?: string; reason?: string; message?: string; involvedObject?: { name?: string }; lastTimestamp?: string; eventTime?: string }> } | null;
  const related = (list?.items ?? []).filter((e) => e.type === 'Warning' && typeof e.involvedObject?.name === 'string' &&
    (e.involvedObject.name === name || e.involvedObject.name.startsWith(`${name}-`)));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of related.reverse()) {
    const line = `${e.reason ?? 'Warning'}: ${(e.message ?? '').trim()}`;
    if (seen.has(line)) continue;
    seen.add(line);
    out.push(line);
  }
  return out.slice(0, 3);
}

/**
 * Waits until every Deployment, StatefulSet and PVC of the cluster is ready, polling once a second,
 * then reports each one that is not (with its conditions and events) as `apiserver/not-ready`.
 */
export async function waitReady(client: KubeClient, objects: ApiObject[], locate: Locate, timeoutMs: number, progress?: (l: string) => void): Promise<{ findings: Finding[]; ready: number; total: number; summary: string }> {
  const workloads: Workload[] = [];
  for (const obj of objects) {
    const kind = obj.resource.ref.kind;
    if (kind !== 'Deployment' && kind !== 'StatefulSet' && kind !== 'PersistentVolumeClaim') continue;
    const where = await client.pathOf(obj.resource.object);
    if (where) workloads.push({ obj, kind, path: where.item });
    // The claims a StatefulSet makes from its volumeClaimTemplates: <template>-<set>-<ordinal>.
    if (kind === 'StatefulSet') {
      const spec = (obj.resource.object.spec ?? {}) as { replicas?: number; volumeClaimTemplates?: Array<{ metadata?: { name?: string } }> };
      const ns = encodeURIComponent(obj.resource.ref.namespace ?? 'default');
      for (const t of spec.volumeClaimTemplates ?? []) {
        for (let i = 0; i < (typeof spec.replicas === 'number' ? spec.replicas : 1); i += 1) {
          const claim = `${t.metadata?.name ?? ''}-${obj.resource.ref.name}-${i}`;
          workloads.push({ obj, kind: 'PersistentVolumeClaim', path: `/api/v1/namespaces/${ns}/persistentvolumeclaims/${encodeURIComponent(claim)}`, claim });
        }
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  let pending = workloads;
  let lastReport = 0;
  const last = new Map<Workload, { live: Record<string, unknown> | null; why: string }>();
  while (pending.length > 0) {
    const still: Workload[] = [];
    for (const w of pending) {
      const live = (await client.get(w.path)) as Record<string, unknown> | null;
      const r = readiness(w.kind, live);
      if (!r.ready) {
        still.push(w);
        last.set(w, { live, why: r.why });
      }
    }
    pending = still;
    if (pending.length === 0 || Date.now() > deadline) break;
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      progress?.(`apiserver: ${workloads.length - pending.length}/${workloads.length} workloads and claims ready`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const findings: Finding[] = [];
  for (const w of pending) {
    const ref = w.obj.resource.ref;
    const events = await warningEvents(client, ref.namespace ?? 'default', w.claim ?? ref.name);
    const why = [last.get(w)?.why ?? 'not ready', ...events].join('; ');
    const state = w.kind === 'PersistentVolumeClaim' ? 'Bound' : w.kind === 'Deployment' ? 'Available' : 'Ready';
    const what = w.claim ? `${ref.kind}/${ref.name}: its claim ${w.claim}` : `${ref.kind}/${ref.name}`;
    findings.push(objectFinding(w.obj, locate, 'apiserver/not-ready', 'error',
      `${what}: not ${state} after ${Math.round(timeoutMs / 1000)}s on the fake cluster: ${why}`, w.claim ? 'spec.volumeClaimTemplates' : null));
  }
  const count = (kind: Workload['kind']) => {
    const all = workloads.filter((w) => w.kind === kind);
    return `${all.filter((w) => !pending.includes(w)).length}/${all.length}`;
  };
  const summary = `${count('Deployment')} Deployments Available, ${count('StatefulSet')} StatefulSets Ready, ${count('PersistentVolumeClaim')} claims Bound`;
  return { findings, ready: workloads.length - pending.length, total: workloads.length, summary };
}
