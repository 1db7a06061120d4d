/**
 * Runs every policy's fixtures through the built wasm bundle: a builtin missing in wasm makes a
 * rule undefined, which `opa test` alone would never show. fixtures/allowed/* must produce no
 * violation of the policy, fixtures/denied/* at least one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildComposeInput } from '../inputs/compose.js';
import { loadDockerfile } from '../inputs/dockerfile.js';
import { resourcesFromDocs } from '../inputs/kubernetes.js';
import { parseYaml } from '../util/yaml.js';
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

/** A fixture is read as the input kind its rule declares (METADATA `input:`), never guessed from its name. */
async function evaluateFixture(repoRoot: string, engine: PolicyEngine, rule: RuleMeta, abs: string): Promise<{ violations: Violation[]; problem: string | null }> {
  const name = path.basename(abs);
  const rel = path.relative(repoRoot, abs);
  const env = name.startsWith('dev-') ? 'dev' : 'prod';
  if (rule.input === 'dockerfile') {
    const { input, problems } = await loadDockerfile(abs, rel);
    if (problems.length > 0) return { violations: [], problem: problems.map((p) => `${p.line}: ${p.message}`).join('; ') };
    engine.setTarget({ name: rel, env, resources: [] });
    return { violations: engine.evaluate(input as unknown as Record<string, unknown>), problem: null };
  }
  const parsed = parseYaml(readFileSync(abs, 'utf8'));
  if (parsed.problems.length > 0) return { violations: [], problem: parsed.problems.map((p) => `${p.line}: ${p.message}`).join('; ') };
  if (rule.input === 'compose') {
    const input = await buildComposeInput(parsed.docs[0]?.value ?? {}, abs, rel, repoRoot);
    engine.setTarget({ name: rel, env, resources: [] });
    return { violations: engine.evaluate(input as unknown as Record<string, unknown>), problem: null };
  }
  const { resources, problems } = resourcesFromDocs(parsed.docs, abs);
  if (problems.length > 0) return { violations: [], problem: problems.map((p) => `${p.line}: ${p.message}`).join('; ') };
  engine.setTarget({ name: rel, env, resources: resources.map((r) => r.object) });
  const violations: Violation[] = [];
  resources.forEach((r, index) => violations.push(...engine.evaluate({ kind: 'kubernetes', index, resource: r.object })));
  return { violations, problem: null };
}

export async function runFixtures(repoRoot: string, engine: PolicyEngine, rules: RuleMeta[]): Promise<{ results: FixtureResult[]; coverage: RuleCoverage[] }> {
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
        const { violations, problem } = await evaluateFixture(repoRoot, engine, rule, abs);
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
