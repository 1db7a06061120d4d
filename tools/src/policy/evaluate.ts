/**
 * Evaluates the wasm bundle: one loaded instance, the whole target as data, one evaluation per
 * document (Kubernetes object, Dockerfile, compose file).
 */
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { ToolError } from '../util/errors.js';
import type { Severity } from '../pipeline/types.js';
import { ENTRYPOINT, ruleIdOf, type LoadedBundle, type RuleMeta } from './bundle.js';
import type { RepositoryFacts } from './argocd.js';
import { collectPromql, collectUnits } from './facts.js';

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

type Policy = Awaited<ReturnType<typeof loadPolicy>>;

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
 * (quantities, also of the settings such as policy.istioSidecar; PromQL parses), and the settings.
 * `environment` holds the objects of the run's other targets of the same environment
 * (overlays/dev sees clusters/dev and the reverse), for rules that join the platform add-ons'
 * Helm values with the overlay's objects.
 */
export function policyData(
  target: TargetData,
  config: Record<string, unknown>,
  repository: RepositoryFacts = NO_FACTS,
  environment: Array<Record<string, unknown>> = [],
): Record<string, unknown> {
  return {
    target,
    environment: { resources: environment },
    units: collectUnits([...target.resources, config]),
    promql: collectPromql(target.resources),
    config,
    repository,
  };
}

/** Facts of a run that rendered nothing: no Application, and not the whole repository. */
export const NO_FACTS: RepositoryFacts = { complete: false, applications: [], paths: {}, overlays: [], hpa: {} };

export class PolicyEngine {
  private readonly rules: Map<string, RuleMeta>;
  private repository: RepositoryFacts = NO_FACTS;

  private constructor(
    private readonly policy: Policy,
    rules: RuleMeta[],
    private readonly config: Record<string, unknown>,
  ) {
    this.rules = new Map(rules.map((r) => [r.policy, r]));
  }

  static async load(bundle: LoadedBundle, config: Record<string, unknown>): Promise<PolicyEngine> {
    try {
      const policy = await loadPolicy(bundle.wasm);
      return new PolicyEngine(policy, bundle.manifest.rules, config);
    } catch (err) {
      throw new ToolError('policy', `the policy bundle could not be loaded: ${(err as Error).message}`);
    }
  }

  /** The repository-wide facts (data.repository) for every evaluation that follows; set before setTarget. */
  setRepository(facts: RepositoryFacts): void {
    this.repository = facts;
  }

  /** Gives the policies the whole target (and the facts derived from it) as data. */
  setTarget(target: TargetData, environment: Array<Record<string, unknown>> = []): void {
    this.policy.setData(policyData(target, this.config, this.repository, environment));
  }

  evaluate(input: Record<string, unknown>): Violation[] {
    let result: Array<{ result?: unknown }>;
    try {
      result = this.policy.evaluate(input, ENTRYPOINT) as Array<{ result?: unknown }>;
    } catch (err) {
      throw new ToolError('policy', `policy evaluation failed: ${(err as Error).message}`);
    }
    const raw = result[0]?.result;
    if (!Array.isArray(raw)) {
      throw new ToolError('policy', `policy evaluation returned no result set for ${ENTRYPOINT}`);
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
