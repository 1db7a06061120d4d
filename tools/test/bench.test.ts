/**
 * The benchmark runs the gate, kubeconform and conftest on the same input and reports ratios.
 * Times are machine-dependent: this checks the shape and that all three really ran, never a time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBench, runBench } from '../src/maintain/bench.js';
import { compareRuns, DEFAULT_HOOK_FILE, failOnOf, formatHookBench, hookAcceptance, hookCommand, planEdit, runHookBench, writeHookBench, type HookBenchResult } from '../src/maintain/bench-hook.js';
import type { Finding } from '../src/pipeline/types.js';
import { UsageError } from '../src/util/errors.js';
import { makeRepo, REPO } from './helpers.js';

const out = mkdtempSync(path.join(os.tmpdir(), 'gitops-bench-hook-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('gitops bench', () => {
  it('measures the three tools on the same rendered input and reports ratios', async () => {
    const lines: string[] = [];
    const r = await runBench(REPO, 1, (l) => lines.push(l));
    expect(r.runs).toBe(1);
    expect(r.targets).toBeGreaterThanOrEqual(6);
    expect(r.resources).toBeGreaterThan(100);
    for (const v of [...Object.values(r.medianMs), ...Object.values(r.ratios)]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    }
    expect(lines).toHaveLength(1);
    // conftest really evaluated the same policies on the same input: the same findings.
    expect(r.policyFindings.conftest).toBeGreaterThan(0);
    expect(r.policyFindings.conftest).toBe(r.policyFindings.gitops);
    expect(formatBench(r)).toContain('| kubeconform + conftest |');
  }, 400_000);
});

describe('gitops bench --apiserver', () => {
  it('reports what the loopback API server stage adds to a whole-repository run', async () => {
    const lines: string[] = [];
    const r = await runBench(REPO, 1, (l) => lines.push(l), { apiserver: true });
    expect(r.apiserver).toBeDefined();
    expect(r.apiserver!.ms).toBeGreaterThan(0);
    // The stage starts a control plane and applies every cluster: it adds time to a whole run.
    expect(r.apiserver!.addedMs).toBeGreaterThan(0);
    // The repository passes the API server: the measured run is a real, complete one.
    expect(r.apiserver!.errors).toBe(0);
    expect(lines.some((l) => /^bench --apiserver: \d+ ms/.test(l))).toBe(true);
    expect(formatBench(r)).toMatch(/gitops validate --apiserver \(one run\): \d+ ms, i\.e\. \+-?\d+ ms/);
  });
});

describe('gitops bench --hook', () => {
  const original = readFileSync(path.join(REPO, DEFAULT_HOOK_FILE), 'utf8');
  // The ratios come from the two runs' own figures, the hook's over the whole run's (one run
  // each: the medians are the figures), and the verdicts judge those ratios (the thresholds
  // themselves: the fixed cases below).
  const figures = (r: HookBenchResult) => {
    expect(r.ratios.wall).toBeCloseTo(r.hook.wallMs[0]! / r.whole.wallMs[0]!, 2);
    expect(r.ratios.cpu).toBeCloseTo(r.hook.cpuSeconds[0]! / r.whole.cpuSeconds[0]!, 2);
    expect(r.ratios.cpu).toBeLessThan(1);
    expect([r.acceptance.cpuRatio.value, r.acceptance.wallRatio.value, r.acceptance.hookWallMs.value]).toEqual([r.ratios.cpu, r.ratios.wall, r.hook.medianWallMs]);
  };

  it('judges the thresholds: a ratio of at most a quarter, a hook under 1 s', () => {
    const a = hookAcceptance({ wall: 0.25, cpu: 0.251 }, 999);
    expect([a.wallRatio.verdict, a.cpuRatio.verdict, a.hookWallMs.verdict]).toEqual(['met', 'not met', 'met']);
    const b = hookAcceptance({ wall: 0.3, cpu: 0.1 }, 1000);
    expect([b.wallRatio.verdict, b.cpuRatio.verdict, b.hookWallMs.verdict]).toEqual(['not met', 'met', 'not met']);
    expect(a.cpuRatio).toMatchObject({ value: 0.251, threshold: 0.25 });
  });

  it('measures the pre-commit run of a one-line base change against the whole repository, from the same warm caches', async () => {
    const lines: string[] = [];
    const r = await runHookBench(REPO, { runs: 1, log: (l) => lines.push(l) });
    expect(r.runs).toBe(1);
    expect(r.change.file).toBe(DEFAULT_HOOK_FILE);
    expect(r.change.before).toMatch(/periodSeconds: \d+$/);
    expect(r.change.after).toBe(r.change.before.replace(/\d+$/, (n) => String(Number(n) + 1)));
    // The base file feeds the three overlays, not the clusters: the hook checks less.
    expect(r.hookTargets).toEqual(['overlays/dev', 'overlays/prod', 'overlays/staging']);
    expect(r.hook.targets).toBe(3);
    expect(r.hook.targets).toBeLessThan(r.whole.targets);
    expect(r.hook.resources).toBeGreaterThan(0);
    expect(r.hook.resources).toBeLessThan(r.whole.resources);
    // What .husky/pre-commit runs (its output options aside), read from the hook itself.
    const { nodeOptions, args } = hookCommand(REPO);
    const command = args.filter((w) => w !== '--brief' && w !== '--quiet').join(' ');
    expect(command).toMatch(/^validate --changed --staged\b/);
    expect(r.hook.command).toBe(command);
    // Started with node's options of the hook; the whole run as `npm run validate` starts it.
    expect(r.hook.nodeOptions).toEqual(nodeOptions);
    expect(r.whole.nodeOptions).toEqual([]);
    // The hook gives node options: the whole run is also measured started that way, with the same verdicts.
    expect(nodeOptions.length).toBeGreaterThan(0);
    expect(r.wholeWithHookOptions).toMatchObject({ command: r.whole.command, nodeOptions, targets: r.whole.targets, resources: r.whole.resources, exitCode: r.whole.exitCode, findings: r.whole.findings });
    expect(r.ratiosWithHookOptions?.cpu).toBeGreaterThan(0);
    // The gate's caches (compiled validators, earlier verdicts), never the pinned charts.
    expect(r.warmState).toEqual(expect.arrayContaining(['ajv', 'results']));
    expect(r.warmState).not.toContain('charts');
    for (const s of [r.hook, r.whole, r.wholeWithHookOptions!]) {
      expect(s.wallMs).toHaveLength(1);
      expect(s.cpuSeconds).toHaveLength(1);
      expect(s.medianWallMs).toBeGreaterThan(0);
      expect(s.medianCpuSeconds).toBeGreaterThan(0);
    }
    // The repository is clean on these targets: both pass, the hook finds what the whole run finds there.
    expect([r.hook.exitCode, r.whole.exitCode]).toEqual([0, 0]);
    expect(r.findings).toMatchObject({ notInWhole: [], notInHook: [], sameWithHookOptions: true, consistent: true });
    expect(r.findings.hook).toBe(r.findings.wholeOnHookTargets);
    expect(r.ratios.cpu).toBeGreaterThan(0);
    expect(r.ratios.wall).toBeGreaterThan(0);
    figures(r);
    // Progress on stderr for each step, the warming run included.
    expect(lines[0]).toMatch(/^bench --hook: copying/);
    expect(lines.some((l) => /^bench --hook run 1\/1: hook \d+ ms \([\d.]+ CPU s\), whole \d+ ms/.test(l))).toBe(true);
    const written = writeHookBench(r, out);
    expect(JSON.parse(readFileSync(written, 'utf8'))).toEqual(r);
    expect(formatHookBench(r)).toContain(`| pre-commit hook | \`gitops ${command}\` (node ${nodeOptions.join(' ')}) | 3 |`);
    expect(formatHookBench(r)).toContain(`| whole repository | \`gitops validate\` | 12 |`);
    expect(formatHookBench(r)).toContain(`| whole repository, node started as the hook starts it | \`gitops validate\` (node ${nodeOptions.join(' ')}) | 12 |`);
    // Nothing written into the repository.
    expect(readFileSync(path.join(REPO, DEFAULT_HOOK_FILE), 'utf8')).toBe(original);
  }, 600_000);

  it('reports a broken one-line change: both runs fail on it, with the same findings', async () => {
    const { line } = planEdit(original, { file: DEFAULT_HOOK_FILE });
    const text = original.split('\n')[line - 1]!.replace(/\d+$/, 'often');
    const r = await runHookBench(REPO, { runs: 1, edit: { file: DEFAULT_HOOK_FILE, line, text } });
    expect(r.change.after).toMatch(/periodSeconds: often$/);
    expect([r.hook.exitCode, r.whole.exitCode]).toEqual([1, 1]);
    // The schema error, once per overlay the base feeds.
    expect(r.hook.errors).toBe(3);
    expect(r.whole.errors).toBeGreaterThanOrEqual(r.hook.errors);
    expect(r.findings.consistent).toBe(true);
    expect(r.findings.notInWhole).toEqual([]);
    expect(readFileSync(path.join(REPO, DEFAULT_HOOK_FILE), 'utf8')).toBe(original);
  }, 600_000);

  it("reads the hook's command: node's options before the gate's script, the gate's arguments after it", () => {
    const repo = makeRepo({});
    try {
      const write = (text: string) => repo.write('.husky/pre-commit', text);
      write('# a comment\nnode --no-turbofan --liftoff-only tools/bin/gitops.js validate --changed --staged --brief\n');
      expect(hookCommand(repo.root)).toEqual({ nodeOptions: ['--no-turbofan', '--liftoff-only'], args: ['validate', '--changed', '--staged', '--brief'] });
      write('node tools/bin/gitops.js validate --changed\n');
      expect(hookCommand(repo.root)).toEqual({ nodeOptions: [], args: ['validate', '--changed'] });
      // Not one `node [--option ...] tools/bin/gitops.js validate` line: the bench would measure something else.
      for (const text of ['npx gitops validate --changed\n', 'node -r x tools/bin/gitops.js validate\n', 'node tools/bin/gitops.js render\n', 'node tools/bin/gitops.js validate\nnpm test\n']) {
        write(text);
        expect(() => hookCommand(repo.root), text).toThrow(/should run one 'node \[--option \.\.\.\] tools\/bin\/gitops\.js validate \.\.\.' command/);
      }
    } finally {
      repo.cleanup();
    }
  });

  it('chooses the line to change, and refuses an edit that changes nothing or no line', () => {
    const text = 'a: 1\n  livenessProbe:\n    periodSeconds: 10\n    periodSeconds: 4\n';
    expect(planEdit(text, { file: 'x.yaml' })).toEqual({ line: 3, before: '    periodSeconds: 10', after: '    periodSeconds: 11' });
    expect(planEdit(text, { file: 'x.yaml', line: 1, text: 'a: 2' })).toEqual({ line: 1, before: 'a: 1', after: 'a: 2' });
    expect(() => planEdit('a: 1\n', { file: 'x.yaml' })).toThrow(UsageError);
    expect(() => planEdit(text, { file: 'x.yaml', line: 9, text: 'b' })).toThrow(/has no line 9/);
    expect(() => planEdit(text, { file: 'x.yaml', line: 1, text: 'a: 1' })).toThrow(/leaves x.yaml:1 as it is/);
  });

  it('flags a hook finding the whole run lacks, and an exit code the whole run does not imply', () => {
    const f = (target: string, message: string, ruleId = 'k8s/x'): Finding => ({ ruleId, severity: 'error', message, target, resource: null, location: { file: 'base/a.yaml', line: 1, column: 1 }, field: null });
    const scope = { hookTargets: ['overlays/dev'], runTargets: ['overlays/dev', 'clusters/dev'], failOn: 'error' as const };
    const whole = { exitCode: 1, report: { findings: [f('overlays/dev', 'm'), f('clusters/dev', 'n')] } };
    expect(compareRuns([[{ exitCode: 1, report: { findings: [f('overlays/dev', 'm')] } }, whole]], scope)).toEqual({ notInWhole: [], notInHook: [], sameExitCode: true });
    const bad = compareRuns([[{ exitCode: 0, report: { findings: [f('overlays/dev', 'other')] } }, whole]], scope);
    expect(bad.sameExitCode).toBe(false);
    expect(bad.notInWhole).toHaveLength(1);
    expect(bad.notInWhole[0]).toContain('other');
    expect(bad.notInHook).toHaveLength(1);
    // The whole run fails on a target the hook does not check (or cannot finish one): the hook
    // still exits as the findings on its own targets imply.
    const elsewhere = { exitCode: 1, report: { findings: [f('clusters/dev', 'n')] } };
    expect(compareRuns([[{ exitCode: 0, report: { findings: [] } }, elsewhere]], scope).sameExitCode).toBe(true);
    expect(compareRuns([[{ exitCode: 1, report: { findings: [] } }, elsewhere]], scope).sameExitCode).toBe(false);
    const unfinished = { exitCode: 2, report: { findings: [f('.', 'no bundle', 'tool/policy-bundle')] } };
    expect(compareRuns([[{ exitCode: 2, report: { findings: [] } }, unfinished]], scope).sameExitCode).toBe(true);
    expect(compareRuns([[{ exitCode: 0, report: { findings: [] } }, unfinished]], scope).sameExitCode).toBe(false);
    // A run-wide finding (an expired waiver, on the waivers file: not a target) is in both runs and
    // fails both: the hook reporting it, and exiting 1 for it, is no mismatch; missing it is.
    const expired = f('policies/waivers.yaml', 'waiver 1 expired on 2027-01-31', 'waiver/expired');
    const wholeExpired = { exitCode: 1, report: { findings: [expired, f('clusters/dev', 'n')] } };
    expect(compareRuns([[{ exitCode: 1, report: { findings: [expired] } }, wholeExpired]], scope)).toEqual({ notInWhole: [], notInHook: [], sameExitCode: true });
    const missed = compareRuns([[{ exitCode: 0, report: { findings: [] } }, wholeExpired]], scope);
    expect(missed.sameExitCode).toBe(false);
    expect(missed.notInHook).toEqual([expect.stringContaining('waiver/expired')]);
    // With --fail-on warning, a warning on the hook's targets implies exit 1.
    const warned = { exitCode: 1, report: { findings: [{ ...f('overlays/dev', 'w'), severity: 'warning' as const }] } };
    expect(compareRuns([[{ exitCode: 1, report: warned.report }, warned]], { ...scope, failOn: 'warning' }).sameExitCode).toBe(true);
    expect(compareRuns([[{ exitCode: 1, report: warned.report }, warned]], scope).sameExitCode).toBe(false);
  });

  it("reads the hook's --fail-on (default error)", () => {
    expect(failOnOf(['validate', '--changed'])).toBe('error');
    expect(failOnOf(['validate', '--fail-on', 'warning', '--brief'])).toBe('warning');
    expect(failOnOf(['validate', '--fail-on=warning'])).toBe('warning');
    expect(failOnOf(['validate', '--fail-on=error'])).toBe('error');
  });
});
