/**
 * The policy library, tested twice: `gitops policy test` (opa fmt, check --strict, opa test with
 * coverage) and every fixture through the committed wasm bundle, rule by rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, policyConfig } from '../src/util/config.js';
import { readBundle, sourcesHash, type RuleMeta } from '../src/policy/bundle.js';
import { PolicyEngine } from '../src/policy/evaluate.js';
import { runFixtures, type FixtureResult, type RuleCoverage } from '../src/policy/fixtures.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { POLICIES_DOC, renderPoliciesDoc } from '../src/maintain/policydocs.js';
import { gitops, REPO } from './helpers.js';

let results: FixtureResult[] = [];
let coverage: RuleCoverage[] = [];
let rules: RuleMeta[] = [];

beforeAll(async () => {
  const bundle = readBundle(REPO);
  rules = bundle.manifest.rules;
  const config = loadConfig(REPO);
  const engine = await PolicyEngine.load(bundle, policyConfig(config));
  ({ results, coverage } = await runFixtures(REPO, engine, rules));
});

describe('the committed policy bundle', () => {
  it('is built from the current sources', () => {
    expect(readBundle(REPO).manifest.sourcesSha256).toBe(sourcesHash(REPO));
  });

  it('is indexed by an up-to-date docs/POLICIES.md (npx gitops docs)', () => {
    expect(readFileSync(path.join(REPO, POLICIES_DOC), 'utf8')).toBe(renderPoliciesDoc(rules));
  });

  it('carries metadata for every policy: id, title, severity, kinds, rationale, baseline', () => {
    expect(rules.length).toBeGreaterThanOrEqual(60);
    for (const r of rules) {
      expect(r.id, r.policy).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
      expect(['kubernetes', 'dockerfile', 'compose', 'repository'], `${r.id} input`).toContain(r.input);
      expect(r.id.replace(/-/g, '_').replace('/', '.'), `${r.id} must match its package`).toBe(r.policy);
      expect(r.title, r.id).not.toBe(r.policy);
      expect(r.kinds.length, `${r.id} kinds`).toBeGreaterThan(0);
      expect(r.rationale, `${r.id} rationale`).not.toBe('');
      expect(r.baseline, `${r.id} baseline`).not.toBe('');
      // An unquoted ' #25' in METADATA is a YAML comment: the reference would silently vanish.
      expect(r.baseline, `${r.id} baseline ends in a dangling reference`).not.toMatch(/(review|REVIEW)$/);
    }
  });
});

describe('fixtures through the wasm bundle', () => {
  it('gives every rule at least one allowed and one denied fixture', () => {
    const lacking = coverage.filter((c) => c.allowed === 0 || c.denied === 0).map((c) => `${c.ruleId} (${c.allowed} allowed, ${c.denied} denied)`);
    expect(lacking).toEqual([]);
    expect(coverage.map((c) => c.ruleId).sort()).toEqual(rules.map((r) => r.id).sort());
  });

  it('finds no violation in any allowed fixture', () => {
    const wrong = results.filter((r) => r.expect === 'allowed' && !r.ok).map((r) => `${r.file}: ${r.problem ?? r.violations.map((v) => v.message).join(' | ')}`);
    expect(wrong).toEqual([]);
  });

  it('finds a violation of its own rule in every denied fixture', () => {
    const missed = results.filter((r) => r.expect === 'denied' && !r.ok).map((r) => `${r.file}: ${r.problem ?? 'no violation'}`);
    expect(missed).toEqual([]);
  });

  it('reports every violation where a person can act on it', () => {
    const vague: string[] = [];
    const inputOf = new Map(rules.map((r) => [r.id, r.input]));
    for (const r of results.filter((x) => x.expect === 'denied')) {
      for (const v of r.violations) {
        const where = inputOf.get(v.ruleId) === 'repository'
          ? v.file !== null // a repository-wide finding names the file to edit
          : inputOf.get(v.ruleId) === 'dockerfile'
          ? v.line !== null // a Dockerfile finding names its instruction's line
          : inputOf.get(v.ruleId) === 'compose'
            ? v.field !== null // a compose finding names the key to edit
            : /^[A-Za-z]+\/[^:\s]+: /.test(v.message); // a Kubernetes finding names Kind/name first
        if (!where || v.message.length < 20) vague.push(`${r.file}: ${v.ruleId}: ${v.message}`);
      }
    }
    expect(vague).toEqual([]);
  });
});

describe('gitops policy test', () => {
  it('passes opa fmt, opa check --strict, opa test with >= 90% coverage, and the wasm fixtures', async () => {
    const run = await gitops(REPO, ['policy', 'test']);
    expect(run.stdout).toMatch(/^ok {3}opa fmt$/m);
    expect(run.stdout).toMatch(/^ok {3}opa check --strict$/m);
    expect(run.stdout).toMatch(/^ok {3}opa test \(coverage (9\d|100)\.\d% of policy lines, tests excluded\)$/m);
    expect(run.stdout).toMatch(/^ok {3}wasm fixtures: (\d+)\/\1 as expected/m);
    expect(run.exitCode).toBe(0);
  });
});
