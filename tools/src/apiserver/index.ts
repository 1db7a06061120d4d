/**
 * The API server stage of `gitops validate --apiserver[=apply]`: starts a loopback control
 * plane, installs the pinned CRDs, sends each cluster's state to it (check.ts), waits for
 * readiness in apply mode (apply.ts), and stops everything, whatever happens, within the stage's
 * time limit. Returns findings; never prints.
 */
import { ToolError } from '../util/errors.js';
import { pinnedBinary, readPins, toolsFor, type ToolName } from '../maintain/tools.js';
import type { Finding } from '../pipeline/types.js';
import { FAKE_NODES, fakeClusterObjects, kwokConfig, waitReady } from './apply.js';
import { checkCluster, installCrds, resetNamespaces, type ClusterState, type Locate } from './check.js';
import { ControlPlane, type ControlPlaneBinaries } from './cluster.js';
import { readCrdBundle } from './crds.js';
import { stableStringify } from '../schema/json.js';

export type ApiserverMode = 'dry-run' | 'apply';

export { type ApiObject, type ClusterState, type Locate } from './check.js';

export interface ApiserverSettings {
  /** Limit for the whole stage (start, CRDs, every cluster, readiness). */
  timeoutSeconds: number;
  /** In apply mode: how long workloads get to become ready, per cluster. */
  readyTimeoutSeconds: number;
}

export interface ApiserverStageOptions {
  repoRoot: string;
  mode: ApiserverMode;
  clusters: ClusterState[];
  locate: Locate;
  settings: ApiserverSettings;
  progress?: (line: string) => void;
}

export interface ApiserverStageResult {
  findings: Finding[];
  /** The stage could not check everything (missing tool, a failed start, the time limit). */
  incomplete: boolean;
  /** For summary.tools. */
  tool: string;
}

function toolFinding(ruleId: string, message: string): Finding {
  return { ruleId, severity: 'error', message, target: '.', resource: null, location: null, field: null };
}

/** The mode's binaries; what tools/versions.json says the mode needs (neededBy) must all be built. */
function binaries(repoRoot: string, mode: ApiserverMode): ControlPlaneBinaries {
  const needed = toolsFor(repoRoot, [mode === 'apply' ? 'apiserver-apply' : 'apiserver']);
  const found = new Map(needed.map((name) => [name, pinnedBinary(repoRoot, name)]));
  const missing = needed.filter((name) => found.get(name) === null);
  if (missing.length > 0) {
    throw new ToolError('apiserver', `--apiserver${mode === 'apply' ? '=apply' : ''} needs ${missing.join(', ')} in .tools/bin: run 'npx gitops setup ${needed.join(' ')}' (needs Go)`);
  }
  // Each is needed by the mode (versions.json neededBy), so each was found.
  const bin = (name: ToolName): string => found.get(name) ?? pinnedBinary(repoRoot, name) ?? '';
  const out: ControlPlaneBinaries = { etcd: bin('etcd'), kubeApiserver: bin('kube-apiserver') };
  if (mode === 'apply') {
    out.kubeControllerManager = bin('kube-controller-manager');
    out.kubeScheduler = bin('kube-scheduler');
    out.kwok = bin('kwok');
  }
  return out;
}

/**
 * The pinned CRDs whose kinds the clusters use: installing a CRD costs the server real work
 * (OpenAPI, CEL), and one nobody uses changes no verdict.
 */
export function crdsInUse(crds: Array<Record<string, unknown>>, clusters: ClusterState[]): Array<Record<string, unknown>> {
  const used = new Set<string>();
  for (const c of clusters) {
    for (const o of [...c.objects.map((x) => x.resource.object), ...(c.base ?? [])]) {
      used.add(`${String(o.apiVersion).split('/')[0]}/${String(o.kind)}`);
    }
  }
  return crds.filter((crd) => {
    const spec = (crd.spec ?? {}) as { group?: string; names?: { kind?: string } };
    return used.has(`${spec.group}/${spec.names?.kind}`);
  });
}

export async function runApiserverStage(opts: ApiserverStageOptions): Promise<ApiserverStageResult> {
  const pins = readPins(opts.repoRoot);
  const tool = `kube-apiserver ${pins['kube-apiserver']?.version ?? '?'}, etcd ${pins.etcd?.version ?? '?'}${opts.mode === 'apply' ? `, kwok ${pins.kwok?.version ?? '?'}` : ''} (${opts.mode})`;
  const progress = opts.progress ?? (() => {});
  const findings: Finding[] = [];
  let bins: ControlPlaneBinaries;
  let crds: Array<Record<string, unknown>>;
  try {
    bins = binaries(opts.repoRoot, opts.mode);
    crds = readCrdBundle(opts.repoRoot);
  } catch (err) {
    return { findings: [toolFinding('tool/apiserver', (err as Error).message)], incomplete: true, tool };
  }
  const used = crdsInUse(crds, opts.clusters);
  const limitMs = opts.settings.timeoutSeconds * 1000;
  const deadline = Date.now() + limitMs;
  const remaining = (): number => Math.max(1, deadline - Date.now());
  let plane: ControlPlane | null = null;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;

  const start = async (): Promise<ControlPlane> => {
    const p = await ControlPlane.start({
      binaries: bins, controllers: opts.mode === 'apply', startTimeoutMs: Math.min(remaining(), 120_000),
      kwokConfig: kwokConfig(), progress,
    });
    plane = p;
    if (timedOut) throw new ToolError('apiserver-timeout', 'time limit');
    const t0 = Date.now();
    const installed = await installCrds(p.client, used, Math.min(remaining(), 120_000));
    if (installed.problems.length > 0) {
      throw new ToolError('apiserver-crds', `the pinned CRDs could not be installed: ${installed.problems.slice(0, 3).join('; ')}`);
    }
    progress(`apiserver: ${installed.installed} pinned CRDs installed (${Date.now() - t0} ms)`);
    if (opts.mode === 'apply') {
      for (const o of fakeClusterObjects()) {
        const r = await p.client.apply(o, false);
        if (r.status >= 300) throw new ToolError('apiserver', `could not create ${String(o.kind)} of the fake cluster: HTTP ${r.status}`);
      }
      // kwok plays the kubelet: until it marks the nodes Ready nothing can run, and a kwok (or
      // controller) that does not work must fail the stage, not the user's Deployments.
      await p.waitUntil(async () => fakeNodesReady(p.client), 'kwok to make the fake nodes Ready', Math.min(remaining(), 60_000));
    }
    return p;
  };

  const work = async (): Promise<void> => {
    // A fresh control plane per cluster when anything but Namespaces is created for real
    // (apply mode, a base revision); else one plane, its namespaces cleared between clusters. A
    // cluster's own CRDs are created for real too: the next cluster shares the plane only when it
    // declares each of them identically (else it could use a kind only the previous one defines,
    // or meet the previous one's version of a pinned CRD).
    const freshEach = opts.mode === 'apply' || opts.clusters.some((c) => (c.base?.length ?? 0) > 0);
    let keep: Set<string> | null = null;
    let left = new Map<string, string>();
    let cleared = true;
    for (const cluster of opts.clusters) {
      const own = declaredCrds(cluster);
      const stale = !cleared || [...left].some(([name, spec]) => own.get(name) !== spec);
      if (plane === null || freshEach || stale) {
        if (plane !== null) await (plane as ControlPlane).stop();
        plane = null;
        plane = await start();
        keep = new Set(((await plane.client.get('/api/v1/namespaces')) as { items?: Array<{ metadata: { name: string } }> } | null)?.items?.map((n) => n.metadata.name) ?? []);
      }
      const p: ControlPlane = plane;
      const t0 = Date.now();
      const checked = await checkCluster(p.client, cluster, opts.locate, opts.mode === 'apply');
      left = own;
      findings.push(...checked.findings);
      progress(`apiserver: ${cluster.name}: ${checked.applied} applied, ${checked.dryRun} dry-run, ${checked.skipped} skipped (webhooks, APIServices, Gatekeeper constraints), ${checked.findings.filter((f) => f.severity === 'error').length} rejected (${Date.now() - t0} ms)`);
      if (opts.mode === 'apply') {
        const ready = await waitReady(p.client, cluster.objects, opts.locate, Math.min(remaining(), opts.settings.readyTimeoutSeconds * 1000), progress);
        findings.push(...ready.findings);
        progress(`apiserver: ${cluster.name}: ${ready.summary}`);
        findings.push({
          ruleId: 'apiserver/readiness', severity: 'info', message: `${cluster.name}: applied on kwok nodes: ${ready.summary}`,
          target: cluster.objects[0]?.target ?? cluster.name, resource: null, location: null, field: null,
        });
      } else if (!freshEach && keep !== null) {
        // A namespace that does not go away would stand in for a missing one of the next cluster.
        cleared = await resetNamespaces(p.client, keep);
      }
    }
  };

  // On the time limit the current plane is stopped at once, which makes the work fail fast; the
  // stage then waits for it to settle, so nothing it started outlives the stage.
  const running = work();
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve();
    }, limitMs);
  });
  const timeLimit = (): Finding => toolFinding('tool/apiserver-timeout',
    `the API server stage did not finish within ${opts.settings.timeoutSeconds}s (apiserver.timeoutSeconds in gitops.yaml)`);
  try {
    await Promise.race([running, limit]);
    if (!timedOut) return { findings, incomplete: false, tool };
    if (plane !== null) await (plane as ControlPlane).stop();
    await running.catch(() => undefined);
    findings.push(timeLimit());
  } catch (err) {
    // The work failed; when the limit had struck, that is the reason (the stopped plane the symptom).
    if (timedOut) {
      findings.push(timeLimit());
    } else {
      const detail = err instanceof ToolError && err.stderr ? ` (control plane log: ${err.stderr.split('\n').slice(-3).join(' | ')})` : '';
      findings.push(toolFinding('tool/apiserver', `${(err as Error).message}${detail}`));
    }
  } finally {
    clearTimeout(timer);
    if (plane !== null) await (plane as ControlPlane).stop();
  }
  return { findings, incomplete: true, tool };
}

/** The CustomResourceDefinitions a cluster's state declares, by name, with their content. */
function declaredCrds(cluster: ClusterState): Map<string, string> {
  return new Map(cluster.objects
    .filter((o) => o.resource.ref.kind === 'CustomResourceDefinition')
    .map((o) => [o.resource.ref.name, stableStringify(o.resource.object)]));
}

/** Whether every fake node reports Ready=True. */
async function fakeNodesReady(client: ControlPlane['client']): Promise<boolean> {
  for (const n of FAKE_NODES) {
    const node = (await client.get(`/api/v1/nodes/${n.name}`)) as { status?: { conditions?: Array<{ type: string; status: string }> } } | null;
    if (!node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return false;
  }
  return true;
}
