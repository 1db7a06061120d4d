/**
 * The API server stage as `gitops validate` calls it: the rendered targets become clusters (one
 * per environment: overlays/prod and clusters/prod are the prod cluster), rejections are mapped
 * to file:line through the run's source map, and with a base revision (--since REF) the same
 * targets are rendered at REF, outside the repository, and applied first.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { GateConfig } from '../util/config.js';
import { renderKustomization } from '../render/kustomize.js';
import { resourcesFromRender } from '../inputs/kubernetes.js';
import { mapLocation } from '../locate/sourcemap.js';
import type { FileCache } from '../util/cache.js';
import type { KustomizeRunner } from '../maintain/tools.js';
import type { Finding, Resource, Target } from '../pipeline/types.js';
import { parseYaml } from '../util/yaml.js';
import { exportRevision, removeRevision } from '../util/revision.js';
import { runApiserverStage, type ApiObject, type ApiserverMode, type ClusterState } from './index.js';

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

/** The objects of the same targets at `ref`, rendered from `git archive` in a temp folder. */
async function renderBase(opts: ValidateStageOptions, targets: RenderedTarget[]): Promise<{ objects: Array<Record<string, unknown>>; problems: string[] }> {
  const problems: string[] = [];
  const objects: Array<Record<string, unknown>> = [];
  if (!opts.since || opts.kustomize === null) return { objects, problems };
  const base = await exportRevision(opts.repoRoot, opts.since);
  if (!base.ok) {
    problems.push(base.error);
    return { objects, problems };
  }
  const dir = base.dir;
  try {
    for (const t of targets) {
      if (t.target.kind !== 'kustomization') continue;
      const rel = path.relative(opts.repoRoot, t.target.abs);
      const abs = path.join(dir, rel);
      if (rel.startsWith('..') || !existsSync(abs)) continue; // new at this revision
      const out = await renderKustomization(opts.kustomize, abs, opts.config.render.timeoutSeconds);
      if (!out.ok) {
        problems.push(`${rel} at ${opts.since} does not render: ${out.stderr.trim().split('\n')[0] ?? ''}`);
        continue;
      }
      for (const r of resourcesFromRender(parseYaml(out.stdout).docs, out.wrapperDir, abs)) objects.push(r.object);
    }
  } finally {
    removeRevision(dir);
  }
  return { objects, problems };
}

/**
 * On a partial run (overlays/prod alone), the objects of the cluster's bootstrap kustomization
 * (clusters/<env>) that the run does not render itself: its Applications say which namespaces
 * Argo CD creates in that cluster.
 */
async function clusterContext(opts: ValidateStageOptions, env: string, targets: RenderedTarget[]): Promise<Array<Record<string, unknown>>> {
  const dir = path.join(opts.repoRoot, 'clusters', env);
  if (opts.kustomize === null || !existsSync(path.join(dir, 'kustomization.yaml')) || targets.some((t) => t.target.abs === dir)) return [];
  const out = await renderKustomization(opts.kustomize, dir, opts.config.render.timeoutSeconds);
  if (!out.ok) return [];
  return resourcesFromRender(parseYaml(out.stdout).docs, out.wrapperDir, dir).map((r) => r.object);
}

export async function validateWithApiserver(opts: ValidateStageOptions): Promise<{ findings: Finding[]; incomplete: boolean; tool: string }> {
  const kustomizationOf = new Map<ApiObject, string | null>();
  const clusters: ClusterState[] = [];
  const findings: Finding[] = [];
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
    if (opts.since) {
      const base = await renderBase(opts, c.targets);
      state.base = base.objects;
      for (const p of base.problems) {
        findings.push({ ruleId: 'apiserver/base-not-rendered', severity: 'info', message: `${p}: immutable-field changes of these objects are not checked`, target: c.name, resource: null, location: null, field: null });
      }
    }
    clusters.push(state);
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
