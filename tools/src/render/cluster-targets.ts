/**
 * validate's cluster stage: each cluster target (clusters/<name>) grows into the cluster's whole
 * state (what its Applications deploy: kustomize paths and rendered Helm charts), so schemas and
 * policies see chart objects next to our manifests. Findings on objects that another target
 * already reports (an overlay's own findings) are kept once, in that target.
 */
import type { FileCache } from '../util/cache.js';
import type { GateConfig } from '../util/config.js';
import { pinnedBinary, readPins, type KustomizeRunner } from '../maintain/tools.js';
import { SEVERITY_RANK, type Finding, type Resource, type Severity, type Target } from '../pipeline/types.js';
import type { Document } from '../pipeline/document.js';
import { repoUrlsOf } from '../policy/argocd.js';
import type { ChartStatus } from './cluster.js';

/** What the cluster stage needs of a loaded target (pipeline/run.ts LoadedTarget). */
export interface ClusterTargetLike {
  target: Target;
  documents: Document[];
  findings: Finding[];
  incomplete: boolean;
}

export function isClusterTarget(t: Target): boolean {
  return t.kind === 'kustomization' && /^clusters\/[^/]+$/.test(t.name);
}

export interface ClusterStageResult {
  charts: ChartStatus[];
  /** Cluster targets that were expanded (their Applications' charts are rendered or reported here). */
  expanded: Set<string>;
  /** summary.tools entries: helm, charts. */
  tools: Record<string, string>;
}

export async function expandClusterTargets(
  repoRoot: string,
  config: GateConfig,
  cache: FileCache,
  kustomize: KustomizeRunner | null,
  loaded: ClusterTargetLike[],
  requireCharts: boolean,
  /** The Document of an object the stage adds (the Kubernetes adapter, located for the target). */
  toDocument: (resource: Resource, lt: ClusterTargetLike) => Document,
  /** One line per cluster once its Applications are rendered (progress on stderr). */
  progress: (line: string) => void = () => {},
): Promise<ClusterStageResult> {
  const resourcesOf = (lt: ClusterTargetLike): Resource[] => lt.documents.filter((d) => d.resource !== null).map((d) => d.resource!);
  const clusters = loaded.filter((lt) => isClusterTarget(lt.target) && resourcesOf(lt).length > 0);
  const result: ClusterStageResult = { charts: [], expanded: new Set(), tools: {} };
  if (clusters.length === 0) return result;
  // Loaded only when a cluster is expanded: the Helm side is not needed by runs without clusters
  // (the pre-commit run for an overlay change).
  const { expandCluster } = await import('./cluster.js');
  const helm = pinnedBinary(repoRoot, 'helm');
  result.tools.helm = helm !== null ? `${readPins(repoRoot).helm?.version ?? ''} (binary)` : 'not installed';
  const rendered = new Map(loaded.filter((lt) => lt.target.kind === 'kustomization').map((lt) => [lt.target.name, resourcesOf(lt)]));
  const repoUrls = repoUrlsOf(config.policy);
  for (const [i, lt] of clusters.entries()) {
    const t0 = Date.now();
    const base = resourcesOf(lt);
    const state = await expandCluster(
      { repoRoot, clusterPath: lt.target.name, kubeVersion: config.kubernetesVersion, repoUrls, timeoutSeconds: config.render.timeoutSeconds, helm, kustomize, requireCharts, rendered, cache },
      base,
    );
    // The cluster's own objects keep their documents; what the Applications deploy is added.
    for (const o of state.objects.slice(base.length)) lt.documents.push(toDocument(o, lt));
    lt.findings.push(...state.findings);
    if (state.incomplete) lt.incomplete = true;
    result.charts.push(...state.charts);
    result.expanded.add(lt.target.name);
    const charts = state.charts.length === 0 ? '' : `, ${state.charts.filter((c) => c.rendered).length}/${state.charts.length} charts rendered`;
    progress(`[${i + 1}/${clusters.length}] cluster ${lt.target.name}: ${state.objects.length - base.length} objects its Applications deploy${charts} (${Date.now() - t0} ms)`);
  }
  const ok = result.charts.filter((c) => c.rendered).length;
  result.tools.charts = `${ok} rendered, ${result.charts.length - ok} unrendered (${result.expanded.size} clusters)`;
  return result;
}

function findingKey(f: Finding): string {
  const r = f.resource;
  const loc = f.location;
  return [f.ruleId, r ? `${r.kind}/${r.namespace ?? ''}/${r.name}` : '', loc ? `${loc.file}:${loc.line}:${loc.column}` : '', f.field ?? '', f.message].join('\u0000');
}

/** Drops a cluster target's findings that another target reports the same way. */
export function dropRepeatedClusterFindings(loaded: ClusterTargetLike[], expanded: Set<string>): void {
  const elsewhere = new Set(loaded.filter((lt) => !expanded.has(lt.target.name)).flatMap((lt) => lt.findings.map(findingKey)));
  for (const lt of loaded) {
    if (!expanded.has(lt.target.name)) continue;
    lt.findings = lt.findings.filter((f) => !elsewhere.has(findingKey(f)));
  }
}

/**
 * Caps the severity of policy findings on objects a Helm chart rendered (gitops.yaml
 * charts.maxPolicySeverity): third-party charts are adopted value by value, and until then their
 * findings are listed and counted as warnings rather than failing every run. Input, tool, schema
 * and chart findings keep their severity, and so do findings on our own objects.
 */
export function capChartFindings(loaded: ClusterTargetLike[], expanded: Set<string>, max: Severity | null): void {
  if (max === null || max === 'error') return;
  for (const lt of loaded) {
    if (!expanded.has(lt.target.name)) continue;
    const fromCharts = new Set(lt.documents.filter((d) => d.resource?.origin.chart).map((d) => refKey(d.resource!.ref)));
    for (const f of lt.findings) {
      if (f.resource === null || /^(input|tool|schema|charts|remote)\//.test(f.ruleId) || !fromCharts.has(refKey(f.resource))) continue;
      if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[max]) f.severity = max;
    }
  }
}

function refKey(r: { kind: string; namespace: string | null; name: string }): string {
  return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

/** charts.maxPolicySeverity of gitops.yaml (error, warning or info), or null when unset. */
export function chartsMaxSeverity(config: GateConfig): Severity | null {
  const v = ((config as unknown as { charts?: { maxPolicySeverity?: unknown } }).charts)?.maxPolicySeverity;
  return v === 'error' || v === 'warning' || v === 'info' ? v : null;
}

/**
 * Findings on objects a cluster pulls in from another kustomization root (the overlay its
 * Application deploys) belong to that root: they carry its name as target, so waivers scoped to it
 * apply and the report groups them where the objects are rendered.
 */
export function retargetPathFindings(loaded: ClusterTargetLike[], expanded: Set<string>): void {
  for (const lt of loaded) {
    if (!expanded.has(lt.target.name)) continue;
    const pathOf = new Map<string, string>();
    for (const d of lt.documents) {
      const o = d.resource as (Resource & { path?: string | null; application?: unknown; renderer?: string }) | null;
      if (o && o.renderer === 'kustomize' && o.application && o.path && o.path !== lt.target.name) pathOf.set(refKey(o.ref), o.path);
    }
    for (const f of lt.findings) {
      const p = f.resource ? pathOf.get(refKey(f.resource)) : undefined;
      if (p !== undefined) f.target = p;
    }
  }
}
