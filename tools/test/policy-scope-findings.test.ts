/**
 * What the per-object result cache relies on, proven on real data: every document the one run
 * evaluates (every target of the repository, cluster states included, and every policy fixture),
 * through the real wasm bundle:
 * - the object-scope findings plus the target-scope findings are exactly main/findings;
 * - the object-scope findings of a document are the same when the target around it is empty: no
 *   resources, an empty index, no environment, no repository facts, and data.units / data.promql
 *   computed from the document and the settings alone (its target name and env kept), and the
 *   document at no position in it (input.index -1).
 * The run's engine is the real one; the test only listens to its calls (and asks the other scopes
 * beside each), so the documents and the data are exactly those of `gitops validate`.
 */
import { describe, expect, it } from 'vitest';
import { readBundle } from '../src/policy/bundle.js';
import { dropNulls, PolicyEngine, policyData, type TargetData, type Violation } from '../src/policy/evaluate.js';
import type { EvaluationScope } from '../src/policy/scope.js';
import { collectPromql, collectUnits } from '../src/policy/facts.js';
import { runFixtures } from '../src/policy/fixtures.js';
import { run, type RunContext } from '../src/pipeline/run.js';
import { discoverTargets } from '../src/discover/targets.js';
import { resolveKustomize } from '../src/maintain/tools.js';
import { FileCache } from '../src/util/cache.js';
import { loadConfig, policyConfig } from '../src/util/config.js';
import { REPO } from './helpers.js';

type Obj = Record<string, unknown>;

interface Tally {
  documents: number;
  object: number;
  target: number;
  problems: string[];
}

const key = (v: Violation): string => JSON.stringify(v);
const multiset = (vs: Violation[]): string[] => vs.map(key).sort();

/** The engine of the run, with every evaluation also asked per scope and against an empty target. */
async function listeningEngine(tally: Tally): Promise<PolicyEngine> {
  const bundle = readBundle(REPO);
  const config = policyConfig(loadConfig(REPO));
  const engine = await PolicyEngine.load(bundle, config);
  const bare = await PolicyEngine.load(bundle, config);
  let current: TargetData = { name: '', env: null, resources: [] };
  const setTarget = engine.setTarget.bind(engine);
  engine.setTarget = (target, environment) => {
    current = target;
    setTarget(target, environment);
  };
  const evaluate = engine.evaluate.bind(engine);
  engine.evaluate = (input: Obj, scope: EvaluationScope = 'all') => {
    const all = evaluate(input, scope);
    if (scope !== 'all') return all;
    const what = `${current.name}: ${input.kind} ${JSON.stringify((input.resource as { metadata?: unknown } | undefined)?.metadata ?? input.file ?? '').slice(0, 120)}`;
    // Recorded, not thrown: the run turns an evaluation error into a finding.
    const objectScope = evaluate(input, 'object');
    const targetScope = evaluate(input, 'target');
    tally.documents += 1;
    tally.object += objectScope.length;
    tally.target += targetScope.length;
    if (JSON.stringify(multiset([...objectScope, ...targetScope])) !== JSON.stringify(multiset(all))) {
      tally.problems.push(`${what}: object + target scope != main/findings:\n  all:    ${multiset(all).join('\n          ')}\n  scoped: ${multiset([...objectScope, ...targetScope]).join('\n          ')}`);
    }
    const own = input.kind === 'kubernetes' ? [dropNulls(input.resource) as Obj] : [];
    bare.setData({
      ...policyData({ name: current.name, env: current.env, resources: [] }, config),
      units: collectUnits([...own, config]),
      promql: collectPromql(own),
    });
    // Nor does its position in the target count (input.index is a target fact).
    const alone = bare.evaluate('index' in input ? { ...input, index: -1 } : input, 'object');
    if (JSON.stringify(multiset(alone)) !== JSON.stringify(multiset(objectScope))) {
      tally.problems.push(`${what}: object-scope findings change without the target:\n  in target: ${multiset(objectScope).join('\n             ')}\n  alone:     ${multiset(alone).join('\n             ')}`);
    }
    return all;
  };
  return engine;
}

describe('object and target scopes on real data', () => {
  it('split main/findings exactly, and object scope needs nothing of the target, on every target of the repository', async () => {
    const tally: Tally = { documents: 0, object: 0, target: 0, problems: [] };
    const engine = await listeningEngine(tally);
    const cache = new FileCache();
    const ctx: RunContext = { repoRoot: REPO, config: loadConfig(REPO), cache, kustomize: await resolveKustomize(REPO) };
    const targets = discoverTargets(REPO, cache);
    const result = await run(ctx, targets, { schema: null, policy: engine, wholeRepository: true });
    expect(result.findings.filter((f) => f.ruleId === 'tool/policy')).toEqual([]);
    expect(tally.problems).toEqual([]);
    // Every kind of document was asked, and both scopes found something (the comparison can fail).
    const kinds = new Set(result.loaded.flatMap((lt) => lt.documents.map((d) => d.kind)));
    expect([...kinds].sort()).toEqual(['compose', 'dockerfile', 'kubernetes']);
    expect(tally.documents).toBeGreaterThan(1000);
    expect(tally.object).toBeGreaterThan(100);
    expect(tally.target).toBeGreaterThan(50);
    expect(tally.object + tally.target).toBe(result.violations.length);
  }, 600_000);

  it('do the same on every policy fixture', async () => {
    const tally: Tally = { documents: 0, object: 0, target: 0, problems: [] };
    const engine = await listeningEngine(tally);
    const { manifest } = readBundle(REPO);
    const { results } = await runFixtures(REPO, engine, manifest.rules);
    expect(results.filter((r) => !r.ok).map((r) => r.file)).toEqual([]);
    expect(tally.problems).toEqual([]);
    expect(results.length).toBeGreaterThan(2 * manifest.rules.length - 1);
    // Denied fixtures of rules of either scope were among them.
    const scopeOf = new Map(manifest.rules.map((r) => [r.id, r.scope]));
    const denied = results.filter((r) => r.expect === 'denied');
    expect(denied.filter((r) => scopeOf.get(r.ruleId) === 'object').length).toBeGreaterThan(50);
    expect(denied.filter((r) => scopeOf.get(r.ruleId) === 'target').length).toBeGreaterThan(30);
    expect(tally.object).toBeGreaterThan(50);
    expect(tally.target).toBeGreaterThan(30);
  }, 600_000);
});
