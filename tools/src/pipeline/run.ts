/**
 * The one run of the gate, used by `gitops validate`, `gitops policy test` (a fixture is a target
 * with an expectation) and `gitops bench`: targets -> render -> documents (one adapter per input
 * kind) -> schema -> repository facts -> policy -> findings. Waivers and the report are the
 * caller's. Pure: returns data, never prints.
 */
import path from 'node:path';
import type { LineCounter } from 'yaml';
import type { GateConfig } from '../util/config.js';
import type { FileCache } from '../util/cache.js';
import { composeDocument, buildComposeInput } from '../inputs/compose.js';
import { dockerfileDocument, loadDockerfile } from '../inputs/dockerfile.js';
import { kubernetesDocument, resourcesFromDocs, resourcesFromRender } from '../inputs/kubernetes.js';
import { kustomizationDeps, kustomizationFile, parseRendered, remoteRefs, renderKustomization } from '../render/kustomize.js';
import type { PolicyEngine, Violation } from '../policy/evaluate.js';
import { remoteSources, repoUrlsOf, repositoryFacts } from '../policy/argocd.js';
import type { SchemaError } from '../schema/ajv.js';
import type { SchemaStore, TargetCrds } from '../schema/store.js';
import { runKubeconformSets } from '../schema/kubeconform.js';
import { rememberedLocation } from '../locate/sourcemap.js';
import { displayPath } from '../util/paths.js';
import { locateKustomizeError } from '../locate/mechanisms.js';
import { directoryFiles, isComposeFile, isDockerfile } from '../discover/targets.js';
import type { KustomizeRunner } from '../maintain/tools.js';
import { locateField, type ParsedYaml, type YamlDoc } from '../util/yaml.js';
import type { Document } from './document.js';
import type { Finding, Severity, Target } from './types.js';
import { capChartFindings, chartsMaxSeverity, dropRepeatedClusterFindings, expandClusterTargets, isClusterTarget, retargetPathFindings } from '../render/cluster-targets.js';
import type { RepositoryFacts } from '../policy/argocd.js';
import { ResultCache } from '../util/results.js';
import { mapLimit } from '../util/pool.js';
import { kubeconformVerdictKey, policyDocumentKey, policyObjectKey, policyTargetKey, schemaVerdictKey } from './verdicts.js';

export type SchemaEngine = 'auto' | 'ajv' | 'kubeconform' | 'both';

export interface RunContext {
  repoRoot: string;
  config: GateConfig;
  /** The run's one file cache. */
  cache: FileCache;
  /** null: kustomize is not available (kustomization targets are then incomplete). */
  kustomize: KustomizeRunner | null;
  /** Results of earlier runs (util/results.ts); absent: none kept. */
  results?: ResultCache;
}

export interface RunOptions {
  /** The schema stage; null skips it (policy fixtures). */
  schema: { store: SchemaStore; engine: SchemaEngine; kubeconform: string | null } | null;
  /** The policy stage (or its engine still loading); null skips it. */
  policy: PolicyEngine | null | Promise<PolicyEngine | null>;
  /** Whether the targets are the whole repository (the Argo CD overlay checks need it). */
  wholeRepository: boolean;
  /** A policy fixture: it stands for a cluster's render in the repository facts. */
  fixture?: boolean;
  progress?: (line: string) => void;
  /** An unrendered Helm chart is an error and makes the run incomplete (--require-charts). */
  requireCharts?: boolean;
}

/** What one target holds once read and rendered. */
export interface LoadedTarget {
  target: Target;
  /** Kustomization file of a kustomization target (for "rendered by"). */
  kustomization: string | null;
  documents: Document[];
  findings: Finding[];
  incomplete: boolean;
}

/** A policy violation with the document it was found on (policy fixtures judge these). */
export interface RunViolation {
  target: string;
  document: Document | null;
  violation: Violation;
}

export interface RunResult {
  loaded: LoadedTarget[];
  /** Every finding, in target order, before waivers. */
  findings: Finding[];
  violations: RunViolation[];
  incomplete: boolean;
  /** summary.tools entries of the cluster stage (helm, charts); empty without cluster targets. */
  tools: Record<string, string>;
  /** The repository facts the policies got (taken before the cluster stage). */
  facts: RepositoryFacts;
  /** data.environment of each target by name (taken before the cluster stage). */
  environments: Map<string, Array<Record<string, unknown>>>;
}

function resultsOf(ctx: RunContext): ResultCache {
  ctx.results ??= ResultCache.none();
  return ctx.results;
}

/** The results of one target's objects (ResultCache.forTarget): only the checked targets' files are read and written. */
function targetResults(ctx: RunContext, target: Target): ResultCache {
  return resultsOf(ctx).forTarget(target.name);
}

function fileFinding(ctx: RunContext, target: Target, ruleId: string, severity: Severity, message: string, abs: string | null, line = 1, column = 1, field: string | null = null): Finding {
  return {
    ruleId, severity, message, target: target.name, resource: null, field,
    location: abs === null ? null : { file: displayPath(ctx.repoRoot, abs), line, column },
  };
}

/** A finding on a document, located by its adapter. */
function documentFinding(lt: LoadedTarget, doc: Document, ruleId: string, severity: Severity, message: string, field: string | null, line: number | null, container: string | null = null): Finding {
  const at = doc.locate(field, line);
  const f: Finding = { ruleId, severity, message, target: lt.target.name, resource: at.resource, location: at.location, field: at.field };
  if (at.related.length > 0) f.related = at.related;
  const name = container ?? at.container;
  if (name !== null) f.container = name;
  return f;
}

/** Problems of every YAML file of a kustomization tree, so a failed render still names file:line. */
function yamlProblemsInTree(ctx: RunContext, target: Target): Finding[] {
  const out: Finding[] = [];
  for (const dep of kustomizationDeps(target.abs, ctx.cache)) {
    if (!/\.(ya?ml)$|Kustomization$/.test(dep.file)) continue;
    for (const p of ctx.cache.problems(dep.file) ?? []) {
      out.push(fileFinding(ctx, target, p.ruleId ?? 'input/yaml', 'error', `${displayPath(ctx.repoRoot, dep.file)}: ${p.message}`, dep.file, p.line, p.column));
    }
  }
  return out;
}

function addKubernetes(ctx: RunContext, lt: LoadedTarget, resources: ReturnType<typeof resourcesFromDocs>['resources']): void {
  for (const res of resources) {
    lt.documents.push(kubernetesDocument(res, (field) => rememberedLocation(targetResults(ctx, lt.target), ctx.repoRoot, ctx.cache, res, field, lt.kustomization)));
  }
}

async function loadKustomization(ctx: RunContext, lt: LoadedTarget): Promise<void> {
  const { target } = lt;
  lt.kustomization = kustomizationFile(target.abs);
  const remotes = remoteRefs(target.abs, ctx.cache);
  for (const r of remotes) {
    const parsed = ctx.cache.get(r.from);
    const loc = parsed?.docs[0] ? locateField(parsed.docs[0].doc, parsed.lineCounter, r.field) : { line: 1, column: 1 };
    lt.findings.push(fileFinding(ctx, target, 'input/remote-resource', 'error',
      `${displayPath(ctx.repoRoot, r.from)}: ${r.field} references remote content '${r.ref}'; the gate renders offline and never fetches it, so this target is not rendered: keep our kustomizations local and reach upstream content through a pinned Argo CD Application`,
      r.from, loc.line, loc.column, r.field));
  }
  if (remotes.length > 0 || ctx.kustomize === null) {
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
    if (out.timedOut) {
      lt.findings.push(fileFinding(ctx, target, 'tool/kustomize-timeout', 'error',
        `kustomize build timed out after ${ctx.config.render.timeoutSeconds}s and was stopped with every process it started (render.timeoutSeconds in gitops.yaml)`, lt.kustomization));
    } else if (out.crashed) {
      lt.findings.push(fileFinding(ctx, target, 'tool/kustomize', 'error',
        `kustomize crashed while rendering this target (${out.crashReason.split(`${ctx.repoRoot}/`).join('')}): the tool failed, not necessarily the kustomization; the target is not checked`, lt.kustomization));
    } else {
      lt.findings.push(kustomizeErrorFinding(ctx, lt, out.stderr));
    }
    return;
  }
  const rendered = parseRendered(out.stdout, targetResults(ctx, target));
  if (rendered.problem !== null) {
    // kustomize writes YAML it can read back: this is a cut or damaged output, never a pass.
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, target, 'tool/kustomize', 'error', `kustomize's output could not be read (${rendered.problem}); the target is not checked`, lt.kustomization));
    return;
  }
  addKubernetes(ctx, lt, resourcesFromRender(rendered.docs, out.wrapperDir, lt.kustomization ?? target.abs));
}

/** A kustomize error, at the kustomization entry it is about when the message names one. */
function kustomizeErrorFinding(ctx: RunContext, lt: LoadedTarget, stderr: string): Finding {
  const kfile = lt.kustomization ?? path.join(lt.target.abs, 'kustomization.yaml');
  if (stderr.replace(/^Error: /, '').trim() === '') {
    return fileFinding(ctx, lt.target, 'input/kustomize', 'error', 'kustomize build failed without a message', lt.kustomization);
  }
  const place = locateKustomizeError(stderr, kfile, ctx.repoRoot, kustomizationFile, (f) => ctx.cache.get(f));
  const f = fileFinding(ctx, lt.target, 'input/kustomize', 'error', `kustomize build failed: ${place.message}`, place.file, place.line, place.column, place.field);
  if (place.file !== kfile) f.related = [{ file: displayPath(ctx.repoRoot, kfile), line: 1, column: 1, message: 'rendered by' }];
  return f;
}

/** A YAML file through the run's cache; an unreadable or unparseable one is reported here. */
function readYaml(ctx: RunContext, lt: LoadedTarget, abs: string): ParsedYaml | null {
  const { parsed, error } = ctx.cache.read(abs);
  if (parsed === null) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, 'input/unreadable', 'error', `${displayPath(ctx.repoRoot, abs)}: cannot read (${error})`, abs));
    return null;
  }
  for (const p of parsed.problems) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, p.ruleId ?? 'input/yaml', 'error', `${displayPath(ctx.repoRoot, abs)}: ${p.message}`, abs, p.line, p.column));
  }
  return parsed;
}

function loadManifestFile(ctx: RunContext, lt: LoadedTarget, abs: string): void {
  const parsed = readYaml(ctx, lt, abs);
  if (parsed === null) return;
  const { resources, problems } = resourcesFromDocs(parsed.docs, abs);
  for (const p of problems) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, p.ruleId, 'error', `${displayPath(ctx.repoRoot, abs)}: ${p.message}`, abs, p.line, p.column));
  }
  addKubernetes(ctx, lt, resources);
}

async function loadDockerfileInto(ctx: RunContext, lt: LoadedTarget, abs: string): Promise<void> {
  const shown = displayPath(ctx.repoRoot, abs);
  const { input, problems } = await loadDockerfile(abs, shown);
  // The first problem is the mistake; later ones are usually its consequences.
  for (const p of problems.slice(0, 1)) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, 'input/dockerfile', 'error', `${shown}: ${p.message}`, abs, p.line, p.column));
  }
  if (problems.length === 0) lt.documents.push(dockerfileDocument(abs, shown, input));
}

async function loadComposeInto(ctx: RunContext, lt: LoadedTarget, abs: string): Promise<void> {
  const parsed = readYaml(ctx, lt, abs);
  const doc: YamlDoc | undefined = parsed?.docs[0];
  if (!parsed || parsed.problems.length > 0 || !doc) return;
  const shown = displayPath(ctx.repoRoot, abs);
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    lt.incomplete = true;
    lt.findings.push(fileFinding(ctx, lt.target, 'input/not-an-object', 'error', `${shown}: a compose file must be a mapping with services`, abs, doc.line, doc.column));
    return;
  }
  const input = await buildComposeInput(doc.value, abs, shown, ctx.repoRoot);
  const lineCounter: LineCounter = parsed.lineCounter;
  for (const [service, why] of Object.entries(input.unresolved)) {
    // Without the Dockerfile, build targets and ports cannot be checked: never a silent pass.
    lt.incomplete = true;
    const loc = locateField(doc.doc, lineCounter, `services.${service}.build`);
    lt.findings.push(fileFinding(ctx, lt.target, 'input/compose-build', 'error',
      `service '${service}': ${why}, so its build target and ports cannot be checked; fix build.context/build.dockerfile`,
      abs, loc.line, loc.column, `services.${service}.build`));
  }
  lt.documents.push(composeDocument(abs, shown, input, doc, lineCounter));
}

/** Reads and renders one target into Documents, through the adapter of each input kind. */
export async function loadTarget(ctx: RunContext, target: Target): Promise<LoadedTarget> {
  const lt: LoadedTarget = { target, kustomization: null, documents: [], findings: [], incomplete: false };
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
  // Kubernetes objects are numbered in the order of data.target.resources.
  kubernetesOf(lt).forEach((d, index) => {
    d.input.index = index;
  });
  return lt;
}

/** The Kubernetes documents of a target, in data.target.resources order. */
export function kubernetesOf(lt: LoadedTarget): Document[] {
  return lt.documents.filter((d) => d.resource !== null);
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

/** What kubeconform needs of a target after ajv checked it: its CRDs and the shared de-duplication. */
interface SchemaPass {
  lt: LoadedTarget;
  objects: Document[];
  crds: TargetCrds;
  add: (doc: Document, e: SchemaError, via: string) => void;
  /** The target's results (targetResults). */
  results: ResultCache;
}

function checkSchemas(ctx: RunContext, lt: LoadedTarget, schema: NonNullable<RunOptions['schema']>): SchemaPass {
  const { store, engine } = schema;
  const objects = kubernetesOf(lt);
  const crds: TargetCrds = store.targetCrds(objects.map((d) => d.resource!.object));
  for (const e of crds.errors) {
    lt.findings.push(fileFinding(ctx, lt.target, 'schema/crd', 'error', `CustomResourceDefinition/${e.name}: ${e.message}`, lt.kustomization));
  }
  const seen = new Set<string>();
  const add = (doc: Document, e: SchemaError, via: string): void => {
    const key = `${lt.documents.indexOf(doc)}|${e.instancePath}|${schemaRuleId(e)}`;
    if (seen.has(key)) return;
    seen.add(key);
    lt.findings.push(documentFinding(lt, doc, schemaRuleId(e), 'error', `${doc.schemaMessage(e)}${via}`, e.instancePath === '' ? null : e.instancePath, null));
  };
  const results = targetResults(ctx, lt.target);
  if (engine !== 'kubeconform') {
    for (const doc of objects) {
      // An unchanged object against an unchanged schema: the verdict of an earlier run.
      const key = schemaVerdictKey(results, store, doc.resource!.object, crds);
      const known = key === null ? undefined : results.get<SchemaError[]>('schema', key);
      if (known !== undefined) {
        for (const e of known) add(doc, e, '');
        continue;
      }
      const outcome = store.validate(doc.resource!.object, crds);
      if (key !== null && (outcome.status === 'valid' || outcome.status === 'invalid')) results.set('schema', key, outcome.errors);
      if (outcome.status === 'schema-error') {
        lt.incomplete = true;
        lt.findings.push(documentFinding(lt, doc, 'tool/schema', 'error', `${doc.resource!.ref.kind}/${doc.resource!.ref.name}: its schema could not be compiled: ${outcome.errors[0]?.message ?? ''}`, null, null));
        continue;
      }
      for (const e of outcome.errors) add(doc, e, '');
    }
  }
  for (const doc of objects) {
    // No schema requires a name (generateName is the alternative), but the API server does.
    const meta = (doc.resource!.object.metadata ?? {}) as Record<string, unknown>;
    const named = (typeof meta.name === 'string' && meta.name !== '') || (typeof meta.generateName === 'string' && meta.generateName !== '');
    if (!named) {
      lt.findings.push(documentFinding(lt, doc, 'schema/required', 'error',
        `${doc.resource!.ref.kind} without metadata.name: every object needs a name (or metadata.generateName) to be created`, 'metadata', null));
    }
  }
  for (const doc of lt.documents) {
    if (doc.schema === undefined) continue;
    let errors: SchemaError[];
    try {
      errors = doc.schema(store);
    } catch (err) {
      lt.incomplete = true;
      lt.findings.push(fileFinding(ctx, lt.target, 'tool/schema', 'error', (err as Error).message, doc.file));
      continue;
    }
    for (const e of errors) {
      const field = e.instancePath === '' ? null : e.instancePath;
      lt.findings.push(documentFinding(lt, doc, schemaRuleId(e), 'error', doc.schemaMessage(e), field, null));
    }
  }
  return { lt, objects, crds, add, results };
}

/**
 * kubeconform on every target of the run at once: one process (per distinct set of target CRDs),
 * given only the objects whose verdict no earlier run holds.
 */
async function checkKubeconform(ctx: RunContext, passes: SchemaPass[], schema: NonNullable<RunOptions['schema']>, kubeconform: string): Promise<void> {
  const via = schema.engine === 'kubeconform' ? '' : ' (kubeconform)';
  const pending = passes.map(({ objects, crds, add, results }) => objects.flatMap((doc, i) => {
    const key = kubeconformVerdictKey(results, schema.store, kubeconform, doc.resource!.object, crds);
    const known = key === null ? undefined : results.get<SchemaError[]>('kubeconform', key);
    if (known === undefined) return [{ i, doc, key }];
    for (const e of known) add(doc, e, via);
    return [];
  }));
  const outcomes = await runKubeconformSets(
    passes.map((p, t) => ({ docs: pending[t]!.map(({ i, doc }) => ({ id: `${t}:${i}`, object: doc.resource!.object })), extraCrdSchemas: [...p.crds.byKey.values()] })),
    { bin: kubeconform, repoRoot: ctx.repoRoot, kubernetesVersion: ctx.config.kubernetesVersion },
  );
  passes.forEach(({ lt, add, results }, t) => {
    const outcome = outcomes[t]!;
    if (!outcome.ok) {
      lt.incomplete = true;
      lt.findings.push(fileFinding(ctx, lt.target, 'tool/kubeconform', 'error', `kubeconform failed: ${outcome.error.message}`, null));
      return;
    }
    for (const { i, doc, key } of pending[t]!) {
      const result = outcome.results.get(`${t}:${i}`);
      if (!result) continue;
      for (const e of result.errors) add(doc, e, via);
      if (key !== null && result.status !== 'error') results.set('kubeconform', key, result.errors);
    }
  });
}

/** Finds the Kubernetes document `index` of a target by name (related locations of a violation). */
type DocumentLookup = (target: string, index: number) => Document | undefined;

/** Objects of the other rendered targets of the same environment (data.environment of the policies). */
function environmentOf(lt: LoadedTarget, loaded: LoadedTarget[]): Array<Record<string, unknown>> {
  if (lt.target.env === null) return [];
  return loaded.filter((o) => o !== lt && o.target.env === lt.target.env).flatMap((o) => kubernetesOf(o).map((d) => d.resource!.object));
}

function checkPolicies(ctx: RunContext, lt: LoadedTarget, engine: PolicyEngine, violations: RunViolation[], lookup: DocumentLookup, environment: Array<Record<string, unknown>>): void {
  const results = targetResults(ctx, lt.target);
  const resources = kubernetesOf(lt).map((d) => d.resource!.object);
  // Violations depend on the document and on the whole target as data: an unchanged target's
  // documents take an earlier run's verdicts, and the data is only handed over when one is missing.
  const targetKey = results.enabled ? policyTargetKey(results, engine, lt.target, resources, environment) : null;
  // With the cache, object-scoped rules (policy/scope.ts) are kept apart: their verdict depends
  // on the document alone, so it survives edits elsewhere in the target.
  const scoped = targetKey !== null && engine.hasScopes;
  let dataSet = false;
  const evaluate = (input: Record<string, unknown>, scope: 'all' | 'object' | 'target', ns: string, key: string | null): Violation[] =>
    results.remember(ns, key, () => {
      if (!dataSet) {
        engine.setTarget({ name: lt.target.name, env: lt.target.env, resources }, environment);
        dataSet = true;
      }
      return engine.evaluate(input, scope);
    });
  for (const doc of lt.documents) {
    let found: Violation[];
    try {
      if (scoped) {
        found = [
          ...evaluate(doc.input, 'object', 'policy-object', policyObjectKey(results, engine, lt.target, doc.input)),
          ...evaluate(doc.input, 'target', 'policy', policyDocumentKey(results, targetKey, 'target', doc.input)),
        ];
      } else {
        found = evaluate(doc.input, 'all', 'policy', targetKey === null ? null : policyDocumentKey(results, targetKey, 'all', doc.input));
      }
    } catch (err) {
      lt.incomplete = true;
      const what = doc.resource !== null ? `${doc.resource.ref.kind}/${doc.resource.ref.name}` : displayPath(ctx.repoRoot, doc.file);
      lt.findings.push(fileFinding(ctx, lt.target, 'tool/policy', 'error', `${what}: ${(err as Error).message}`, null));
      continue;
    }
    for (const v of found) {
      violations.push({ target: lt.target.name, document: doc, violation: v });
      const f = documentFinding(lt, doc, v.ruleId, v.severity, v.message, v.field, v.line, v.container);
      const related = v.related.flatMap((r) => {
        const other = lookup(r.target, r.index);
        return other ? [{ ...other.locate(r.field, null).location, message: r.message }] : [];
      });
      if (related.length > 0) f.related = [...related, ...(f.related ?? [])];
      lt.findings.push(f);
    }
  }
}

/** Strings the stages together over `targets`. */
export async function run(ctx: RunContext, targets: Target[], opts: RunOptions): Promise<RunResult> {
  const progress = opts.progress ?? (() => {});
  let done = 0;
  const passes: SchemaPass[] = [];
  // Render and read targets in parallel, schema-check each, then evaluate the policies.
  const loading = mapLimit(targets, ctx.config.render.parallelism, async (t) => {
    const t0 = Date.now();
    const lt = await loadTarget(ctx, t);
    // A cluster target is schema-checked once it holds the cluster's whole state (below).
    if (opts.schema !== null && !isClusterTarget(t)) passes.push(checkSchemas(ctx, lt, opts.schema));
    done += 1;
    progress(`[${done}/${targets.length}] ${t.name}: ${lt.documents.length} documents (${Date.now() - t0} ms)`);
    return lt;
  });
  // While the first renders run: the earlier verdicts the stages below look up.
  setImmediate(() => {
    for (const t of targets) {
      targetResults(ctx, t).preload([
        'rendered', 'location',
        ...(opts.schema !== null && opts.schema.engine !== 'kubeconform' ? ['schema'] : []),
        ...(opts.policy !== null ? ['policy-object', 'policy'] : []),
      ]);
    }
  });
  const loaded = await loading;
  const findings: Finding[] = [];
  const violations: RunViolation[] = [];
  let incomplete = false;
  // The repository-wide facts (Argo CD wiring) are data.repository for every evaluation.
  // Taken from the targets as rendered, before the cluster stage adds what Applications deploy.
  const rendered = loaded.map((lt) => ({ target: lt.target, resources: kubernetesOf(lt).map((d) => d.resource!) }));
  const facts = repositoryFacts(ctx.repoRoot, rendered, { wholeRepository: opts.wholeRepository, fixture: opts.fixture === true });
  // data.environment as the targets were rendered (before the cluster stage adds overlay objects to clusters).
  const environments = new Map(loaded.map((lt) => [lt, environmentOf(lt, loaded)]));
  const engine = await opts.policy;
  if (engine !== null) engine.setRepository(facts);
  // The cluster stage: each cluster target grows into its whole state (the Applications' kustomize
  // paths and rendered Helm charts, render/cluster.ts), added through the Kubernetes adapter.
  const clusterStage = await expandClusterTargets(ctx.repoRoot, ctx.config, ctx.cache, ctx.kustomize, loaded, opts.requireCharts === true,
    (res, lt) => kubernetesDocument(res, (field) => rememberedLocation(targetResults(ctx, (lt as LoadedTarget).target), ctx.repoRoot, ctx.cache, res, field, (lt as LoadedTarget).kustomization)), progress);
  for (const lt of loaded) {
    if (!clusterStage.expanded.has(lt.target.name)) continue;
    kubernetesOf(lt).forEach((d, index) => {
      d.input.index = index;
    });
    if (opts.schema !== null) {
      passes.push(checkSchemas(ctx, lt, opts.schema));
      progress(`schemas ${lt.target.name}: ${lt.documents.length} documents of the whole cluster checked`);
    }
  }
  const byName = new Map(loaded.map((lt) => [lt.target.name, kubernetesOf(lt)]));
  const lookup: DocumentLookup = (target, index) => byName.get(target)?.[index];
  // kubeconform runs (one process for the run) while the policies evaluate in this one.
  const kubeconform = opts.schema?.kubeconform ?? null;
  const kubeconformDone = opts.schema !== null && kubeconform !== null ? checkKubeconform(ctx, passes, opts.schema, kubeconform) : Promise.resolve();
  let evaluated = 0;
  for (const lt of loaded) {
    if (engine === null) continue;
    const t0 = Date.now();
    checkPolicies(ctx, lt, engine, violations, lookup, environments.get(lt) ?? []);
    evaluated += 1;
    progress(`[${evaluated}/${loaded.length}] policies ${lt.target.name}: ${lt.documents.length} documents (${Date.now() - t0} ms)`);
  }
  await kubeconformDone;
  // A finding another target reports the same way is kept there; chart objects' policy findings capped.
  dropRepeatedClusterFindings(loaded, clusterStage.expanded);
  retargetPathFindings(loaded, clusterStage.expanded);
  capChartFindings(loaded, clusterStage.expanded, chartsMaxSeverity(ctx.config));
  for (const lt of loaded) {
    findings.push(...lt.findings);
    if (lt.incomplete) incomplete = true;
  }
  if (engine !== null) {
    // Rules about the repository as a whole read one `repository` document, once per run.
    try {
      const results = resultsOf(ctx);
      const key = results.enabled ? results.key(policyTargetKey(results, engine, { name: '.', env: null }, [], []), 'repository') : null;
      const found = results.remember('policy', key, () => {
        engine.setTarget({ name: '.', env: null, resources: [] });
        return engine.evaluate({ kind: 'repository' });
      });
      for (const v of found) {
        violations.push({ target: v.target ?? '.', document: null, violation: v });
        findings.push({
          ruleId: v.ruleId, severity: v.severity, message: v.message, target: v.target ?? '.', resource: null,
          location: v.file === null ? null : { file: v.file, line: v.line ?? 1, column: 1 }, field: null,
        });
      }
    } catch (err) {
      incomplete = true;
      findings.push({ ruleId: 'tool/policy', severity: 'error', message: `the repository: ${(err as Error).message}`, target: '.', resource: null, location: null, field: null });
    }
  }
  // What Applications point at that stays remote, on every run (charts of expanded clusters excepted).
  findings.push(...remoteSources(ctx.repoRoot, rendered, repoUrlsOf(ctx.config.policy), ctx.cache, clusterStage.expanded));
  return { loaded, findings, violations, incomplete, tools: clusterStage.tools, facts, environments: new Map([...environments].map(([lt, env]) => [lt.target.name, env])) };
}
