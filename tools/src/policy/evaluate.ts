/**
 * Evaluates the wasm bundle: one loaded instance, the whole target as data, one evaluation per
 * document (Kubernetes object, Dockerfile, compose file). An evaluation covers every rule
 * (main/findings) or the rules of one scope (policy/scope.ts): the object-scoped rules' findings
 * of a document depend on nothing of the target but its name and env, so they can be cached.
 */
import { createRequire } from 'node:module';
import type * as OpaWasm from '@open-policy-agent/opa-wasm';
import { ToolError } from '../util/errors.js';
import type { Severity } from '../pipeline/types.js';
import { ENTRYPOINT, ruleIdOf, type LoadedBundle, type RuleMeta } from './bundle.js';
import type { RepositoryFacts } from './argocd.js';
import { collectPromql, collectUnits, parsePromql, type PromqlResult } from './facts.js';
import { targetIndex } from './target-index.js';
import type { EvaluationScope } from './scope.js';
import { digest, type ResultCache } from '../util/results.js';

export interface Violation {
  /** Rule id (k8s/run-as-non-root). */
  ruleId: string;
  severity: Severity;
  message: string;
  field: string | null;
  line: number | null;
  /** For a repository-wide rule (input kind `repository`): the repository-relative file to act on, and its target. */
  file: string | null;
  target: string | null;
  /** The container the violation is about, when the rule names it (else the gate derives it from `field`). */
  container: string | null;
  /** Other objects to show with the finding: the Kubernetes object `index` of target `target`, at `field`. */
  related: RelatedRef[];
}

export interface RelatedRef {
  target: string;
  index: number;
  field: string | null;
  message: string;
}

export interface TargetData {
  name: string;
  env: string | null;
  resources: Array<Record<string, unknown>>;
}

// Its CommonJS entry: the ES module entry exports only the asynchronous loadPolicy.
const opa = createRequire(import.meta.url)('@open-policy-agent/opa-wasm') as typeof OpaWasm;
type Policy = ReturnType<typeof opa.loadPolicySync>;

interface RawViolation {
  policy?: unknown;
  msg?: unknown;
  field?: unknown;
  line?: unknown;
  severity?: unknown;
  file?: unknown;
  target?: unknown;
  container?: unknown;
  related?: unknown;
}

/**
 * The data document the policies read: the whole target, facts the wasm runtime cannot compute
 * (quantities, also of the settings such as policy.istioSidecar; PromQL parses), the target index
 * (lookups cross-resource rules would otherwise rebuild for every object), and the settings.
 * `environment` holds the objects of the run's other targets of the same environment
 * (overlays/dev sees clusters/dev and the reverse), for rules that join the platform add-ons'
 * Helm values with the overlay's objects.
 */
export function policyData(
  target: TargetData,
  config: Record<string, unknown>,
  repository: RepositoryFacts = NO_FACTS,
  environment: Array<Record<string, unknown>> = [],
  promql: (expr: string) => PromqlResult = parsePromql,
): Record<string, unknown> {
  return {
    target,
    environment: { resources: environment },
    units: collectUnits([...target.resources, config]),
    promql: collectPromql(target.resources, promql),
    index: targetIndex(target.resources),
    config,
    repository,
  };
}

/**
 * The value without null mapping entries (`procMount: null`), as the API server stores it: a null
 * field is an unset field. Policies then never meet null where Kubernetes has none. Only for
 * Kubernetes objects: the Dockerfile and compose inputs use null on purpose.
 */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== null) out[k] = dropNulls(v);
  return out;
}

/** Facts of a run that rendered nothing: no Application, and not the whole repository. */
export const NO_FACTS: RepositoryFacts = { complete: false, applications: [], paths: {}, overlays: [], hpa: {} };

export class PolicyEngine {
  private readonly rules: Map<string, RuleMeta>;
  private repository: RepositoryFacts = NO_FACTS;
  /** The wasm entrypoint of each scope this bundle has (an older bundle: `all` only). */
  private readonly entrypoints: Partial<Record<EvaluationScope, string>>;
  private repositoryDigest = digest(JSON.stringify(NO_FACTS));

  private constructor(
    private readonly policy: Policy,
    manifest: LoadedBundle['manifest'],
    private readonly config: Record<string, unknown>,
    /** The digest of the bundle's manifest (wasm digest, sources digest, rule metadata). */
    private readonly bundleDigest: string,
  ) {
    this.rules = new Map(manifest.rules.map((r) => [r.policy, r]));
    // A scope counts when the manifest names its entrypoint, the wasm exports it and every rule has a scope.
    const exported = new Set(Object.keys((policy as unknown as { entrypoints?: Record<string, number> }).entrypoints ?? {}));
    const scoped = manifest.rules.every((r) => r.scope === 'object' || r.scope === 'target');
    this.entrypoints = { all: ENTRYPOINT };
    for (const scope of ['object', 'target'] as const) {
      const e = manifest.entrypoints?.[scope];
      if (scoped && e !== undefined && exported.has(e)) this.entrypoints[scope] = e;
    }
  }

  /**
   * What every verdict depends on besides the target and the document: the compiled bundle, the
   * settings and the repository facts (pipeline/verdicts.ts).
   */
  get fingerprint(): string {
    return digest(this.bundleDigest, JSON.stringify(this.config), this.repositoryDigest);
  }

  /**
   * What an object-scope verdict depends on besides the document (the whole input, which has no
   * position: input.index makes a rule target-scoped) and the target's name and env: the bundle and
   * the settings. Not the repository facts, the environment or the other objects (policy/scope.ts).
   */
  get objectFingerprint(): string {
    return digest(this.bundleDigest, JSON.stringify(this.config));
  }

  static async load(bundle: LoadedBundle, config: Record<string, unknown>): Promise<PolicyEngine> {
    try {
      // Compiled off the main thread, then instantiated synchronously: opa-wasm's asynchronous
      // loadPolicy asks whether its argument is a fetch Response, and that question alone makes
      // Node load its whole HTTP client (about 50 ms of start-up the gate never uses).
      const wasm = bundle.wasm.buffer.slice(bundle.wasm.byteOffset, bundle.wasm.byteOffset + bundle.wasm.byteLength) as ArrayBuffer;
      const policy = opa.loadPolicySync(await WebAssembly.compile(wasm));
      return new PolicyEngine(policy, bundle.manifest, config, digest(JSON.stringify(bundle.manifest)));
    } catch (err) {
      throw new ToolError('policy', `the policy bundle could not be loaded: ${(err as Error).message}`);
    }
  }

  /** The scopes `evaluate` accepts with this bundle: always `all`; `object` and `target` when it was built with them. */
  get scopes(): EvaluationScope[] {
    return (['all', 'object', 'target'] as const).filter((s) => this.entrypoints[s] !== undefined);
  }

  /** Whether the bundle can evaluate the object and the target scopes separately. */
  get hasScopes(): boolean {
    return this.entrypoints.object !== undefined && this.entrypoints.target !== undefined;
  }

  private promql: (expr: string) => PromqlResult = parsePromql;

  /** PromQL parses of earlier runs (a parse depends on the expression alone). */
  useResults(results: ResultCache): void {
    if (!results.enabled) return;
    this.promql = (expr) => results.remember('promql', results.key('promql', expr), () => parsePromql(expr));
  }

  /** The repository-wide facts (data.repository) for every evaluation that follows; set before setTarget. */
  setRepository(facts: RepositoryFacts): void {
    this.repository = facts;
    this.repositoryDigest = digest(JSON.stringify(facts));
  }

  /** Gives the policies the whole target (and the facts derived from it) as data. */
  setTarget(target: TargetData, environment: Array<Record<string, unknown>> = []): void {
    const clean = (list: Array<Record<string, unknown>>) => list.map((r) => dropNulls(r) as Record<string, unknown>);
    this.setData(policyData({ ...target, resources: clean(target.resources) }, this.config, this.repository, clean(environment), this.promql));
  }

  /** The whole data document of the evaluations that follow, as policyData builds it (setTarget is the usual way). */
  setData(data: Record<string, unknown>): void {
    this.policy.setData(data);
  }

  /**
   * The violations of one document. `scope`: `all` (default, main/findings: every rule), `object`
   * (the object-scoped rules only) or `target` (the others); `object` plus `target` is `all`.
   * A bundle built without scopes fails `object` and `target` with a ToolError.
   */
  evaluate(input: Record<string, unknown>, scope: EvaluationScope = 'all'): Violation[] {
    const entrypoint = this.entrypoints[scope];
    if (entrypoint === undefined) {
      throw new ToolError('policy-bundle', `the policy bundle has no '${scope}' scope entrypoint (built by an older gitops): run 'npx gitops policy build'`);
    }
    let result: Array<{ result?: unknown }>;
    try {
      const normalized = input.kind === 'kubernetes' ? { ...input, resource: dropNulls(input.resource) } : input;
      result = this.policy.evaluate(normalized, entrypoint) as Array<{ result?: unknown }>;
    } catch (err) {
      throw new ToolError('policy', `policy evaluation failed: ${(err as Error).message}`);
    }
    const raw = result[0]?.result;
    if (!Array.isArray(raw)) {
      throw new ToolError('policy', `policy evaluation returned no result set for ${entrypoint}`);
    }
    return (raw as RawViolation[]).map((v) => this.toViolation(v));
  }

  private toViolation(v: RawViolation): Violation {
    const policy = String(v.policy ?? 'unknown.policy');
    const meta = this.rules.get(policy);
    const sev = typeof v.severity === 'string' && ['error', 'warning', 'info'].includes(v.severity) ? (v.severity as Severity) : meta?.severity ?? 'error';
    return {
      ruleId: meta?.id ?? ruleIdOf(policy),
      severity: sev,
      message: typeof v.msg === 'string' ? v.msg : JSON.stringify(v.msg),
      field: typeof v.field === 'string' && v.field !== '' ? v.field : null,
      line: typeof v.line === 'number' ? v.line : null,
      file: typeof v.file === 'string' && v.file !== '' ? v.file : null,
      target: typeof v.target === 'string' && v.target !== '' ? v.target : null,
      container: typeof v.container === 'string' && v.container !== '' ? v.container : null,
      related: (Array.isArray(v.related) ? v.related : []).flatMap((r: Record<string, unknown>) =>
        r !== null && typeof r === 'object' && typeof r.target === 'string' && typeof r.index === 'number'
          ? [{ target: r.target, index: r.index, field: typeof r.field === 'string' ? r.field : null, message: String(r.message ?? '') }]
          : []),
    };
  }
}
