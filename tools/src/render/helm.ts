/**
 * A Helm source of an Argo CD Application, rendered the way Argo CD's repo server does it (v3.3.6,
 * the version the pinned argo-cd chart deploys; docs/charts.md cites where):
 * `helm template CHART --name-template RELEASE --namespace NS --kube-version V
 *   [--set/--set-string/--set-file for parameters] [--values each valueFile] [--values the inline
 *   values] [--api-versions ...] [--include-crds unless skipCrds] [--skip-schema-validation] [--skip-tests]`
 * RELEASE is helm.releaseName, else the Application's name; NS is helm.namespace, else the
 * destination namespace. Inline values are `valuesObject`, else `values` (a YAML string).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeTempDir, runTool, tempDir } from '../util/process.js';
import { stringify } from 'yaml';
import { asObject, parseYaml } from '../util/yaml.js';
import type { Resource } from '../pipeline/types.js';

/** One layer of Helm values, in the order helm merges them (later wins). */
export interface ValuesLayer {
  kind: 'valueFile' | 'valuesObject' | 'values' | 'parameter';
  /** Absolute path of the value file, or of the Application's file for inline values. */
  file: string;
  /** Field of the Application that holds this layer (spec.source.helm.valuesObject, ...valueFiles[0]). */
  field: string;
  values: Record<string, unknown>;
}

/** Where a chart-rendered object came from: the Application, its source, the chart and template. */
export interface ChartOrigin {
  /** The Application (as rendered from this repository, with its own origin). */
  app: Resource;
  /** Field path of the Helm source in the Application: spec.source or spec.sources[i]. */
  sourceField: string;
  repoURL: string;
  chart: string;
  version: string;
  releaseName: string;
  namespace: string;
  /** Chart folder rendered (in .cache/charts). */
  chartDir: string;
  chartSource: 'pulled' | 'offline';
  /** Template file inside the chart ("istiod/templates/deployment.yaml"), from helm's `# Source:` line. */
  template: string | null;
  layers: ValuesLayer[];
}

export interface HelmSourceSpec {
  app: Resource;
  sourceField: string;
  source: Record<string, unknown>;
  /** Every source of the Application (for `$ref/...` value files). */
  sources: Array<{ source: Record<string, unknown>; field: string }>;
}

export interface HelmRenderOptions {
  repoRoot: string;
  helm: string;
  kubeVersion: string;
  apiVersions: string[];
  /** Is this URL this repository (for `$values` refs)? */
  isOwnRepo: (url: string | null) => boolean;
  timeoutSeconds: number;
}

export interface HelmTemplateCall {
  args: string[];
  releaseName: string;
  namespace: string;
  layers: ValuesLayer[];
  /** Problems with the source (value file missing, ref not this repository). */
  problems: Array<{ field: string; message: string }>;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The `helm template` arguments for a Helm source, and its values layers; pure but for reading value files. */
export function helmTemplateCall(spec: HelmSourceSpec, chartDir: string, opts: Pick<HelmRenderOptions, 'repoRoot' | 'kubeVersion' | 'apiVersions' | 'isOwnRepo'>, valuesFileFor: (layer: number) => string): HelmTemplateCall {
  const app = spec.app.object;
  const appSpec = asObject(app.spec) ?? {};
  const helm = asObject(spec.source.helm) ?? {};
  const destNs = str(asObject(appSpec.destination)?.namespace) ?? '';
  const appName = str(asObject(app.metadata)?.name) ?? '';
  const releaseName = str(helm.releaseName) ?? appName;
  const namespace = str(helm.namespace) ?? destNs;
  const kubeVersion = str(spec.source.kubeVersion) ?? str(helm.kubeVersion) ?? opts.kubeVersion;
  const apiVersions = Array.isArray(helm.apiVersions) && helm.apiVersions.length > 0 ? (helm.apiVersions as unknown[]).map(String) : opts.apiVersions;
  const problems: HelmTemplateCall['problems'] = [];
  const layers: ValuesLayer[] = [];
  const args = ['template', chartDir, '--name-template', releaseName];
  if (namespace !== '') args.push('--namespace', namespace);
  args.push('--kube-version', kubeVersion);

  const hfield = `${spec.sourceField}.helm`;
  const params = Array.isArray(helm.parameters) ? helm.parameters : [];
  params.forEach((p, i) => {
    const o = asObject(p);
    if (!o || typeof o.name !== 'string') return;
    // Argo CD escapes commas in values (cleanSetParameters) and uses --set-string for forceString.
    const value = String(o.value ?? '').replace(/(?<!\\),/g, '\\,');
    args.push(o.forceString === true ? '--set-string' : '--set', `${o.name}=${value}`);
    layers.push({ kind: 'parameter', file: spec.app.origin.file, field: `${hfield}.parameters[${i}].value`, values: setPath({}, o.name, o.value) });
  });
  const ignoreMissing = helm.ignoreMissingValueFiles === true;
  const refs = new Map(spec.sources.flatMap((s) => (str(s.source.ref) ? [[str(s.source.ref)!, s] as const] : [])));
  const valueFiles = Array.isArray(helm.valueFiles) ? helm.valueFiles : [];
  valueFiles.forEach((vf, i) => {
    if (typeof vf !== 'string') return;
    const field = `${hfield}.valueFiles[${i}]`;
    let abs: string;
    const m = /^\$([^/]+)\/(.*)$/.exec(vf);
    if (m) {
      const ref = refs.get(m[1]!);
      if (!ref) {
        problems.push({ field, message: `value file '${vf}' names source ref '$${m[1]}', which no source of the Application declares` });
        return;
      }
      if (!opts.isOwnRepo(str(ref.source.repoURL))) {
        problems.push({ field, message: `value file '${vf}' comes from ${String(ref.source.repoURL)}, another repository, which the gate does not read` });
        return;
      }
      abs = path.resolve(opts.repoRoot, m[2]!);
    } else if (/^[a-z]+:\/\//.test(vf)) {
      problems.push({ field, message: `value file '${vf}' is a URL, which the gate never fetches` });
      return;
    } else {
      // Relative to the chart's folder, as Argo CD resolves value files of a chart source.
      abs = path.resolve(chartDir, vf);
    }
    const parsed = readValues(abs);
    if (parsed === null) {
      if (!ignoreMissing) problems.push({ field, message: `value file '${vf}' does not exist` });
      return;
    }
    args.push('--values', abs);
    layers.push({ kind: 'valueFile', file: abs, field, values: parsed });
  });
  const obj = asObject(helm.valuesObject);
  const text = typeof helm.values === 'string' ? helm.values : null;
  let inline: Record<string, unknown> | null = null;
  if (obj !== null) {
    inline = obj;
    layers.push({ kind: 'valuesObject', file: spec.app.origin.file, field: `${hfield}.valuesObject`, values: obj });
  } else if (text !== null) {
    const p = parseYaml(text);
    inline = asObject(p.docs[0]?.value) ?? {};
    layers.push({ kind: 'values', file: spec.app.origin.file, field: `${hfield}.values`, values: inline });
  }
  if (inline !== null) args.push('--values', valuesFileFor(layers.length));
  for (const v of apiVersions) args.push('--api-versions', v);
  if (helm.skipCrds !== true) args.push('--include-crds');
  if (helm.skipSchemaValidation === true) args.push('--skip-schema-validation');
  if (helm.skipTests === true) args.push('--skip-tests');
  // Inline values are written to a file by the caller (as Argo CD writes them to a temp file).
  return { args, releaseName, namespace, layers, problems };
}

function readValues(abs: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    return null;
  }
  return asObject(parseYaml(text).docs[0]?.value) ?? {};
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const parts = dotted.split(/(?<!\\)\./);
  let cur = target;
  parts.forEach((p, i) => {
    if (i === parts.length - 1) cur[p] = value;
    else cur = (cur[p] = asObject(cur[p]) ?? {}) as Record<string, unknown>;
  });
  return target;
}

export interface HelmRendered {
  ok: boolean;
  /** Rendered documents with the template each came from. */
  docs: Array<{ object: Record<string, unknown>; template: string | null }>;
  call: HelmTemplateCall;
  error: string | null;
}

/** Runs helm template for one Helm source (inline values in a temp file outside the repository). */
export async function renderHelmSource(spec: HelmSourceSpec, chartDir: string, opts: HelmRenderOptions): Promise<HelmRendered> {
  const tmp = tempDir('gitops-helm-');
  try {
    const valuesFile = path.join(tmp, 'values.yaml');
    const call = helmTemplateCall(spec, chartDir, opts, () => valuesFile);
    const inline = call.layers.find((l) => l.kind === 'valuesObject' || l.kind === 'values');
    if (inline) writeFileSync(valuesFile, stringify(inline.values));
    const env = { HELM_CACHE_HOME: path.join(tmp, 'cache'), HELM_CONFIG_HOME: path.join(tmp, 'config'), HELM_DATA_HOME: path.join(tmp, 'data') };
    // Its own process group, offline: a chart is rendered from .cache/charts only.
    const run = await runTool(opts.helm, call.args, { env, timeoutMs: opts.timeoutSeconds * 1000, cwd: tmp, offline: true, batchGo: true });
    if (run.exitCode !== 0 || run.timedOut) {
      const error = run.timedOut ? `helm template timed out after ${opts.timeoutSeconds}s and was stopped with every process it started` : run.startError !== null ? `helm could not run: ${run.startError}` : run.stderr.split(tmp).join('<tmp>').trim().split('\n').slice(0, 3).join(' ');
      return { ok: false, docs: [], call, error };
    }
    return { ok: true, docs: splitHelmOutput(run.stdout), call, error: null };
  } finally {
    removeTempDir(tmp);
  }
}

/** Documents of helm template output, each with the template named by its `# Source:` comment. */
export function splitHelmOutput(stdout: string): Array<{ object: Record<string, unknown>; template: string | null }> {
  const parsed = parseYaml(stdout);
  const out: Array<{ object: Record<string, unknown>; template: string | null }> = [];
  for (const d of parsed.docs) {
    const o = asObject(d.value);
    if (!o || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') continue;
    const m = /Source:\s*(\S+)/.exec(`${d.doc.commentBefore ?? ''}\n${(d.doc.contents as { commentBefore?: string | null } | null)?.commentBefore ?? ''}`);
    if (o.kind.endsWith('List') && Array.isArray(o.items)) {
      for (const item of o.items) {
        const io = asObject(item);
        if (io) out.push({ object: io, template: m?.[1] ?? null });
      }
    } else out.push({ object: o, template: m?.[1] ?? null });
  }
  return out;
}
