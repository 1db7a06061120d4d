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
  });
});
