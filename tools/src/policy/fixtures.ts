/**
 * Runs every policy's fixtures through the built wasm bundle, each as a target of the one run: a
 * builtin missing in wasm makes a rule undefined, which `opa test` alone would never show.
 * fixtures/allowed/* must produce no violation of the policy, fixtures/denied/* at least one.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { run, type RunContext } from '../pipeline/run.js';
import type { Target } from '../pipeline/types.js';
import { FileCache } from '../util/cache.js';
import { loadConfig } from '../util/config.js';
import type { RuleMeta } from './bundle.js';
import type { PolicyEngine, Violation } from './evaluate.js';

export interface FixtureResult {
  ruleId: string;
  file: string;
  expect: 'allowed' | 'denied';
  /** Violations of this fixture's own rule. */
  violations: Violation[];
  ok: boolean;
  problem: string | null;
}

export interface RuleCoverage {
  ruleId: string;
  allowed: number;
  denied: number;
}

/**
 * A fixture is a target with an expectation: it goes through the one run (pipeline/run.ts) like any
 * target, read by the adapter its file name selects, which must be the input kind its rule declares.
 * It stands for a cluster's render in the repository facts, in the environment its name says
 * (`dev-...` is dev, anything else prod).
 */
async function evaluateFixture(ctx: RunContext, engine: PolicyEngine, rule: RuleMeta, abs: string): Promise<{ violations: Violation[]; problem: string | null }> {
  const name = path.basename(abs);
  const target: Target = { name: path.relative(ctx.repoRoot, abs), abs, kind: 'file', env: name.startsWith('dev-') ? 'dev' : 'prod' };
  const result = await run(ctx, [target], { schema: null, policy: engine, wholeRepository: true, fixture: true });
  const broken = result.findings.filter((f) => f.ruleId.startsWith('input/') || f.ruleId.startsWith('tool/'));
  if (broken.length > 0) return { violations: [], problem: broken.map((f) => `${f.location?.line ?? 1}: ${f.message}`).join('; ') };
  const kinds = new Set(result.loaded.flatMap((lt) => lt.documents.map((d) => d.kind)));
  const reads = rule.input === 'repository' ? 'kubernetes' : rule.input;
  if (!kinds.has(reads)) {
    return { violations: [], problem: `read as ${[...kinds].join(', ') || 'nothing'}, but the rule reads ${rule.input} input: name Dockerfile fixtures *.Dockerfile and compose fixtures compose*.yaml` };
  }
  return { violations: result.violations.map((v) => v.violation), problem: null };
}

export async function runFixtures(repoRoot: string, engine: PolicyEngine, rules: RuleMeta[]): Promise<{ results: FixtureResult[]; coverage: RuleCoverage[] }> {
  const ctx: RunContext = { repoRoot, config: loadConfig(repoRoot), cache: new FileCache(), kustomize: null };
  const results: FixtureResult[] = [];
  const coverage: RuleCoverage[] = [];
  for (const rule of rules) {
    const dir = path.join(repoRoot, path.dirname(rule.file), 'fixtures');
    const cov: RuleCoverage = { ruleId: rule.id, allowed: 0, denied: 0 };
    for (const expect of ['allowed', 'denied'] as const) {
      const sub = path.join(dir, expect);
      if (!existsSync(sub)) continue;
      for (const name of readdirSync(sub).sort()) {
        if (name.endsWith('.dockerignore')) continue;
        const abs = path.join(sub, name);
        const { violations, problem } = await evaluateFixture(ctx, engine, rule, abs);
        const own = violations.filter((v) => v.ruleId === rule.id);
        const ok = problem === null && (expect === 'allowed' ? own.length === 0 : own.length > 0);
        results.push({ ruleId: rule.id, file: path.relative(repoRoot, abs), expect, violations: own, ok, problem });
        cov[expect] += 1;
      }
    }
    coverage.push(cov);
  }
  return { results, coverage };
}
