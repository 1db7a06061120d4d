/**
 * The same Rego at admission: every admission rule's generated ConstraintTemplate, run by the
 * pinned gator, gives the wasm bundle's verdict on every object of every fixture of that rule.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, policyConfig } from '../src/util/config.js';
import { readBundle } from '../src/policy/bundle.js';
import { PolicyEngine } from '../src/policy/evaluate.js';
import { requireBinary } from '../src/maintain/tools.js';
import { writeGatorSuites, type GatorSuites } from '../src/policy/gatekeeper-gator.js';
import { admissionRules, generateGatekeeper, staleFiles } from '../src/policy/gatekeeper.js';
import { unavailableData } from '../src/policy/gatekeeper-rego.js';
import { CLI, makeRepo, REPO } from './helpers.js';

const bundle = readBundle(REPO);
const rules = bundle.manifest.rules;
const generated = generateGatekeeper(REPO, rules);

describe('the committed Gatekeeper policies', () => {
  it('are what `gitops policy gatekeeper` writes (npx gitops policy build)', () => {
    const stale = [...generated.files].filter(([rel, content]) => {
      try {
        return readFileSync(path.join(REPO, rel), 'utf8') !== content;
      } catch {
        return true;
      }
    }).map(([rel]) => rel);
    expect(stale).toEqual([]);
    expect(staleFiles(REPO, generated)).toEqual([]);
  });

  it('cover every rule not marked ci_only, and each CI-only rule says why', () => {
    const admission = admissionRules(rules).map((r) => r.id);
    expect(generated.templates.map((t) => t.rule.id)).toEqual(admission);
    expect(admission.length).toBeGreaterThan(30);
    // A CI-only rule on Kubernetes objects says why; other input kinds never reach the API server.
    for (const r of rules.filter((x) => !admission.includes(x.id) && x.input === 'kubernetes')) expect(r.ciOnly, r.id).toMatch(/\w{3,}/);
    // Dockerfile and compose rules can never run at admission.
    expect(admission.filter((id) => id.startsWith('docker/') || id.startsWith('compose/'))).toEqual([]);
  });

  it('refuse a rule that reads data admission cannot rebuild unless it is ci_only', () => {
    const promql = rules.find((r) => r.id === 'monitoring/prometheusrule-expr')!;
    expect(unavailableData(readFileSync(path.join(REPO, promql.file), 'utf8'))).toEqual(['data.promql']);
    expect(promql.ciOnly).toBeTruthy();
    const notCiOnly = rules.map((r) => (r.id === promql.id ? { ...r, ciOnly: null } : r));
    expect(() => generateGatekeeper(REPO, notCiOnly)).toThrow(/reads data\.promql, which admission cannot rebuild/);
    for (const t of generated.templates) expect(unavailableData(readFileSync(path.join(REPO, t.rule.file), 'utf8')), t.rule.id).toEqual([]);
  });

  it('set enforcement per environment from gitops.yaml: warn in dev, deny in staging and prod', () => {
    const action = (env: string, name: string): string => {
      const text = generated.files.get(`clusters/${env}/gatekeeper-policies/constraints/${name}.yaml`) ?? '';
      return /enforcementAction: (\w+)/.exec(text)?.[1] ?? 'missing';
    };
    expect(action('dev', 'k8s-privileged')).toBe('warn');
    expect(action('staging', 'k8s-privileged')).toBe('deny');
    expect(action('prod', 'k8s-privileged')).toBe('deny');
    // A warning-severity rule never denies.
    expect(action('prod', 'k8s-read-only-root-filesystem-warnings')).toBe('warn');
  });

  it('replicate into data.inventory exactly the kinds the admission rules read', () => {
    const config = generated.files.get('base/gatekeeper-policies/config.yaml') ?? '';
    const kinds = [...config.matchAll(/kind: (\w+)/g)].map((m) => m[1]).filter((k) => k !== 'Config');
    const reads = [...new Set(admissionRules(rules).flatMap((r) => r.reads ?? []))].sort();
    expect(kinds.sort()).toEqual(reads);
    expect(config).toContain('group: autoscaling\n        version: v2\n        kind: HorizontalPodAutoscaler');
  });
});

describe('gitops policy gatekeeper on bad settings', () => {
  it('names gitops.yaml and the line of an unknown enforcement action, without a stack trace', async () => {
    const repo = makeRepo();
    try {
      const text = readFileSync(path.join(REPO, 'gitops.yaml'), 'utf8');
      expect(text).toContain('    prod: deny\n');
      repo.write('gitops.yaml', text.replace('    prod: deny\n', '    prod: block\n'));
      const line = text.slice(0, text.indexOf('    prod: deny\n')).split('\n').length;
      const r = await execa('node', [CLI, 'policy', 'gatekeeper'], { cwd: repo.root, reject: false });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`gitops.yaml:${line}:1: gatekeeper.enforcement.prod must be deny, warn or dryrun, found 'block'`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      repo.cleanup();
    }
  });
});

describe('gator verify: ConstraintTemplates against the wasm bundle on every fixture', () => {
  let dir: string;
  let suites: GatorSuites;
  let run: Awaited<ReturnType<typeof execa>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-gator-'));
    const engine = await PolicyEngine.load(bundle, policyConfig(loadConfig(REPO)));
    suites = writeGatorSuites(REPO, dir, engine, generated.templates);
    run = await execa(requireBinary(REPO, 'gator'), ['verify', '-v', `${dir}/...`], { reject: false });
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has a case for every object of every fixture of every admission rule, denied ones among them', () => {
    expect(suites.suites.length).toBe(generated.templates.length);
    for (const t of generated.templates) {
      const own = suites.cases.filter((c) => c.rule === t.rule.id);
      expect(own.some((c) => c.fixture.includes('/fixtures/allowed/')), t.rule.id).toBe(true);
      expect(own.some((c) => c.violations.length > 0), `${t.rule.id}: a denied object`).toBe(true);
    }
  });

  it('agrees on every case: same violation count and messages', () => {
    const output = `${String(run.stdout)}\n${String(run.stderr)}`;
    const failures = output.split('\n').filter((l) => /^\s*(--- )?FAIL\b|^Error/.test(l));
    expect(failures, output.slice(-4000)).toEqual([]);
    expect(run.exitCode, output.slice(-4000)).toBe(0);
    // Every case ran (gator prints one "ok" line per case in verbose mode).
    const passed = output.split('\n').filter((l) => /^\s*--- PASS:/.test(l)).length;
    expect(passed).toBeGreaterThanOrEqual(suites.cases.length);
  });

  it('fails when a template reports less than the bundle (the comparison can fail)', async () => {
    const broken = path.join(dir, 'broken');
    cpSync(path.join(dir, 'k8s-privileged'), broken, { recursive: true });
    const file = path.join(broken, 'template.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('some v in found\n');
    writeFileSync(file, text.replace('some v in found\n', 'some v in found\n                count(v.msg) < 0\n'));
    const r = await execa(requireBinary(REPO, 'gator'), ['verify', broken], { reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/FAIL/);
  });
});
