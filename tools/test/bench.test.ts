/**
 * The benchmark runs the gate, kubeconform and conftest on the same input and reports ratios.
 * Times are machine-dependent: this checks the shape and that all three really ran, never a time.
 */
import { describe, expect, it } from 'vitest';
import { formatBench, runBench } from '../src/maintain/bench.js';
import { REPO } from './helpers.js';

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
    // Each cluster target is its whole state (charts included): conftest reads it twice.
  }, 400_000);
});

describe('gitops bench --apiserver', () => {
  it('reports what the loopback API server stage adds to a whole-repository run', async () => {
    const lines: string[] = [];
    const r = await runBench(REPO, 1, (l) => lines.push(l), { apiserver: true });
    expect(r.apiserver).toBeDefined();
    expect(r.apiserver!.ms).toBeGreaterThan(0);
    expect(Number.isFinite(r.apiserver!.addedMs)).toBe(true);
    // The repository passes the API server: the measured run is a real, complete one.
    expect(r.apiserver!.errors).toBe(0);
    expect(lines.some((l) => /^bench --apiserver: \d+ ms/.test(l))).toBe(true);
    expect(formatBench(r)).toMatch(/gitops validate --apiserver \(one run\): \d+ ms, i\.e\. \+-?\d+ ms/);
  });
});
