/**
 * The API server stage as `gitops validate` calls it: the rendered targets become clusters (one
 * per environment: overlays/prod and clusters/prod are the prod cluster), rejections are mapped
 * to file:line through the run's source map, and with a base revision (--since REF) the same
 * targets are rendered at REF, outside the repository, and applied first.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { GateConfig } from '../util/config.js';
import { renderResources } from '../render/kustomize.js';
import { mapLocation } from '../locate/sourcemap.js';
import type { FileCache } from '../util/cache.js';
import type { KustomizeRunner } from '../maintain/tools.js';
import type { Finding, Resource, Target } from '../pipeline/types.js';
import { exportRevision, removeRevision } from '../util/revision.js';
import { runApiserverStage, type ApiObject, type ApiserverMode, type ClusterState } from './index.js';
import { baseNotChecked } from './check.js';

export interface RenderedTarget {
  target: Target;
  kustomization: string | null;
  resources: Resource[];
}

export interface ValidateStageOptions {
  repoRoot: string;
  cache: FileCache;
  config: GateConfig;
  mode: ApiserverMode;
  targets: RenderedTarget[];
  /** Base revision (git ref) applied first, for immutable-field changes. */
  since?: string;
  kustomize: KustomizeRunner | null;
  progress?: (line: string) => void;
}

/** The clusters of a run: targets grouped by environment, in a stable order. */
export function clustersOf(targets: RenderedTarget[]): Array<{ name: string; targets: RenderedTarget[] }> {
  const groups = new Map<string, RenderedTarget[]>();
  for (const t of targets) {
    if (t.resources.length === 0) continue;
    const name = t.target.env ?? t.target.name;
    groups.set(name, [...(groups.get(name) ?? []), t]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, ts]) => ({ name, targets: ts }));
}

/**
 * The objects of the same targets in the base revision, rendered from its `git archive` folder
 * (`baseDir`, outside the repository).
 */
async function renderBase(opts: ValidateStageOptions, baseDir: string, targets: RenderedTarget[]): Promise<{ objects: Array<Record<string, unknown>>; problems: string[] }> {
  const problems: string[] = [];
  const objects: Array<Record<string, unknown>> = [];
  for (const t of targets) {
    const rel = path.relative(opts.repoRoot, t.target.abs);
    if (t.target.kind !== 'kustomization') {
      // Said, not skipped in silence: the base revision is rendered for kustomizations only.
      if (t.resources.length > 0) problems.push(`${rel} at ${opts.since}: not a kustomization, its objects there are not read`);
      continue;
    }
    const abs = path.join(baseDir, rel);
    if (rel.startsWith('..') || !existsSync(abs)) continue; // new at this revision
    const rendered = await renderObjects(opts, abs);
    if (typeof rendered === 'string') problems.push(`${rel} at ${opts.since}: ${rendered}`);
    else objects.push(...rendered);
  }
  return { objects, problems };
}

/** The objects kustomize renders for `dir`, or why it could not. */
async function renderObjects(opts: ValidateStageOptions, dir: string): Promise<Array<Record<string, unknown>> | string> {
  const r = await renderResources(opts.kustomize!, dir, dir, opts.config.render.timeoutSeconds);
  if ('failed' in r) return r.failed === 'build' ? `does not render: ${r.reason}` : `kustomize's output could not be read (${r.reason})`;
  return r.resources.map((x) => x.object);
}

/**
 * On a partial run (overlays/prod alone), the objects of the cluster's bootstrap kustomization
 * (clusters/<env>) that the run does not render itself: its Applications say which namespaces
 * Argo CD creates in that cluster. One that does not render is reported by a run of that target;
 * here the cluster then has no context.
 */
async function clusterContext(opts: ValidateStageOptions, env: string, targets: RenderedTarget[]): Promise<Array<Record<string, unknown>>> {
  const dir = path.join(opts.repoRoot, 'clusters', env);
  if (opts.kustomize === null || !existsSync(path.join(dir, 'kustomization.yaml')) || targets.some((t) => t.target.abs === dir)) return [];
  const rendered = await renderObjects(opts, dir);
  return typeof rendered === 'string' ? [] : rendered;
}

export async function validateWithApiserver(opts: ValidateStageOptions): Promise<{ findings: Finding[]; incomplete: boolean; tool: string }> {
  const kustomizationOf = new Map<ApiObject, string | null>();
  const clusters: ClusterState[] = [];
  const findings: Finding[] = [];
  const notChecked = (cluster: string, why: string): void => {
    findings.push(baseNotChecked(cluster, why));
  };
  // The base revision (--since REF), exported once for every cluster.
  let base: { dir: string } | { error: string } | null = null;
  if (opts.since) {
    if (opts.kustomize === null) base = { error: `${opts.since} is not rendered without kustomize` };
    else {
      const exported = await exportRevision(opts.repoRoot, opts.since);
      base = exported.ok ? { dir: exported.dir } : { error: exported.error };
    }
  }
  try {
    for (const c of clustersOf(opts.targets)) {
      const objects: ApiObject[] = [];
      for (const t of c.targets) {
        for (const resource of t.resources) {
          const o: ApiObject = { resource, target: t.target.name };
          kustomizationOf.set(o, t.kustomization);
          objects.push(o);
        }
      }
      const state: ClusterState = { name: c.name, objects };
      const context = await clusterContext(opts, c.name, c.targets);
      if (context.length > 0) state.context = context;
      if (base !== null && 'error' in base) notChecked(c.name, base.error);
      else if (base !== null) {
        const rendered = await renderBase(opts, base.dir, c.targets);
        state.base = rendered.objects;
        for (const p of rendered.problems) notChecked(c.name, p);
      }
      clusters.push(state);
    }
  } finally {
    if (base !== null && 'dir' in base) removeRevision(base.dir);
  }
  if (clusters.length === 0) return { findings, incomplete: false, tool: 'kube-apiserver (nothing to apply)' };
  const result = await runApiserverStage({
    repoRoot: opts.repoRoot,
    mode: opts.mode,
    clusters,
    settings: { timeoutSeconds: opts.config.apiserver.timeoutSeconds, readyTimeoutSeconds: opts.config.apiserver.readyTimeoutSeconds },
    locate: (obj, field) => mapLocation(opts.repoRoot, opts.cache, obj.resource, field, kustomizationOf.get(obj) ?? null),
    progress: opts.progress,
  });
  return { findings: [...findings, ...result.findings], incomplete: result.incomplete, tool: result.tool };
}
