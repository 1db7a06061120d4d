/**
 * Argo CD across targets. The checks are Rego (policies/argocd/*); this module gives them the
 * repository-wide facts a single document cannot show, as `data.repository` (see
 * docs/policy-authoring.md): every Application once with the targets that render it, whether the
 * paths their sources name exist (and are kustomization roots), the overlays, the HPAs of each
 * rendered target, and whether the run covers the whole repository. It also lists what stays
 * remote (Helm charts, foreign git repositories) as `remote/...` info findings, which no policy
 * produces.
 *
 * Pure: reads the repository's files (existence of paths, YAML for line numbers) and returns
 * data; never prints, never throws on bad input.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { kustomizationFile } from '../render/kustomize.js';
import { mapLocation } from '../locate/sourcemap.js';
import { displayPath } from '../util/paths.js';
import { FileCache } from '../util/cache.js';
import { asObject } from '../util/yaml.js';
import { sourcesOf } from '../util/application.js';
import type { Finding, Resource, Target } from '../pipeline/types.js';

/** This repository's URLs: policy.argocd.repoUrls of gitops.yaml, the one place they are kept. */
export function repoUrlsOf(policy: Record<string, unknown>): string[] {
  const urls = asObject(policy.argocd)?.repoUrls;
  return Array.isArray(urls) ? urls.filter((u): u is string => typeof u === 'string') : [];
}

const NOT_RENDERED_NOTE = 'not rendered offline: its manifests are not validated by this gate (only the Application pointing at it is)';

/** Same repository whatever the case, trailing slash or `.git`. */
export function normalizeRepoUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
}

interface AppEntry {
  resource: Resource;
  /** Targets the Application is rendered in (nested kustomizations may render it more than once). */
  targets: Target[];
  /** Its index among each target's resources (what input.index is when that target is evaluated). */
  index: Map<string, number>;
}


export interface RenderedTarget {
  target: Target;
  resources: Resource[];
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}


function isDirectory(abs: string): boolean {
  try {
    return statSync(abs).isDirectory();
  } catch {
    return false;
  }
}

function exists(abs: string): boolean {
  try {
    statSync(abs);
    return true;
  } catch {
    return false;
  }
}

/** Repository-relative, normalized form of an Application source path ("./overlays/dev/" -> "overlays/dev"). */
function normalizeSourcePath(p: string): string {
  const n = path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
  return n === '' ? '.' : n;
}

const isClusterTarget = (t: Target): boolean => /^clusters\/[^/]+$/.test(t.name);

/** The target in which a finding about an Application is reported: its cluster target first. */
function primaryTarget(entry: AppEntry): Target {
  return entry.targets.find(isClusterTarget) ?? entry.targets[0]!;
}

/** Every Application once, however many targets render it, in the order of their files and names. */
function applications(rendered: RenderedTarget[]): AppEntry[] {
  const apps = new Map<string, AppEntry>();
  for (const { target, resources } of rendered) {
    resources.forEach((r, i) => {
      if (r.ref.kind !== 'Application' || !r.ref.apiVersion.startsWith('argoproj.io/')) return;
      const key = `${r.origin.file}\u0000${r.ref.namespace ?? ''}\u0000${r.ref.name}`;
      const entry = apps.get(key) ?? { resource: r, targets: [], index: new Map<string, number>() };
      apps.set(key, entry);
      if (!entry.targets.some((t) => t.name === target.name)) entry.targets.push(target);
      if (!entry.index.has(target.name)) entry.index.set(target.name, i);
    });
  }
  return [...apps.values()].sort((a, b) =>
    a.resource.origin.file === b.resource.origin.file
      ? a.resource.ref.name.localeCompare(b.resource.ref.name)
      : a.resource.origin.file.localeCompare(b.resource.origin.file),
  );
}

export interface FactsOptions {
  /** Whether `rendered` is the whole repository: only then are the overlay checks judged. */
  wholeRepository: boolean;
  /**
   * A policy fixture stands for a cluster's render: its target counts as the cluster target of
   * its environment, and its objects as the render of every path its Applications deploy.
   */
  fixture?: boolean;
}

/** What `data.repository` holds (docs/policy-authoring.md). */
export interface RepositoryFacts {
  complete: boolean;
  applications: Array<{ target: string; index: number; name: string; targets: string[]; clusters: string[]; resource: Record<string, unknown> }>;
  paths: Record<string, { path: string; exists: boolean; directory: boolean; kustomization: boolean }>;
  overlays: Array<{ path: string; env: string; file: string }>;
  hpa: Record<string, string[]>;
}

function hpaTargets(resources: Resource[]): string[] {
  return [...new Set(resources
    .filter((r) => r.ref.kind === 'HorizontalPodAutoscaler')
    .flatMap((r) => {
      const ref = asObject(asObject(r.object.spec)?.scaleTargetRef);
      return ref && ref.kind === 'Deployment' && typeof ref.name === 'string' ? [`${r.ref.namespace ?? ''}/${ref.name}`] : [];
    }))].sort();
}

/** The repository-wide facts the argocd/* policies read as data.repository. */
export function repositoryFacts(repoRoot: string, rendered: RenderedTarget[], options: FactsOptions): RepositoryFacts {
  const entries = applications(rendered);
  const paths: RepositoryFacts['paths'] = {};
  const note = (raw: string): void => {
    if (raw in paths) return;
    const p = normalizeSourcePath(raw);
    const abs = path.resolve(repoRoot, p);
    const inside = !path.relative(repoRoot, abs).startsWith('..');
    const directory = inside && isDirectory(abs);
    paths[raw] = { path: p, exists: inside && exists(abs), directory, kustomization: directory && kustomizationFile(abs) !== null };
  };
  const hpa: Record<string, string[]> = {};
  for (const r of rendered) hpa[r.target.name] = hpaTargets(r.resources);
  const fixtureHpa = options.fixture ? hpaTargets(rendered.flatMap((r) => r.resources)) : [];
  for (const e of entries) {
    for (const s of sourcesOf(e.resource.object)) {
      const raw = typeof s.source.path === 'string' ? s.source.path : '.';
      note(raw);
      if (options.fixture) hpa[paths[raw]!.path] = fixtureHpa;
      const valueFiles = asObject(s.source.helm)?.valueFiles;
      for (const vf of Array.isArray(valueFiles) ? valueFiles : []) {
        const m = typeof vf === 'string' ? /^\$[^/]+\/(.*)$/.exec(vf) : null;
        if (m) note(m[1]!);
      }
    }
  }
  const clustersOf = (e: AppEntry): string[] =>
    [...new Set(e.targets.filter((t) => options.fixture || isClusterTarget(t)).map((t) => t.env ?? '').filter(Boolean))].sort();
  return {
    complete: options.wholeRepository && (options.fixture === true || rendered.some((r) => r.target.name.startsWith('clusters/'))),
    applications: entries.map((e) => {
      const target = primaryTarget(e);
      return { target: target.name, index: e.index.get(target.name)!, name: e.resource.ref.name, targets: e.targets.map((t) => t.name), clusters: clustersOf(e), resource: e.resource.object };
    }),
    paths,
    overlays: overlays(repoRoot),
    hpa,
  };
}

/** The overlays every cluster must deploy: kustomization roots under overlays/, but local. */
function overlays(repoRoot: string): RepositoryFacts['overlays'] {
  const dir = path.join(repoRoot, 'overlays');
  let names: string[] = [];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'local').map((d) => d.name).sort();
  } catch {
    names = [];
  }
  return names.flatMap((env) => {
    const file = kustomizationFile(path.join(dir, env));
    return file === null ? [] : [{ path: `overlays/${env}`, env, file: displayPath(repoRoot, file) }];
  });
}

/**
 * What every Application points at that stays remote: each Helm chart and each source from another
 * git repository than this one, as an info finding on the Application's source.
 */
/** `chartsRenderedIn`: cluster targets whose charts the cluster stage rendered or reported (render/cluster-targets.ts). */
export function remoteSources(repoRoot: string, rendered: RenderedTarget[], repoUrls: string[], cache: FileCache = new FileCache(), chartsRenderedIn?: Set<string>): Finding[] {
  const own = new Set(repoUrls.map(normalizeRepoUrl));
  const findings: Finding[] = [];
  for (const entry of applications(rendered)) {
    const name = `${entry.resource.ref.kind}/${entry.resource.ref.name}`;
    const finding = (ruleId: string, message: string, field: string): Finding => ({
      ruleId, severity: 'info', message, target: primaryTarget(entry).name, resource: entry.resource.ref,
      location: mapLocation(repoRoot, cache, entry.resource, field, null).location, field,
    });
    for (const s of sourcesOf(entry.resource.object)) {
      const repoURL = str(s.source.repoURL);
      const chart = str(s.source.chart);
      const revision = s.source.targetRevision === undefined || s.source.targetRevision === null ? '' : String(s.source.targetRevision);
      if (chart !== null) {
        // Rendered (or reported as unrendered) by the cluster stage when its cluster target ran.
        if (!chartsRenderedIn?.has(primaryTarget(entry).name)) findings.push(finding('remote/helm-chart', `${name}: Helm chart ${chart} ${revision || '(no version)'} from ${repoURL ?? '(no repoURL)'} is ${NOT_RENDERED_NOTE}`, `${s.field}.chart`));
      } else if (repoURL === null || !own.has(normalizeRepoUrl(repoURL))) {
        const where = str(s.source.path) ? ` path ${String(s.source.path)}` : '';
        findings.push(finding('remote/git', `${name}: git repository ${repoURL ?? '(no repoURL)'} at ${revision || 'HEAD'}${where} is ${NOT_RENDERED_NOTE}`, `${s.field}.repoURL`));
      }
    }
  }
  return findings;
}
