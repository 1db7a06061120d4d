/**
 * `gitops validate`, the pipeline: targets -> render -> parse -> source map -> schema -> policy ->
 * waivers -> report. Returns data; the command prints it.
 */
import path from 'node:path';
import { findRepoRoot, loadConfig, policyConfig, type GateConfig } from '../util/config.js';
import { ToolError } from '../util/errors.js';
import { buildComposeInput, type ComposeInput } from '../inputs/compose.js';
import { loadDockerfile, type DockerfileInput } from '../inputs/dockerfile.js';
import { kustomizationDeps, kustomizationFile, remoteRefs, renderKustomization } from '../render/kustomize.js';
import { readBundle, type RuleMeta } from '../policy/bundle.js';
import { PolicyEngine, type Violation } from '../policy/evaluate.js';
import { resourcesFromDocs, resourcesFromRender } from '../inputs/kubernetes.js';
import { SchemaStore, type TargetCrds } from '../schema/store.js';
import { runKubeconform } from '../schema/kubeconform.js';
import type { SchemaError } from '../schema/ajv.js';
import { displayPath, mapLocation } from '../locate/sourcemap.js';
import { FileCache } from '../util/cache.js';
import { directoryFiles, discoverTargets, isComposeFile, isDockerfile, targetsForChanges, targetsFromPaths } from '../discover/targets.js';
import { pinnedBinary, resolveKustomize, type KustomizeRunner } from '../maintain/tools.js';
import type { Finding, Report, Resource, Severity, Target } from './types.js';
import { applyWaivers, loadWaivers } from '../waivers/waivers.js';
import type { LineCounter } from 'yaml';
import { locateField, parseYaml, type ParsedYaml, type YamlDoc } from '../util/yaml.js';
import { checkApplications, DEFAULT_REPO_URLS } from '../policy/argocd.js';
import { summarize } from '../report/index.js';
import { validateWithApiserver } from '../apiserver/stage.js';

export type SchemaEngine = 'auto' | 'ajv' | 'kubeconform' | 'both';

export interface ValidateOptions {
  cwd: string;
  /** PATH arguments; empty: the whole repository. */
  paths: string[];
  /** Absolute paths of changed files (--changed); undefined: not asked. */
  changedFiles?: string[];
  schemaEngine: SchemaEngine;
  /** YYYY-MM-DD, for waiver expiry (injectable clock). */
  today?: string;
  progress?: (line: string) => void;
  /** The run's file cache (tests pass one in to count reads); default: a new one. */
  cache?: FileCache;
  /** Also send every cluster's state to a loopback kube-apiserver (apiserver/stage.ts). */
  apiserver?: 'dry-run' | 'apply';
  /** With apiserver: the base revision applied first (--since REF). */
  baseRef?: string;
}

export interface ValidateResult {
  report: Report;
  rules: RuleMeta[];
  repoRoot: string;
  /** Names of every target checked. */
  targets: string[];
}

/** What one target holds once read and rendered. */
export interface LoadedTarget {
  target: Target;
  /** Kustomization file of a kustomization target (for "rendered by"). */
  kustomization: string | null;
  resources: Resource[];
  dockerfiles: Array<{ abs: string; input: DockerfileInput }>;
  composes: Array<{ abs: string; input: ComposeInput; doc: YamlDoc; lineCounter: LineCounter }>;
  findings: Finding[];
  incomplete: boolean;
}

interface Ctx {
  repoRoot: string;
  config: GateConfig;
  cache: FileCache;
  kustomize: KustomizeRunner | null;
}

function fileFinding(ctx: Ctx, target: Target, ruleId: string, severity: Severity, message: string, abs: string | null, line = 1, column = 1, field: string | null = null): Finding {
  return {
    ruleId, severity, message, target: target.name, resource: null, field,
    location: abs === null ? null : { file: displayPath(ctx.repoRoot, abs), line, column },
  };
}

function resourceFinding(ctx: Ctx, lt: LoadedTarget, res: Resource, ruleId: string, severity: Severity, message: string, field: string | null): Finding {
  const mapped = mapLocation(ctx.repoRoot, ctx.cache, res, field, lt.kustomization);
  const f: Finding = { ruleId, severity, message, target: lt.target.name, resource: res.ref, location: mapped.location, field };
  if (mapped.related.length > 0) f.related = mapped.related;
  return f;
}

/** Problems of every YAML file of a kustomization tree, so a failed render still names file:line. */
function yamlProblemsInTree(ctx: Ctx, target: Target): Finding[] {
  const out: Finding[] = [];
  for (const dep of kustomizationDeps(target.abs, ctx.cache)) {
    if (!/\.(ya?ml)$|Kustomization$/.test(dep.file)) continue;
    const parsed = ctx.cache.get(dep.file);
    for (const p of parsed?.problems ?? []) {
      out.push(fileFinding(ctx, target, 'input/yaml', 'error', `${displayPath(ctx.repoRoot, dep.file)}: ${p.message}`, dep.file, p.line, p.column));
    }
  }
  return out;
}

async function loadKustomization(ctx: Ctx, lt: LoadedTarget): Promise<void> {
  const { target } = lt;
  lt.kustomization = kustomizationFile(target.abs);
  const remotes = remoteRefs(target.abs, ctx.cache);
  for (const r of remotes) {
    lt.findings.push(fileFinding(ctx, target, 'input/remote-resource', 'error',
      `${displayPath(ctx.repoRoot, r.from)} references remote content '${r.ref}', which is never fetched offline: keep our kustomizations local and reach upstream content through a pinned Argo CD Application`, r.from));
  }
  if (ctx.kustomize === null) {
    lt.incomplete = true;
    return;
  }
  const treeProblems = yamlProblemsInTree(ctx, target);
  if (treeProblems.length > 0) {
    lt.findings.push(...treeProblems);
    lt.incomplete = true;
    return;
  }
  const out = await renderKustomization(ctx.kustomize, target.abs, ctx.config.render.timeoutSeconds);
  if (!out.ok) {
    lt.incomplete = true;
    const message = out.timedOut
      ? `kustomize build timed out after ${ctx.config.render.timeoutSeconds}s (render.timeoutSeconds in gitops.yaml)`
      : `kustomize build failed: ${out.stderr.replace(/^Error: /, '').trim().split('\n')[0]}`;
    lt.findings.push(fileFinding(ctx, target, out.timedOut ? 'tool/kustomize-timeout' : 'input/kustomize', 'error', message, lt.kustomization));
    return;
  }
  const parsed = parseYaml(out.stdout);
  lt.resources = resourcesFromRender(parsed.docs, out.wrapperDir, lt.kustomization ?? target.abs);
}

/** A YAML file through the run's cache; an unreadable or unparseable one is reported here. */
function readYaml(ctx: Ctx, lt: LoadedTarget, abs: string): ParsedYaml | null {
  const { parsed, error } = ctx.cache.read(abs);
  if (parsed === null) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, 'input/unreadable', 'error', `${displayPath(ctx.repoRoot, abs)}: cannot read (${error})`, abs));
    return null;
  }
  for (const p of parsed.problems) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, 'input/yaml', 'error', `${displayPath(ctx.repoRoot, abs)}: ${p.message}`, abs, p.line, p.column));
  }
  return parsed;
}

function loadManifestFile(ctx: Ctx, lt: LoadedTarget, abs: string): void {
  const parsed = readYaml(ctx, lt, abs);
  if (parsed === null) return;
  const { resources, problems } = resourcesFromDocs(parsed.docs, abs);
  for (const p of problems) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, p.ruleId, 'error', `${displayPath(ctx.repoRoot, abs)}: ${p.message}`, abs, p.line, p.column));
  }
  lt.resources.push(...resources);
}

async function loadDockerfileInto(ctx: Ctx, lt: LoadedTarget, abs: string): Promise<void> {
  const { input, problems } = await loadDockerfile(abs, displayPath(ctx.repoRoot, abs));
  // The first problem is the mistake; later ones are usually its consequences.
  for (const p of problems.slice(0, 1)) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, 'input/dockerfile', 'error', `${displayPath(ctx.repoRoot, abs)}: ${p.message}`, abs, p.line, p.column));
  }
  if (problems.length === 0) lt.dockerfiles.push({ abs, input });
}

async function loadComposeInto(ctx: Ctx, lt: LoadedTarget, abs: string): Promise<void> {
  const parsed = readYaml(ctx, lt, abs);
  const doc = parsed?.docs[0];
  if (!parsed || parsed.problems.length > 0 || !doc) return;
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, 'input/not-an-object', 'error', `${displayPath(ctx.repoRoot, abs)}: a compose file must be a mapping with services`, abs, doc.line, doc.column));
    return;
  }
  const input = await buildComposeInput(doc.value, abs, displayPath(ctx.repoRoot, abs), ctx.repoRoot);
  for (const [service, why] of Object.entries(input.unresolved)) {
    // Without the Dockerfile, build targets and ports cannot be checked: never a silent pass.
    lt.incomplete = true;
    const loc = locateField(doc.doc, parsed.lineCounter, `services.${service}.build`);
    lt.findings.push(fileFinding(ctx, lt.target, 'input/compose-build', 'error',
      `service '${service}': ${why}, so its build target and ports cannot be checked; fix build.context/build.dockerfile`,
      abs, loc.line, loc.column, `services.${service}.build`));
  }
  lt.composes.push({ abs, input, doc, lineCounter: parsed.lineCounter });
}

async function loadTarget(ctx: Ctx, target: Target): Promise<LoadedTarget> {
  const lt: LoadedTarget = { target, kustomization: null, resources: [], dockerfiles: [], composes: [], findings: [], incomplete: false };
  if (target.kind === 'kustomization') {
    await loadKustomization(ctx, lt);
  } else if (target.kind === 'directory') {
    const files = directoryFiles(target.abs);
    for (const f of files.manifests) loadManifestFile(ctx, lt, f);
    for (const f of files.dockerfiles) await loadDockerfileInto(ctx, lt, f);
    for (const f of files.composes) await loadComposeInto(ctx, lt, f);
  } else {
    const name = path.basename(target.abs);
    if (isDockerfile(name)) await loadDockerfileInto(ctx, lt, target.abs);
    else if (isComposeFile(name)) await loadComposeInto(ctx, lt, target.abs);
    else loadManifestFile(ctx, lt, target.abs);
  }
  return lt;
}

function schemaRuleId(e: SchemaError): string {
  switch (e.keyword) {
    case 'additionalProperties': return 'schema/unknown-field';
    case 'type': return 'schema/type';
    case 'required': return 'schema/required';
    case 'enum': return 'schema/enum';
    case 'unknown-kind': return 'schema/unknown-kind';
    default: return 'schema/invalid';
  }
}

function schemaMessage(res: Resource, e: SchemaError): string {
  const where = e.instancePath ? `${e.instancePath}: ` : '';
  return `${res.ref.kind}/${res.ref.name}: ${where}${e.message}`;
}

async function checkSchemas(ctx: Ctx, lt: LoadedTarget, store: SchemaStore, engine: SchemaEngine, kubeconform: string | null): Promise<void> {
  const objects = lt.resources.map((r) => r.object);
  const crds: TargetCrds = store.targetCrds(objects);
  for (const e of crds.errors) {
    lt.findings.push(fileFinding(ctx, lt.target, 'schema/crd', 'error', `CustomResourceDefinition/${e.name}: ${e.message}`, lt.kustomization));
  }
  const seen = new Set<string>();
  const add = (res: Resource, e: SchemaError, via: string): void => {
    const key = `${lt.resources.indexOf(res)}|${e.instancePath}|${schemaRuleId(e)}`;
    if (seen.has(key)) return;
    seen.add(key);
    lt.findings.push(resourceFinding(ctx, lt, res, schemaRuleId(e), 'error', `${schemaMessage(res, e)}${via}`, e.instancePath === '' ? null : e.instancePath));
  };
  if (engine !== 'kubeconform') {
    for (const res of lt.resources) {
      const outcome = store.validate(res.object, crds);
      if (outcome.status === 'schema-error') {
        lt.incomplete = true;
        lt.findings.push(resourceFinding(ctx, lt, res, 'tool/schema', 'error', `${res.ref.kind}/${res.ref.name}: its schema could not be compiled: ${outcome.errors[0]?.message ?? ''}`, null));
        continue;
      }
      for (const e of outcome.errors) add(res, e, '');
    }
  }
  for (const c of lt.composes) {
    let errors: SchemaError[];
    try {
      errors = store.validateCompose(c.input.resource);
    } catch (err) {
      lt.incomplete = true;
      lt.findings.push(fileFinding(ctx, lt.target, 'tool/schema', 'error', (err as Error).message, c.abs));
      continue;
    }
    for (const e of errors) {
      const field = e.instancePath === '' ? null : e.instancePath;
      const loc = locateField(c.doc.doc, c.lineCounter, field);
      lt.findings.push(fileFinding(ctx, lt.target, schemaRuleId(e), 'error', `compose: ${field ? `${field}: ` : ''}${e.message}`, c.abs, loc.line, loc.column, field));
    }
  }
  if (kubeconform !== null && lt.resources.length > 0) {
    try {
      const results = await runKubeconform(
        lt.resources.map((r, i) => ({ id: String(i), object: r.object })),
        { bin: kubeconform, repoRoot: ctx.repoRoot, kubernetesVersion: ctx.config.kubernetesVersion, extraCrdSchemas: [...crds.byKey.values()] },
      );
      for (const [id, result] of results) {
        const res = lt.resources[Number(id)];
        if (!res) continue;
        for (const e of result.errors) add(res, e, engine === 'kubeconform' ? '' : ' (kubeconform)');
      }
    } catch (err) {
      lt.incomplete = true;
      lt.findings.push(fileFinding(ctx, lt.target, 'tool/kubeconform', 'error', `kubeconform failed: ${(err as Error).message}`, null));
    }
  }
}

function checkPolicies(ctx: Ctx, lt: LoadedTarget, engine: PolicyEngine): void {
  const objects = lt.resources.map((r) => r.object);
  engine.setTarget({ name: lt.target.name, env: lt.target.env, resources: objects });
  const policyFailure = (err: unknown, what: string): void => {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, 'tool/policy', 'error', `${what}: ${(err as Error).message}`, null));
  };
  lt.resources.forEach((res, index) => {
    let violations: Violation[];
    try {
      violations = engine.evaluate({ kind: 'kubernetes', index, resource: res.object });
    } catch (err) {
      policyFailure(err, `${res.ref.kind}/${res.ref.name}`);
      return;
    }
    for (const v of violations) lt.findings.push(resourceFinding(ctx, lt, res, v.ruleId, v.severity, v.message, v.field));
  });
  for (const d of lt.dockerfiles) {
    try {
      for (const v of engine.evaluate(d.input as unknown as Record<string, unknown>)) {
        lt.findings.push(fileFinding(ctx, lt.target, v.ruleId, v.severity, v.message, d.abs, v.line ?? 1, 1));
      }
    } catch (err) {
      policyFailure(err, displayPath(ctx.repoRoot, d.abs));
    }
  }
  for (const c of lt.composes) {
    let violations: Violation[];
    try {
      violations = engine.evaluate(c.input as unknown as Record<string, unknown>);
    } catch (err) {
      policyFailure(err, displayPath(ctx.repoRoot, c.abs));
      continue;
    }
    for (const v of violations) {
      const loc = v.field === null && v.line !== null ? { line: v.line, column: 1 } : locateField(c.doc.doc, c.lineCounter, v.field);
      lt.findings.push(fileFinding(ctx, lt.target, v.ruleId, v.severity, v.message, c.abs, loc.line, loc.column, v.field));
    }
  }
}

async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export async function validate(opts: ValidateOptions): Promise<ValidateResult> {
  const started = Date.now();
  const repoRoot = findRepoRoot(opts.cwd);
  const config = loadConfig(repoRoot);
  const progress = opts.progress ?? (() => {});
  const findings: Finding[] = [];
  let incomplete = false;
  const tools: Record<string, string> = {};
  const toolFinding = (ruleId: string, message: string): void => {
    incomplete = true;
    findings.push({ ruleId, severity: 'error', message, target: '.', resource: null, location: null, field: null });
  };

  // Targets. One cache for the run: every YAML file is read and parsed once.
  const cache = opts.cache ?? new FileCache();
  let targets: Target[];
  const wholeRepo = opts.paths.length === 0 && opts.changedFiles === undefined;
  if (opts.paths.length > 0) {
    const r = targetsFromPaths(repoRoot, opts.cwd, opts.paths, cache);
    targets = r.targets;
    for (const p of r.problems) {
      incomplete = true;
      findings.push({ ruleId: 'input/path', severity: 'error', message: p.message, target: p.given, resource: null, location: null, field: null });
    }
  } else {
    targets = discoverTargets(repoRoot, cache);
    if (opts.changedFiles !== undefined) targets = targetsForChanges(repoRoot, targets, opts.changedFiles, cache);
  }

  const ctx: Ctx = { repoRoot, config, cache, kustomize: null };
  if (targets.some((t) => t.kind === 'kustomization')) {
    try {
      ctx.kustomize = await resolveKustomize(repoRoot);
      tools.kustomize = ctx.kustomize.label;
    } catch (err) {
      toolFinding('tool/kustomize', (err as Error).message);
    }
  }

  // Schema engines
  let store: SchemaStore | null = null;
  try {
    store = SchemaStore.open(repoRoot, config.kubernetesVersion);
    tools.schemas = store.description;
  } catch (err) {
    toolFinding('tool/schemas', (err as Error).message);
  }
  let kubeconform: string | null = null;
  if (opts.schemaEngine !== 'ajv') {
    kubeconform = pinnedBinary(repoRoot, 'kubeconform');
    if (kubeconform === null && opts.schemaEngine !== 'auto') {
      toolFinding('tool/kubeconform', `--schema-engine ${opts.schemaEngine} needs kubeconform in .tools/bin: run 'npx gitops setup'`);
    }
  }
  tools.schemaEngines = [opts.schemaEngine !== 'kubeconform' ? 'ajv' : null, kubeconform !== null ? 'kubeconform' : null].filter(Boolean).join('+');

  // Policies
  let engine: PolicyEngine | null = null;
  let rules: RuleMeta[] = [];
  try {
    const bundle = readBundle(repoRoot);
    rules = bundle.manifest.rules;
    engine = await PolicyEngine.load(bundle, policyConfig(config));
    tools.policies = bundle.manifest.sourcesSha256;
  } catch (err) {
    toolFinding(err instanceof ToolError ? 'tool/policy-bundle' : 'tool/policy', (err as Error).message);
  }

  // Render and read targets in parallel, then check each.
  let done = 0;
  const loaded = await pool(targets, config.render.parallelism, async (t) => {
    const t0 = Date.now();
    const lt = await loadTarget(ctx, t);
    if (store !== null) await checkSchemas(ctx, lt, store, opts.schemaEngine, kubeconform);
    done += 1;
    progress(`[${done}/${targets.length}] ${t.name}: ${lt.resources.length + lt.dockerfiles.length + lt.composes.length} documents (${Date.now() - t0} ms)`);
    return lt;
  });
  for (const lt of loaded) {
    if (engine !== null) checkPolicies(ctx, lt, engine);
    findings.push(...lt.findings);
    if (lt.incomplete) incomplete = true;
  }

  // Argo CD: what each Application points at (and what stays remote) on every run; which
  // Application deploys each overlay only when the whole repository was rendered.
  findings.push(...checkApplications(repoRoot, loaded.map((lt) => ({ target: lt.target, resources: lt.resources })), {
    repoUrls: ((config.policy.argocd as { repoUrls?: string[] } | undefined)?.repoUrls) ?? DEFAULT_REPO_URLS,
    wholeRepository: wholeRepo,
    cache,
  }));

  // The loopback API server: what it rejects at apply time.
  if (opts.apiserver !== undefined) {
    const stage = await validateWithApiserver({
      repoRoot, cache, config, mode: opts.apiserver, since: opts.baseRef, kustomize: ctx.kustomize, progress,
      targets: loaded.map((lt) => ({ target: lt.target, kustomization: lt.kustomization, resources: lt.resources })),
    });
    findings.push(...stage.findings);
    if (stage.incomplete) incomplete = true;
    tools.apiserver = stage.tool;
  }

  // Waivers
  const { waivers, problems } = loadWaivers(repoRoot, cache);
  if (problems.length > 0) incomplete = true;
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const applied = applyWaivers(findings, waivers, today, wholeRepo);
  const all = [...applied.kept, ...applied.findings, ...problems];

  const resources = loaded.reduce((n, lt) => n + lt.resources.length + lt.dockerfiles.length + lt.composes.length, 0);
  const report: Report = {
    version: 1,
    summary: summarize(all, applied.waived, targets.length, resources, Date.now() - started, tools, incomplete),
    findings: all,
  };
  return { report, rules, repoRoot, targets: targets.map((t) => t.name) };
}

