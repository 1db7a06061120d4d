/**
 * The scaling benchmark on its smallest size: both layouts measured, the three tools really ran
 * on the same input (conftest finds what the gate finds), the JSON and the plot are written.
 * Never a time: CPU seconds are machine-dependent and only checked to be measured.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatScale, runScaleBench, writeScale } from '../src/maintain/bench-scale.js';
import { REPO } from './helpers.js';

const out = mkdtempSync(path.join(os.tmpdir(), 'gitops-bench-scale-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('gitops bench --scale', () => {
  it('compares the gate with kubeconform and conftest on the same synthetic input, as overlays and as a folder', async () => {
    const lines: string[] = [];
    const r = await runScaleBench(REPO, { sizes: [200], log: (l) => lines.push(l) });
    expect(r.points.map((p) => [p.layout, p.resources, p.targets])).toEqual([['overlays', 200, 2], ['folder', 200, 1]]);
    for (const p of r.points) {
      for (const v of Object.values(p.cpuSeconds)) expect(v).toBeGreaterThan(0);
      expect(p.gitopsPeakMiB).toBeGreaterThan(10);
      expect(p.policyFindings.gitops).toBeGreaterThan(0);
      expect(p.policyFindings.conftest).toBe(p.policyFindings.gitops);
    }
    expect(lines).toHaveLength(2);
    const [json, svg] = writeScale(r, out);
    expect(JSON.parse(readFileSync(json!, 'utf8')).points).toHaveLength(2);
    const plot = readFileSync(svg!, 'utf8');
    expect(plot).toMatch(/^<svg /);
    expect(plot.match(/<polyline /g)).toHaveLength(4);
    expect(formatScale(r)).toContain('| folder | 200 | 1 |');
  }, 600_000);
});
