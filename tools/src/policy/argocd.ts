/**
 * Cross-target checks of the Argo CD wiring: what the clusters' Applications point at in this
 * repository, which Application deploys each overlay, and what stays remote (Helm charts, foreign
 * git repositories) and so is not rendered offline.
 *
 * Single-target rules (project permits, pinning, finalizer, sync policy, ignoreDifferences) are Rego
 * under policies/argocd/. The `remote/...` info findings are produced here only, never by Rego.
 *
 * Pure: reads the repository's files (existence of paths, YAML for line numbers) and returns
 * findings; never prints, never throws on bad input.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { kustomizationFile } from '../render/kustomize.js';
import { displayPath, mapLocation } from '../locate/sourcemap.js';
import { FileCache } from '../util/cache.js';
import { asObject } from '../util/yaml.js';
import type { Finding, Location, RelatedLocation, Resource, ResourceRef, Target } from '../pipeline/types.js';

export const DEFAULT_REPO_URLS = ['https://github.com/funlynk/funlynk-gitops.git'];

export interface CheckApplicationsOptions {
  /** URLs of this repository; sources from any other URL (or any Helm chart) are remote. */
  repoUrls: string[];
  /**
   * Whether `rendered` is the whole repository: only then can "each overlay is deployed by exactly
   * one Application" be judged. Per-Application checks and remote listings run either way.
   */
  wholeRepository?: boolean;
  /** The run's file cache (default: a new one). */
  cache?: FileCache;
}

const NOT_RENDERED_NOTE = 'not rendered offline: its manifests are not validated by this gate (only the Application pointing at it is)';

/** Same repository whatever the case, trailing slash or `.git`. */
export function normalizeRepoUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
}

// ---------------------------------------------------------------------------------------------

interface AppEntry {
  resource: Resource;
  /** Targets the Application is rendered in (nested kustomizations may render it more than once). */
  targets: Target[];
}

interface SourceEntry {
  source: Record<string, unknown>;
  /** Field path of the source: spec.source or spec.sources[i]. */
  field: string;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function sourcesOf(app: Record<string, unknown>): SourceEntry[] {
  const spec = asObject(app.spec) ?? {};
  if (Array.isArray(spec.sources) && spec.sources.length > 0) {
    return spec.sources.flatMap((s, i) => {
      const o = asObject(s);
      return o ? [{ source: o, field: `spec.sources[${i}]` }] : [];
    });
  }
  const single = asObject(spec.source);
  return single ? [{ source: single, field: 'spec.source' }] : [];
}

function isKustomizationRoot(dir: string): boolean {
  return kustomizationFile(dir) !== null;
}

function isDirectory(abs: string): boolean {
  try {
    return statSync(abs).isDirectory();
  } catch {
    return false;
  }
}

/** Repository-relative, normalized form of an Application source path ("./overlays/dev/" -> "overlays/dev"). */
function normalizeSourcePath(p: string): string {
  const n = path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
  return n === '' ? '.' : n;
}

/** The target in which a finding about an Application is reported: its cluster target first. */
function primaryTarget(entry: AppEntry): Target {
  return entry.targets.find((t) => /^clusters\/[^/]+$/.test(t.name)) ?? entry.targets[0]!;
}

export function checkApplications(
  repoRoot: string,
  rendered: Array<{ target: Target; resources: Resource[] }>,
  options: CheckApplicationsOptions = { repoUrls: DEFAULT_REPO_URLS },
): Finding[] {
  const own = new Set(options.repoUrls.map(normalizeRepoUrl));
  const isOwn = (url: string | null) => url !== null && own.has(normalizeRepoUrl(url));
  const findings: Finding[] = [];

  // Every Application once, however many targets render it.
  const apps = new Map<string, AppEntry>();
  for (const { target, resources } of rendered) {
    for (const r of resources) {
      if (r.ref.kind !== 'Application' || !r.ref.apiVersion.startsWith('argoproj.io/')) continue;
      const key = `${r.origin.file}\u0000${r.ref.namespace ?? ''}\u0000${r.ref.name}`;
      const entry = apps.get(key);
      if (entry) {
        if (!entry.targets.some((t) => t.name === target.name)) entry.targets.push(target);
      } else apps.set(key, { resource: r, targets: [target] });
    }
  }
  const entries = [...apps.values()].sort((a, b) =>
    a.resource.origin.file === b.resource.origin.file
      ? a.resource.ref.name.localeCompare(b.resource.ref.name)
      : a.resource.origin.file.localeCompare(b.resource.origin.file),
  );

  const cache = options.cache ?? new FileCache();
  const locate = (entry: AppEntry, field: string | null): Location => mapLocation(repoRoot, cache, entry.resource, field, null).location;
  const display = (ref: ResourceRef) => `${ref.kind}/${ref.name}`;
  const finding = (
    entry: AppEntry,
    ruleId: string,
    severity: Finding['severity'],
    message: string,
    field: string | null,
    related?: RelatedLocation[],
  ): Finding => {
    const f: Finding = {
      ruleId,
      severity,
      message,
      target: primaryTarget(entry).name,
      resource: entry.resource.ref,
      location: locate(entry, field),
      field,
    };
    if (related && related.length > 0) f.related = related;
    return f;
  };

  // Which Application deploys which path of this repository (for the overlay checks).
  const deployers = new Map<string, Array<{ entry: AppEntry; field: string }>>();

  for (const entry of entries) {
    const app = entry.resource.object;
    const name = display(entry.resource.ref);
    const sources = sourcesOf(app);
    const refs = new Map<string, SourceEntry>();
    for (const s of sources) {
      const ref = str(s.source.ref);
      if (ref) refs.set(ref, s);
    }
    for (const s of sources) {
      const repoURL = str(s.source.repoURL);
      const chart = str(s.source.chart);
      const revision = s.source.targetRevision === undefined || s.source.targetRevision === null ? '' : String(s.source.targetRevision);
      if (chart !== null) {
        findings.push(
          finding(
            entry,
            'remote/helm-chart',
            'info',
            `${name}: Helm chart ${chart} ${revision || '(no version)'} from ${repoURL ?? '(no repoURL)'} is ${NOT_RENDERED_NOTE}`,
            `${s.field}.chart`,
          ),
        );
      } else if (!isOwn(repoURL)) {
        const where = str(s.source.path) ? ` path ${String(s.source.path)}` : '';
        findings.push(
          finding(
            entry,
            'remote/git',
            'info',
            `${name}: git repository ${repoURL ?? '(no repoURL)'} at ${revision || 'HEAD'}${where} is ${NOT_RENDERED_NOTE}`,
            `${s.field}.repoURL`,
          ),
        );
      } else {
        // A source from this repository: a path to a kustomization root, unless it only lends its
        // files to another source (`ref: values`).
        const rawPath = typeof s.source.path === 'string' ? s.source.path : null;
        if (rawPath === null && str(s.source.ref) !== null) continue;
        const p = normalizeSourcePath(rawPath ?? '.');
        const field = rawPath === null ? s.field : `${s.field}.path`;
        const abs = path.resolve(repoRoot, p);
        const inside = !path.relative(repoRoot, abs).startsWith('..');
        if (!inside || !isDirectory(abs)) {
          findings.push(
            finding(entry, 'argocd/source-path-missing', 'error', `${name}: source path '${rawPath ?? ''}' does not exist in this repository; Argo CD would fail to generate manifests`, field),
          );
        } else if (!isKustomizationRoot(abs) && asObject(s.source.directory) === null) {
          // A kustomization is how this repository deploys; a plain folder needs an explicit
          // `directory:` source (Argo CD would otherwise guess the tool).
          findings.push(
            finding(entry, 'argocd/source-path-missing', 'error', `${name}: source path '${p}' is not a kustomization root (no kustomization.yaml) and the source declares no directory:; point it at an overlay, add a kustomization, or declare a directory source`, field),
          );
        } else {
          const list = deployers.get(p) ?? [];
          list.push({ entry, field });
          deployers.set(p, list);
        }
      }
      // Helm value files read from this repository through a `ref` source must exist.
      const helm = asObject(s.source.helm);
      const valueFiles = Array.isArray(helm?.valueFiles) ? helm!.valueFiles : [];
      valueFiles.forEach((vf, i) => {
        if (typeof vf !== 'string') return;
        const m = /^\$([^/]+)\/(.*)$/.exec(vf);
        if (!m) return;
        const refSource = refs.get(m[1]!);
        if (!refSource || !isOwn(str(refSource.source.repoURL))) return;
        const target = path.resolve(repoRoot, m[2]!);
        if (!existsSync(target)) {
          findings.push(
            finding(entry, 'argocd/values-file-missing', 'error', `${name}: Helm value file '${m[2]}' (from $${m[1]}) does not exist in this repository`, `${s.field}.helm.valueFiles[${i}]`),
          );
        }
      });
    }
  }

  // ignoreDifferences may only hide the replicas of Deployments that an HPA owns: checked against the
  // rendered target of the path the Application deploys (when that target was rendered).
  const renderedByName = new Map(rendered.map((r) => [r.target.name, r]));
  for (const [deployedPath, list] of deployers) {
    const overlay = renderedByName.get(deployedPath);
    if (!overlay) continue;
    const hpaTargets = new Set(
      overlay.resources
        .filter((r) => r.ref.kind === 'HorizontalPodAutoscaler')
        .flatMap((r) => {
          const ref = asObject(asObject(r.object.spec)?.scaleTargetRef);
          return ref && ref.kind === 'Deployment' && typeof ref.name === 'string' ? [`${r.ref.namespace ?? ''}/${ref.name}`] : [];
        }),
    );
    for (const { entry } of list) {
      const spec = asObject(entry.resource.object.spec) ?? {};
      const destNs = str(asObject(spec.destination)?.namespace) ?? '';
      const ignores = Array.isArray(spec.ignoreDifferences) ? spec.ignoreDifferences : [];
      ignores.forEach((raw, i) => {
        const e = asObject(raw);
        if (!e || e.kind !== 'Deployment' || typeof e.name !== 'string') return;
        const ns = str(e.namespace) ?? destNs;
        if (hpaTargets.has(`${ns}/${e.name}`)) return;
        findings.push(
          finding(
            entry,
            'argocd/ignore-differences-not-hpa',
            'error',
            `${display(entry.resource.ref)}: ignores the replicas of Deployment ${ns}/${e.name}, but no HorizontalPodAutoscaler in ${deployedPath} scales it; remove the entry (Argo CD would hide manual scaling)`,
            `spec.ignoreDifferences[${i}]`,
          ),
        );
      });
    }
  }

  // Each overlay is deployed by exactly one Application, rendered in its own cluster's target. Only
  // meaningful when the cluster targets were rendered (a run on some overlays alone skips it).
  if (options.wholeRepository !== false && rendered.some((r) => r.target.name.startsWith('clusters/'))) {
    const overlaysDir = path.join(repoRoot, 'overlays');
    let envs: string[] = [];
    try {
      envs = readdirSync(overlaysDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== 'local' && isKustomizationRoot(path.join(overlaysDir, d.name)))
        .map((d) => d.name)
        .sort();
    } catch {
      envs = [];
    }
    for (const env of envs) {
      const overlay = `overlays/${env}`;
      const list = deployers.get(overlay) ?? [];
      if (list.length === 0) {
        const kfile = kustomizationFile(path.join(overlaysDir, env))!;
        findings.push({
          ruleId: 'argocd/overlay-not-deployed',
          severity: 'error',
          message: `${overlay} is deployed by no Application; add one to apps/${env} (rendered by clusters/${env})`,
          target: overlay,
          resource: null,
          location: { file: displayPath(repoRoot, kfile), line: 1, column: 1 },
          field: null,
        });
        continue;
      }
      if (list.length > 1) {
        for (const d of list) {
          const others = list.filter((o) => o !== d);
          findings.push(
            finding(
              d.entry,
              'argocd/overlay-deployed-twice',
              'error',
              `${display(d.entry.resource.ref)}: ${overlay} is also deployed by ${others.map((o) => display(o.entry.resource.ref)).join(', ')}; two Applications fight over the same objects, keep one`,
              d.field,
              others.map((o) => ({ ...locate(o.entry, o.field), message: `also deploys ${overlay}` })),
            ),
          );
        }
      }
      const cluster = `clusters/${env}`;
      for (const d of list) {
        if (d.entry.targets.some((t) => t.name === cluster)) continue;
        findings.push(
          finding(
            d.entry,
            'argocd/overlay-wrong-cluster',
            'error',
            `${display(d.entry.resource.ref)}: deploys ${overlay} but is rendered in ${d.entry.targets.map((t) => t.name).join(', ')}, not ${cluster}; move it to apps/${env}`,
            d.field,
          ),
        );
      }
    }
  }
  return findings;
}
