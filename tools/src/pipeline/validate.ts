/**
 * `gitops validate`: the targets of the repository (or of the PATH arguments, or of the changes),
 * the tools and engines they need, the one run (pipeline/run.ts), waivers, and the report.
 * Returns data; the command prints it.
 */
import { findRepoRoot, loadConfig, policyConfig } from '../util/config.js';
import { ToolError } from '../util/errors.js';
import { FileCache } from '../util/cache.js';
import { readBundle, type RuleMeta } from '../policy/bundle.js';
import { PolicyEngine } from '../policy/evaluate.js';
import { SchemaStore } from '../schema/store.js';
import { discoverTargets, targetsForChanges, targetsFromPaths } from '../discover/targets.js';
import { pinnedBinary, resolveKustomize } from '../maintain/tools.js';
import type { Finding, Report, Target } from './types.js';
import { applyWaivers, loadWaivers } from '../waivers/waivers.js';
import { summarize } from '../report/index.js';
import { kubernetesOf, run, type RunContext, type SchemaEngine } from './run.js';
import { ResultCache } from '../util/results.js';
import { networkNamespaceReady } from '../util/process.js';

export type { SchemaEngine } from './run.js';

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
  /** An unrendered Helm chart is an error and makes the run incomplete (--require-charts). */
  requireCharts?: boolean;
  /** Also send every cluster's state to a loopback kube-apiserver (apiserver/stage.ts); unset: apiserver.mode of gitops.yaml. */
  apiserver?: 'dry-run' | 'apply' | 'off';
  /** With apiserver: the base revision applied first (--since REF). */
  baseRef?: string;
  /** Compute every verdict again: neither read nor update the results cache (--no-cache). */
  noCache?: boolean;
}

export interface ValidateResult {
  report: Report;
  rules: RuleMeta[];
  repoRoot: string;
  /** Names of every target checked. */
  targets: string[];
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

  // kustomize and helm run without a network (util/process.ts): probed while the targets are found.
  void networkNamespaceReady();

  // Targets. One cache for the run: every YAML file is read and parsed once.
  const cache = opts.cache ?? new FileCache();
  const results = opts.noCache === true ? ResultCache.none() : ResultCache.forRepo(repoRoot);
  cache.useResults(results);
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

  const ctx: RunContext = { repoRoot, config, cache, kustomize: null, results };
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

  // Policies: loaded (sources hashed, wasm compiled) while the first targets render.
  let rules: RuleMeta[] = [];
  const engine: Promise<PolicyEngine | null> = (async () => {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      const bundle = readBundle(repoRoot, results);
      rules = bundle.manifest.rules;
      const loaded = await PolicyEngine.load(bundle, policyConfig(config));
      loaded.useResults(results);
      tools.policies = bundle.manifest.sourcesSha256;
      return loaded;
    } catch (err) {
      toolFinding(err instanceof ToolError ? 'tool/policy-bundle' : 'tool/policy', (err as Error).message);
      return null;
    }
  })();

  const result = await run(ctx, targets, {
    schema: store === null ? null : { store, engine: opts.schemaEngine, kubeconform },
    policy: engine,
    wholeRepository: wholeRepo,
    progress,
    requireCharts: opts.requireCharts === true,
  });
  results.save();
  Object.assign(tools, result.tools);
  findings.push(...result.findings);
  if (result.incomplete) incomplete = true;

  // The loopback API server: what it rejects at apply time.
  const apiserverMode = opts.apiserver ?? config.apiserver.mode;
  if (apiserverMode !== 'off') {
    // Loaded only when asked for: most runs never start an API server.
    const { validateWithApiserver } = await import('../apiserver/stage.js');
    const stage = await validateWithApiserver({
      repoRoot, cache, config, mode: apiserverMode, since: opts.baseRef, kustomize: ctx.kustomize, progress,
      targets: result.loaded.map((lt) => ({ target: lt.target, kustomization: lt.kustomization, resources: kubernetesOf(lt).map((d) => d.resource!) })),
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

  const resources = result.loaded.reduce((n, lt) => n + lt.documents.length, 0);
  const report: Report = {
    version: 1,
    summary: summarize(all, applied.waived, targets.length, resources, Date.now() - started, tools, incomplete),
    findings: all,
  };
  return { report, rules, repoRoot, targets: targets.map((t) => t.name) };
}

