/**
 * A cluster's whole desired state, as its Argo CD builds it: the cluster's kustomization (the root
 * app-of-apps and what apps/<cluster> brings in), then, for every Application found, each source:
 * a path of this repository rendered with kustomize, a pinned Helm chart rendered with helm from
 * the chart cache (never downloaded here), Applications found in those renders in turn. Each object
 * keeps where it came from (file, Application, chart and template).
 *
 * Pure: returns objects and findings; never prints, never throws on bad input.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot, loadConfig } from '../util/config.js';
import { kustomizationDeps, kustomizationFile, renderResources } from '../render/kustomize.js';
import { refOf } from '../inputs/kubernetes.js';
import { mapLocation } from '../locate/sourcemap.js';
import { displayPath } from '../util/paths.js';
import { FileCache } from '../util/cache.js';
import { repoUrlsOf } from '../policy/argocd.js';
import { sourcesOf } from '../util/application.js';
import { pinnedBinary, readPins, resolveKustomize, type KustomizeRunner } from '../maintain/tools.js';
import type { Finding, Resource, Severity } from '../pipeline/types.js';
import { asObject } from '../util/yaml.js';
import { findLockEntry, readChartsLock, type ChartsLock } from './helm-lock.js';
import { resolveCachedChart } from './helm-sources.js';
import { renderHelmSource, type ChartOrigin } from './helm.js';

/** An object of the cluster's state and how it got there. */
export interface ClusterObject extends Resource {
  /** The Application that deploys it (null: the cluster's kustomization itself, applied by hand). */
  application: Resource['ref'] | null;
  renderer: 'kustomize' | 'helm';
  /** Repository path rendered with kustomize (clusters/prod, overlays/prod), or null for charts. */
  path: string | null;
  chart: ChartOrigin | null;
}

export interface ChartStatus {
  application: string;
  chart: string;
  version: string;
  repoURL: string;
  rendered: boolean;
  source: 'pulled' | 'offline' | null;
  objects: number;
  reason: string | null;
}

export interface ClusterRenderOptions {
  repoRoot: string;
  /** clusters/<name> as a repository-relative path. */
  clusterPath: string;
  kubeVersion: string;
  repoUrls: string[];
  timeoutSeconds: number;
  /** helm binary, or null when not installed (every chart is then unrendered, said so). */
  helm: string | null;
  kustomize: KustomizeRunner | null;
  /** Treat an unrendered chart as an error that makes the run incomplete. */
  requireCharts?: boolean;
  /** Other cache folder for charts (gitops diff renders a base tree with the working tree's cache). */
  cacheDir?: string;
  /** Already rendered repository paths (validate's targets), reused instead of rendering again. */
  rendered?: Map<string, Resource[]>;
  cache?: FileCache;
}

export interface ClusterState {
  cluster: string;
  objects: ClusterObject[];
  charts: ChartStatus[];
  findings: Finding[];
  incomplete: boolean;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function normalizeUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
}

/** Group/versions (and group/version/Kind) the cluster serves beyond the built-in APIs: vendored CRDs plus CRDs in the state. */
export function apiVersionsFor(repoRoot: string, objects: Array<{ object: Record<string, unknown> }>): string[] {
  const out = new Set<string>();
  try {
    const index = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/crds/index.json'), 'utf8')) as Record<string, unknown>;
    for (const key of Object.keys(index)) {
      const [group, version, kind] = key.split('/');
      out.add(`${group}/${version}`);
      out.add(`${group}/${version}/${kind}`);
    }
  } catch {
    /* no vendored CRDs: built-in APIs only */
  }
  for (const { object } of objects) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    const spec = asObject(object.spec) ?? {};
    const group = str(spec.group);
    const kind = str(asObject(spec.names)?.kind);
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      const name = str(asObject(v)?.name);
      if (group && name) {
        out.add(`${group}/${name}`);
        if (kind) out.add(`${group}/${name}/${kind}`);
      }
    }
  }
  return [...out].sort();
}

/** Kinds that are cluster-scoped, from the vendored CRD index and the CRDs in the state. */
function clusterScopedKinds(repoRoot: string, objects: Array<{ object: Record<string, unknown> }>): Set<string> {
  const out = new Set<string>();
  try {
    const index = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/crds/index.json'), 'utf8')) as Record<string, { scope?: string }>;
    for (const [key, v] of Object.entries(index)) if (v.scope === 'Cluster') out.add(key.split('/')[2]!);
  } catch {
    /* none */
  }
  for (const { object } of objects) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    const spec = asObject(object.spec) ?? {};
    const kind = str(asObject(spec.names)?.kind);
    if (kind && spec.scope === 'Cluster') out.add(kind);
  }
  return out;
}

const ANNOTATION = 'gitops.funlynk.com';

/**
 * The object with the annotations policies read to know who deploys it (argocd/project-destinations):
 * gitops.funlynk.com/application (namespace/name of the Application) and, for chart objects,
 * gitops.funlynk.com/chart (`<chart> <version> from <repository> (<offline|pulled>)`).
 */
function withDeployer(object: Record<string, unknown>, app: Resource, chart: ChartOrigin | null): Record<string, unknown> {
  const meta = asObject(object.metadata) ?? {};
  const notes: Record<string, string> = { ...((asObject(meta.annotations) as Record<string, string>) ?? {}) };
  notes[`${ANNOTATION}/application`] = `${app.ref.namespace ?? ''}/${app.ref.name}`;
  if (chart) notes[`${ANNOTATION}/chart`] = `${chart.chart} ${chart.version} from ${chart.repoURL} (${chart.chartSource})`;
  return { ...object, metadata: { ...meta, annotations: notes } };
}

/** The object with annotations saying where it came from (for `gitops render` output). */
export function annotated(repoRoot: string, o: ClusterObject): Record<string, unknown> {
  const meta = { ...(asObject(o.object.metadata) ?? {}) };
  const notes: Record<string, string> = { ...((asObject(meta.annotations) as Record<string, string>) ?? {}) };
  if (o.application) notes[`${ANNOTATION}/application`] = `${o.application.namespace ?? ''}/${o.application.name}`;
  if (o.chart) {
    notes[`${ANNOTATION}/chart`] = `${o.chart.chart} ${o.chart.version} from ${o.chart.repoURL} (${o.chart.chartSource})`;
    notes[`${ANNOTATION}/release`] = `${o.chart.namespace}/${o.chart.releaseName}`;
    if (o.chart.template) notes[`${ANNOTATION}/template`] = o.chart.template;
    notes[`${ANNOTATION}/source`] = `${displayPath(repoRoot, o.chart.app.origin.file)} ${o.chart.sourceField}`;
    const files = o.chart.layers.filter((l) => l.kind === 'valueFile').map((l) => displayPath(repoRoot, l.file));
    if (files.length > 0) notes[`${ANNOTATION}/values`] = files.join(', ');
  } else {
    notes[`${ANNOTATION}/source`] = displayPath(repoRoot, o.origin.file);
    if (o.path) notes[`${ANNOTATION}/path`] = o.path;
  }
  meta.annotations = notes;
  return { ...o.object, metadata: meta };
}

/**
 * Expands a cluster from the objects of its kustomization (already rendered): every Application's
 * sources. `base` are those objects (with their kustomize origin).
 */
export async function expandCluster(opts: ClusterRenderOptions, base: Resource[]): Promise<ClusterState> {
  const { repoRoot, clusterPath } = opts;
  const cache = opts.cache ?? new FileCache();
  const own = new Set(opts.repoUrls.map(normalizeUrl));
  const isOwn = (url: string | null): boolean => url !== null && own.has(normalizeUrl(url));
  const findings: Finding[] = [];
  let incomplete = false;
  let lock: ChartsLock | null = null;
  let lockError: string | null = null;
  try {
    lock = readChartsLock(repoRoot);
  } catch (err) {
    lockError = (err as Error).message;
    incomplete = true;
    findings.push({ ruleId: 'input/charts-lock', severity: 'error', message: lockError, target: clusterPath, resource: null, location: { file: 'charts.lock.json', line: 1, column: 1 }, field: null });
  }
  const clusterDir = path.resolve(repoRoot, clusterPath);
  // Paths the cluster's kustomization already includes (apps/<cluster> through the root).
  const included = new Set(
    kustomizationDeps(clusterDir, cache)
      .filter((d) => d.role === 'kustomization')
      .map((d) => displayPath(repoRoot, path.dirname(d.file))),
  );
  const objects: ClusterObject[] = base.map((r) => ({ ...r, application: null, renderer: 'kustomize', path: clusterPath, chart: null }));
  const charts: ChartStatus[] = [];
  const at = (app: Resource, field: string, ruleId: string, severity: Severity, message: string): Finding => {
    const mapped = mapLocation(repoRoot, cache, app, field, null);
    const f: Finding = { ruleId, severity, message, target: clusterPath, resource: app.ref, location: mapped.location, field };
    if (mapped.related.length > 0) f.related = mapped.related;
    return f;
  };
  const seenApps = new Set<string>();
  const queue: Resource[] = [...base];
  const apiVersions = apiVersionsFor(repoRoot, base);
  while (queue.length > 0) {
    const app = queue.shift()!;
    if (app.ref.kind !== 'Application' || !app.ref.apiVersion.startsWith('argoproj.io/')) continue;
    const key = `${app.ref.namespace ?? ''}/${app.ref.name}`;
    if (seenApps.has(key)) continue;
    seenApps.add(key);
    const name = `Application/${app.ref.name}`;
    const destNs = str(asObject(asObject(app.object.spec)?.destination)?.namespace);
    const sources = sourcesOf(app.object);
    for (const s of sources) {
      const chart = str(s.source.chart);
      const repoURL = str(s.source.repoURL);
      if (chart !== null) {
        const version = s.source.targetRevision === undefined || s.source.targetRevision === null ? '' : String(s.source.targetRevision);
        const status: ChartStatus = { application: key, chart, version, repoURL: repoURL ?? '', rendered: false, source: null, objects: 0, reason: null };
        charts.push(status);
        if (lock === null) {
          status.reason = `charts.lock.json cannot be read: ${lockError}`;
          continue;
        }
        const entry = findLockEntry(lock, repoURL ?? '', chart, version);
        if (entry === null) {
          status.reason = 'no entry in charts.lock.json';
          findings.push(at(app, `${s.field}.targetRevision`, 'charts/not-locked', 'error',
            `${name}: Helm chart ${chart} ${version || '(no version)'} from ${repoURL ?? '(no repoURL)'} has no entry in charts.lock.json: add one (docs/charts.md) so the gate knows where to get it and what content to expect`));
          continue;
        }
        const resolved = resolveCachedChart(repoRoot, entry, opts.cacheDir);
        const unrendered = (reason: string): void => {
          status.reason = reason;
          if (opts.requireCharts) incomplete = true;
          findings.push(at(app, `${s.field}.chart`, 'charts/unrendered', opts.requireCharts ? 'error' : 'warning',
            `${name}: Helm chart ${chart} ${version} is not rendered, so its objects are not checked: ${reason}`));
        };
        if (!resolved.ok) {
          unrendered(resolved.reason);
          continue;
        }
        if (opts.helm === null) {
          unrendered(`helm ${readPins(repoRoot).helm?.version ?? ''} is not installed in .tools/bin: run 'npx gitops setup'`);
          continue;
        }
        const spec = { app, sourceField: s.field, source: s.source, sources };
        const out = await renderHelmSource(spec, resolved.chart.dir, {
          repoRoot, helm: opts.helm, kubeVersion: opts.kubeVersion, apiVersions, isOwnRepo: isOwn, timeoutSeconds: opts.timeoutSeconds,
        });
        if (out.call.problems.length > 0) {
          for (const p of out.call.problems) findings.push(at(app, p.field, 'charts/values', 'error', `${name}: ${p.message}`));
          status.reason = out.call.problems[0]!.message;
          continue;
        }
        if (!out.ok) {
          incomplete = true;
          status.reason = `helm template failed: ${out.error}`;
          findings.push(at(app, `${s.field}.chart`, 'input/helm', 'error', `${name}: helm template of ${chart} ${version} failed: ${out.error}`));
          continue;
        }
        status.rendered = true;
        status.source = resolved.chart.source;
        status.objects = out.docs.length;
        for (const d of out.docs) {
          const origin: ChartOrigin = {
            app, sourceField: s.field, repoURL: repoURL ?? '', chart, version, releaseName: out.call.releaseName, namespace: out.call.namespace,
            chartDir: resolved.chart.dir, chartSource: resolved.chart.source, template: d.template, layers: out.call.layers,
          };
          objects.push({
            object: withDeployer(d.object, app, origin), ref: refOf(d.object),
            origin: { file: app.origin.file, docIndex: app.origin.docIndex, transformedBy: app.origin.transformedBy, generator: null, listItem: app.origin.listItem, chart: origin },
            application: app.ref, renderer: 'helm', path: null, chart: origin, defaultNamespace: destNs,
          } as ClusterObject & { defaultNamespace: string | null });
        }
        continue;
      }
      if (!isOwn(repoURL)) continue; // another git repository: listed by the Argo CD check as remote/git
      const rawPath = typeof s.source.path === 'string' ? s.source.path : null;
      if (rawPath === null) continue; // a `ref:` source lending its files to another source
      const rel = path.posix.normalize(rawPath.replace(/\\/g, '/')).replace(/\/+$/, '') || '.';
      if (included.has(rel) || rel === clusterPath) continue;
      included.add(rel);
      const abs = path.resolve(repoRoot, rel);
      if (!existsSync(abs) || kustomizationFile(abs) === null) continue; // argocd/source-path-missing says why
      let resources = opts.rendered?.get(rel) ?? null;
      if (resources === null) {
        if (opts.kustomize === null) {
          incomplete = true;
          continue;
        }
        const r = await renderResources(opts.kustomize, abs, kustomizationFile(abs)!, opts.timeoutSeconds);
        if ('failed' in r) {
          incomplete = true;
          findings.push(r.failed === 'build'
            ? at(app, `${s.field}.path`, 'input/kustomize', 'error', `${name}: kustomize build ${rel} failed: ${r.reason}`)
            : at(app, `${s.field}.path`, 'tool/kustomize', 'error', `${name}: kustomize's output for ${rel} could not be read (${r.reason})`));
          continue;
        }
        resources = r.resources;
      }
      for (const r of resources) {
        objects.push({ ...r, object: withDeployer(r.object, app, null), application: app.ref, renderer: 'kustomize', path: rel, chart: null, defaultNamespace: destNs } as ClusterObject & { defaultNamespace: string | null });
        if (r.ref.kind === 'Application') queue.push(r);
      }
    }
  }
  // Argo CD applies namespaced objects that name no namespace into the Application's destination.
  const scoped = clusterScopedKinds(repoRoot, objects);
  for (const o of objects as Array<ClusterObject & { defaultNamespace?: string | null }>) {
    const ns = o.defaultNamespace;
    delete o.defaultNamespace;
    if (!ns || o.ref.namespace !== null || scoped.has(o.ref.kind) || isClusterScopedBuiltin(o.ref.kind)) continue;
    const meta = asObject(o.object.metadata) ?? {};
    if (typeof meta.namespace === 'string' && meta.namespace !== '') continue;
    o.object = { ...o.object, metadata: { ...meta, namespace: ns } };
    o.ref = refOf(o.object);
  }
  return { cluster: clusterPath, objects, charts, findings, incomplete };
}

function isClusterScopedBuiltin(kind: string): boolean {
  return refOf({ apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'x' } }).namespace === null;
}

/** Resolves a cluster argument (prod, clusters/prod, ./clusters/prod/) to clusters/<name>. */
export function clusterPathOf(repoRoot: string, cwd: string, given: string): string | null {
  const candidates = [path.resolve(cwd, given), path.join(repoRoot, 'clusters', given)];
  for (const abs of candidates) {
    const rel = displayPath(repoRoot, abs);
    if (/^clusters\/[^/]+$/.test(rel) && kustomizationFile(abs) !== null) return rel;
  }
  return null;
}

export interface RenderClusterOptions {
  requireCharts?: boolean;
  cacheDir?: string;
  /** Repository whose tools (.tools/bin) to use, when rendering another tree (gitops diff). */
  toolsRoot?: string;
}

/**
 * The whole desired state of one cluster (`clusters/<name>`): the entry point for `gitops render`,
 * `gitops diff` and the API-server stage. Throws ToolError only when kustomize is missing entirely.
 */
export async function renderCluster(repoRoot: string, cluster: string, o: RenderClusterOptions = {}): Promise<ClusterState> {
  const root = findRepoRoot(repoRoot);
  const config = loadConfig(root);
  const toolsRoot = o.toolsRoot ?? root;
  const clusterPath = clusterPathOf(root, root, cluster) ?? cluster;
  const kustomize = await resolveKustomize(toolsRoot);
  const abs = path.resolve(root, clusterPath);
  const kfile = kustomizationFile(abs);
  const repoUrls = repoUrlsOf(config.policy);
  const opts: ClusterRenderOptions = {
    repoRoot: root, clusterPath, kubeVersion: config.kubernetesVersion, repoUrls, timeoutSeconds: config.render.timeoutSeconds,
    helm: pinnedBinary(toolsRoot, 'helm'), kustomize, requireCharts: o.requireCharts, cacheDir: o.cacheDir,
  };
  if (kfile === null) {
    return { cluster: clusterPath, objects: [], charts: [], incomplete: true, findings: [{ ruleId: 'input/path', severity: 'error', message: `${cluster}: not a cluster (no kustomization in clusters/<name>)`, target: clusterPath, resource: null, location: null, field: null }] };
  }
  const r = await renderResources(kustomize, abs, kfile, config.render.timeoutSeconds);
  if ('failed' in r) {
    const [ruleId, message] = r.failed === 'build' ? ['input/kustomize', `kustomize build failed: ${r.reason}`] : ['tool/kustomize', `kustomize's output could not be read (${r.reason})`];
    return { cluster: clusterPath, objects: [], charts: [], incomplete: true, findings: [{ ruleId, severity: 'error', message, target: clusterPath, resource: null, location: { file: displayPath(root, kfile), line: 1, column: 1 }, field: null }] };
  }
  return expandCluster(opts, r.resources);
}
