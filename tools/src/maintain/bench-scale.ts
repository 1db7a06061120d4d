/**
 * The scaling benchmark: the gate against kubeconform (-strict, the same vendored schemas) plus
 * conftest (the same Rego, the same data) on identical synthetic input of 100 to 10,000 objects,
 * laid out as many overlays and as one plain folder, all in one run. Times are CPU seconds (user +
 * system of the process and everything it waited for, from the shell's `times`), because wall
 * time on a shared machine measures the neighbours; the ratios are what to compare. Peak memory is
 * the gate's own process (maxRSS). Written as JSON and an SVG plot; never asserted by a test.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadConfig, policyConfig } from '../util/config.js';
import { ToolError } from '../util/errors.js';
import { copyPolicySources, readBundle } from '../policy/bundle.js';
import { policyData } from '../policy/evaluate.js';
import { schemaLocations } from '../schema/kubeconform.js';
import { removeTempDir, tempDir } from '../util/process.js';
import { requireBinary } from './tools.js';
import { appObjects, OBJECTS_PER_APP, writeSyntheticTree, type SyntheticLayout } from './synthetic.js';
import { CONFTEST_ADAPTER, cpuOf, round } from './bench-common.js';

export const DEFAULT_SIZES = [100, 1000, 3000, 10000];

export interface ScalePoint {
  layout: SyntheticLayout;
  resources: number;
  targets: number;
  /** CPU seconds. gitops: render (overlays) + parse + source map + ajv + wasm policies + report. */
  cpuSeconds: { gitops: number; kubeconform: number; conftest: number };
  /** Peak resident memory of the gate's process, MiB. */
  gitopsPeakMiB: number;
  /** (kubeconform + conftest) / gitops: above 1, the gate does both jobs in less CPU. */
  speedup: number;
  /** Policy findings on that input, the gate's and conftest's (equal: the same rules ran); conftest null when it timed out. */
  policyFindings: { gitops: number; conftest: number | null };
  /** conftest stopped at the time budget: its CPU is a lower bound, and so is the speedup. */
  conftestTimedOut: boolean;
}

export interface ScaleResult {
  date: string;
  cpus: number;
  node: string;
  objectsPerApp: number;
  points: ScalePoint[];
  /** Per layout: CPU growth of the gate from 1,000 to 10,000 objects (when both were measured). */
  growth1kTo10k: Partial<Record<SyntheticLayout, number>>;
}


/** Records the process's own resource usage at exit (loaded with node --import). */
const HOOK = `import { writeFileSync } from 'node:fs';
process.on('exit', () => { if (process.env.GITOPS_BENCH_USAGE) writeFileSync(process.env.GITOPS_BENCH_USAGE, JSON.stringify(process.resourceUsage())); });
`;

export interface ScaleOptions {
  sizes?: number[];
  /** Wall-clock budget of one conftest run, seconds (default 900): beyond it, a lower bound is reported. */
  conftestBudgetSeconds?: number;
  layouts?: SyntheticLayout[];
  log?: (line: string) => void;
}

export async function runScaleBench(repoRoot: string, opts: ScaleOptions = {}): Promise<ScaleResult> {
  const log = opts.log ?? (() => {});
  const config = loadConfig(repoRoot);
  const kubeconform = requireBinary(repoRoot, 'kubeconform');
  const conftest = requireBinary(repoRoot, 'conftest');
  const cli = fileURLToPath(new URL('../../bin/gitops.js', import.meta.url));
  const kubernetesRules = new Set(readBundle(repoRoot).manifest.rules.filter((r) => r.input === 'kubernetes').map((r) => r.id));
  const work = tempDir('gitops-bench-scale-');
  const points: ScalePoint[] = [];
  try {
    const hook = path.join(work, 'usage-hook.mjs');
    writeFileSync(hook, HOOK);
    const policies = path.join(work, 'policies');
    copyPolicySources(repoRoot, policies);
    writeFileSync(path.join(policies, 'bench_adapter.rego'), CONFTEST_ADAPTER);
    for (const layout of opts.layouts ?? ['overlays', 'folder']) {
      for (const size of opts.sizes ?? DEFAULT_SIZES) {
        const apps = Math.max(1, Math.round(size / OBJECTS_PER_APP));
        const dir = path.join(work, `${layout}-${size}`);
        const tree = writeSyntheticTree(repoRoot, path.join(dir, 'repo'), { apps, layout });

        // The same objects for kubeconform and conftest, grouped into the gate's targets.
        const perTarget = layout === 'folder' ? apps : 10;
        const rendered = path.join(dir, 'rendered');
        const conftestInput = path.join(dir, 'conftest');
        mkdirSync(rendered);
        const runs: Array<{ data: string; dir: string }> = [];
        for (let start = 0, t = 0; start < apps; start += perTarget, t += 1) {
          const objects = Array.from({ length: Math.min(perTarget, apps - start) }, (_, k) => appObjects(start + k)).flat();
          writeFileSync(path.join(rendered, `target-${t}.yaml`), objects.map((o) => `---\n${stringify(o)}`).join(''));
          const inputDir = path.join(conftestInput, String(t));
          mkdirSync(inputDir, { recursive: true });
          objects.forEach((o, index) => writeFileSync(path.join(inputDir, `${index}.json`), JSON.stringify({ kind: 'kubernetes', index, resource: o })));
          const data = path.join(dir, `data-${t}.json`);
          const name = layout === 'folder' ? 'manifests' : `overlays/set-${String(t).padStart(4, '0')}`;
          writeFileSync(data, JSON.stringify(policyData({ name, env: null, resources: objects }, policyConfig(config))));
          runs.push({ data, dir: inputDir });
        }

        const usage = path.join(dir, 'usage.json');
        const gateArgs = ['--import', hook, cli, 'validate', ...tree.paths, '--format', 'json', '--quiet', '--schema-engine', 'ajv', '--no-cache'];
        // Untimed first run: fills the validator cache, as on any machine that ran the gate before.
        await cpuOf('node', gateArgs, { cwd: tree.root });
        const gate = await cpuOf('node', gateArgs, { cwd: tree.root, env: { GITOPS_BENCH_USAGE: usage } });
        if (gate.exitCode !== 0 && gate.exitCode !== 1) throw new ToolError('gitops', `bench: gitops validate exited ${gate.exitCode} on ${layout}-${size}`, gate.stderr);
        const report = JSON.parse(gate.stdout) as { summary: { resources: number }; findings: Array<{ ruleId: string }> };
        if (report.summary.resources !== tree.resources) throw new ToolError('gitops', `bench: the gate checked ${report.summary.resources} objects of ${tree.resources}`);
        const peak = (JSON.parse(readFileSync(usage, 'utf8')) as { maxRSS: number }).maxRSS / 1024;

        const kcArgs = ['-strict', '-summary', '-output', 'json', '-kubernetes-version', config.kubernetesVersion];
        for (const loc of schemaLocations(repoRoot)) kcArgs.push('-schema-location', loc);
        const kc = await cpuOf(kubeconform, [...kcArgs, rendered]);
        if (!/"resources"|"summary"/.test(kc.stdout)) throw new ToolError('kubeconform', `bench: kubeconform gave no report (exit ${kc.exitCode})`, kc.stderr);

        let conftestCpu = 0;
        let conftestFindings: number | null = 0;
        let timedOut = false;
        for (const r of runs) {
          const c = await cpuOf(conftest, ['test', '--no-color', '--output', 'json', '--policy', policies, '--data', r.data, '--namespace', 'main', r.dir], { timeoutSeconds: opts.conftestBudgetSeconds ?? 900 });
          conftestCpu += c.cpu;
          if (c.timedOut) {
            timedOut = true;
            conftestFindings = null;
            break;
          }
          if (c.exitCode !== 0 && c.exitCode !== 1) throw new ToolError('conftest', `bench: conftest exited ${c.exitCode}`, c.stderr);
          for (const x of JSON.parse(c.stdout) as Array<{ failures?: unknown[] }>) conftestFindings = (conftestFindings ?? 0) + (x.failures?.length ?? 0);
        }
        const gitopsFindings = report.findings.filter((f) => kubernetesRules.has(f.ruleId)).length;
        const point: ScalePoint = {
          layout, resources: tree.resources, targets: tree.targets,
          cpuSeconds: { gitops: round(gate.cpu), kubeconform: round(kc.cpu), conftest: round(conftestCpu) },
          gitopsPeakMiB: Math.round(peak),
          speedup: round((kc.cpu + conftestCpu) / Math.max(gate.cpu, 0.01)),
          policyFindings: { gitops: gitopsFindings, conftest: conftestFindings },
          conftestTimedOut: timedOut,
        };
        points.push(point);
        log(`bench ${layout} ${tree.resources} objects (${tree.targets} targets): gitops ${point.cpuSeconds.gitops} CPU s (peak ${point.gitopsPeakMiB} MiB), kubeconform ${point.cpuSeconds.kubeconform} s, conftest ${timedOut ? 'at least ' : ''}${point.cpuSeconds.conftest} s: ${timedOut ? 'at least ' : ''}${point.speedup}x`);
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    removeTempDir(work);
  }
  const growth: ScaleResult['growth1kTo10k'] = {};
  for (const layout of ['overlays', 'folder'] as const) {
    const at = (n: number) => points.find((p) => p.layout === layout && p.resources === n);
    const a = at(1000);
    const b = at(10000);
    if (a && b) growth[layout] = Math.round((b.cpuSeconds.gitops / a.cpuSeconds.gitops) * 100) / 100;
  }
  return { date: new Date().toISOString().slice(0, 10), cpus: os.availableParallelism(), node: process.version, objectsPerApp: OBJECTS_PER_APP, points, growth1kTo10k: growth };
}

/** A log-log plot of CPU seconds against objects: the gate and kubeconform + conftest, per layout. */
export function scalePlot(r: ScaleResult): string {
  const W = 720;
  const H = 420;
  const m = { l: 70, r: 190, t: 40, b: 50 };
  const xs = r.points.map((p) => p.resources);
  const ys = r.points.flatMap((p) => [p.cpuSeconds.gitops, p.cpuSeconds.kubeconform + p.cpuSeconds.conftest]).filter((y) => y > 0);
  const lx = (v: number) => Math.log10(v);
  const [x0, x1] = [Math.floor(lx(Math.min(...xs))), Math.ceil(lx(Math.max(...xs)))];
  const [y0, y1] = [Math.floor(lx(Math.min(...ys))), Math.ceil(lx(Math.max(...ys)))];
  const px = (v: number) => m.l + ((lx(v) - x0) / Math.max(1, x1 - x0)) * (W - m.l - m.r);
  const py = (v: number) => H - m.b - ((lx(Math.max(v, 10 ** y0)) - y0) / Math.max(1, y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="22" font-size="14">CPU seconds by number of objects (log-log), ${r.date}, ${r.cpus} cores</text>`,
  ];
  for (let e = x0; e <= x1; e++) {
    const x = px(10 ** e);
    out.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${H - m.b}" stroke="#ddd"/>`, `<text x="${x}" y="${H - m.b + 18}" text-anchor="middle">${(10 ** e).toLocaleString('en-US')}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    out.push(`<line x1="${m.l}" y1="${y}" x2="${W - m.r}" y2="${y}" stroke="#ddd"/>`, `<text x="${m.l - 8}" y="${y + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">objects</text>`, `<text x="18" y="${(m.t + H - m.b) / 2}" transform="rotate(-90 18 ${(m.t + H - m.b) / 2})" text-anchor="middle">CPU s</text>`);
  const series = [
    { layout: 'overlays', tool: 'gitops', color: '#1f77b4', dash: '' },
    { layout: 'overlays', tool: 'kubeconform + conftest', color: '#d62728', dash: '' },
    { layout: 'folder', tool: 'gitops', color: '#1f77b4', dash: '6 4' },
    { layout: 'folder', tool: 'kubeconform + conftest', color: '#d62728', dash: '6 4' },
  ] as const;
  series.forEach((s, i) => {
    const pts = r.points.filter((p) => p.layout === s.layout).sort((a, b) => a.resources - b.resources)
      .map((p) => [px(p.resources), py(s.tool === 'gitops' ? p.cpuSeconds.gitops : p.cpuSeconds.kubeconform + p.cpuSeconds.conftest)] as const);
    if (pts.length === 0) return;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = m.t + 10 + i * 22;
    out.push(`<line x1="${W - m.r + 12}" y1="${ly}" x2="${W - m.r + 40}" y2="${ly}" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}"/>`, `<text x="${W - m.r + 46}" y="${ly + 4}">${s.tool}, ${s.layout}</text>`);
  });
  out.push('</svg>', '');
  return out.join('\n');
}

export function formatScale(r: ScaleResult): string {
  const rows = r.points.map((p) => `| ${p.layout} | ${p.resources} | ${p.targets} | ${p.cpuSeconds.gitops} | ${p.gitopsPeakMiB} | ${p.cpuSeconds.kubeconform} | ${p.conftestTimedOut ? '>= ' : ''}${p.cpuSeconds.conftest} | ${p.conftestTimedOut ? '>= ' : ''}${p.speedup} | ${p.policyFindings.gitops} / ${p.policyFindings.conftest ?? 'stopped'} |`);
  const growth = Object.entries(r.growth1kTo10k).map(([k, v]) => `${k} ${v}x`).join(', ');
  return [
    `Synthetic input, ${r.objectsPerApp} objects per app; CPU seconds (user + system, children included), ${r.cpus} cores, ${r.node}.`,
    '',
    '| layout | objects | targets | gitops CPU s | gitops peak MiB | kubeconform CPU s | conftest CPU s | (kubeconform + conftest) / gitops | policy findings gitops / conftest |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    growth ? `Gate CPU growth from 1,000 to 10,000 objects: ${growth}.` : '',
    '',
  ].join('\n');
}

/** Writes scale.json and scale.svg into `dir` (docs/performance by default). */
export function writeScale(r: ScaleResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'scale.json');
  const svg = path.join(dir, 'scale.svg');
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(svg, scalePlot(r));
  return [json, svg];
}
