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
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { Finding, Location, RelatedLocation, Resource, ResourceRef, Target } from './types.js';

export const DEFAULT_REPO_URLS = ['https://github.com/funlynk/funlynk-gitops.git'];

export interface CheckApplicationsOptions {
  /** URLs of this repository; sources from any other URL (or any Helm chart) are remote. */
  repoUrls: string[];
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const NOT_RENDERED_NOTE = 'not rendered offline, so its manifests are not validated here (render them with --remote on a machine with network)';

/** Same repository whatever the case, trailing slash or `.git`. */
export function normalizeRepoUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
}

// ---------------------------------------------------------------------------------------------
// Field positions in YAML files.
// The engine's source map (sourcemap.ts / yaml.ts) may replace this helper; it is kept here so the
// Argo CD checks stay self-contained.

export interface YamlPosition {
  line: number;
  column: number;
  /** True when the whole field path exists; false when this is its deepest existing ancestor. */
  exact: boolean;
}

interface ParsedFile {
  docs: Document.Parsed[];
  lineCounter: LineCounter;
}

const parseCache = new Map<string, { mtimeMs: number; parsed: ParsedFile | null }>();

function parseFile(absFile: string): ParsedFile | null {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(absFile).mtimeMs;
  } catch {
    return null;
  }
  const cached = parseCache.get(absFile);
  if (cached && cached.mtimeMs === mtimeMs) return cached.parsed;
  let parsed: ParsedFile | null = null;
  try {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(readFileSync(absFile, 'utf8'), { lineCounter });
    parsed = Array.isArray(docs) ? { docs, lineCounter } : { docs: [], lineCounter };
  } catch {
    parsed = null;
  }
  parseCache.set(absFile, { mtimeMs, parsed });
  return parsed;
}

function splitField(field: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\[(\d+)\]|([^.[\]]+)/g;
  for (let m = re.exec(field); m !== null; m = re.exec(field)) {
    out.push(m[1] !== undefined ? Number(m[1]) : m[2]!);
  }
  return out;
}

function docMatches(value: unknown, kind: string, name: string | null): boolean {
  if (value === null || typeof value !== 'object') return false;
  const v = value as { kind?: unknown; metadata?: { name?: unknown } };
  return v.kind === kind && (name === null || v.metadata?.name === name);
}

/**
 * Line and column (1-based) of a dotted field (`spec.sources[1].path`) inside the document of
 * `absFile` that declares `kind`/`name` (a document index wins when given). For a missing field it
 * is the deepest part that exists; null when the file or the document is not found.
 */
export function locateYamlField(
  absFile: string,
  doc: { kind: string; name: string; docIndex?: number | null },
  field: string | null,
): YamlPosition | null {
  const parsed = parseFile(absFile);
  if (!parsed) return null;
  const { docs, lineCounter } = parsed;
  const values = docs.map((d) => {
    try {
      return d.toJS() as unknown;
    } catch {
      return null;
    }
  });
  let index = doc.docIndex ?? -1;
  if (index < 0 || index >= docs.length || !docMatches(values[index], doc.kind, null)) {
    index = values.findIndex((v) => docMatches(v, doc.kind, doc.name));
    if (index < 0) {
      const sameKind = values.flatMap((v, i) => (docMatches(v, doc.kind, null) ? [i] : []));
      if (sameKind.length !== 1) return null;
      index = sameKind[0]!;
    }
  }
  const root = docs[index]!.contents;
  const posOf = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let at = posOf(root?.range?.[0] ?? 0);
  if (!root || field === null) return { ...at, exact: field === null };
  let node: unknown = root;
  for (const seg of splitField(field)) {
    if (typeof seg === 'number' && isSeq(node)) {
      const item = node.items[seg] as { range?: [number, number, number] } | undefined;
      if (!item) return { ...at, exact: false };
      node = item;
      at = posOf(item.range?.[0] ?? 0);
    } else if (typeof seg === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) return { ...at, exact: false };
      const key = pair.key as { range?: [number, number, number] };
      at = posOf(key.range?.[0] ?? 0);
      node = pair.value;
    } else {
      return { ...at, exact: false };
    }
  }
  return { ...at, exact: true };
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

function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
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

function relFile(repoRoot: string, abs: string): string {
  const rel = path.relative(repoRoot, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}

function isKustomizationRoot(dir: string): boolean {
  return KUSTOMIZATION_FILES.some((f) => existsSync(path.join(dir, f)));
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

  const locate = (entry: AppEntry, field: string | null): Location => {
    const r = entry.resource;
    const pos = locateYamlField(r.origin.file, { kind: r.ref.kind, name: r.ref.name, docIndex: r.origin.docIndex }, field);
    return { file: relFile(repoRoot, r.origin.file), line: pos?.line ?? 1, column: pos?.column ?? 1 };
  };
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
        } else if (!isKustomizationRoot(abs)) {
          findings.push(
            finding(entry, 'argocd/source-path-missing', 'error', `${name}: source path '${p}' is not a kustomization root (no kustomization.yaml); point it at an overlay or add one`, field),
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
  if (rendered.some((r) => r.target.name.startsWith('clusters/'))) {
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
        const kfile = KUSTOMIZATION_FILES.map((f) => path.join(overlaysDir, env, f)).find((f) => existsSync(f))!;
        findings.push({
          ruleId: 'argocd/overlay-not-deployed',
          severity: 'error',
          message: `${overlay} is deployed by no Application; add one to apps/${env} (rendered by clusters/${env})`,
          target: overlay,
          resource: null,
          location: { file: relFile(repoRoot, kfile), line: 1, column: 1 },
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
