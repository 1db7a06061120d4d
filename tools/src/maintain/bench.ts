/**
 * The benchmark: the gate against kubeconform and conftest on the same rendered input (rendered by
 * the gate's one run), in the same process, so the ratios hold across machines. Wall-clock numbers are reported, never asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeTempDir, runTool, tempDir } from '../util/process.js';
import { stringify } from 'yaml';
import { loadConfig, policyConfig } from '../util/config.js';
import { ToolError } from '../util/errors.js';
import { copyPolicySources, readBundle } from '../policy/bundle.js';
import type { RenderedTarget } from '../policy/argocd.js';
import { isClusterTarget } from '../render/cluster-targets.js';
import { policyData } from '../policy/evaluate.js';
import { schemaLocations } from '../schema/kubeconform.js';
import { discoverTargets } from '../discover/targets.js';
import { kubernetesOf, run, type RunContext } from '../pipeline/run.js';
import { FileCache } from '../util/cache.js';
import { requireBinary, resolveKustomize } from './tools.js';
import { CONFTEST_ADAPTER, median, round } from './bench-common.js';

export interface BenchResult {
  runs: number;
  targets: number;
  resources: number;
  medianMs: { gitops: number; kubeconform: number; conftest: number };
  /** Policy findings on the kustomization targets: the gate's, and conftest's on the same input. */
  policyFindings: { gitops: number; conftest: number };
  ratios: { gitopsToKubeconform: number; gitopsToConftest: number; gitopsToBoth: number };
  /** With `apiserver`: one whole-repository run with --apiserver, and what it adds to the median run. */
  apiserver?: { ms: number; addedMs: number; errors: number };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}


export async function runBench(repoRoot: string, runs: number, log: (line: string) => void, opts: { apiserver?: boolean } = {}): Promise<BenchResult> {
  const config = loadConfig(repoRoot);
  const kubeconform = requireBinary(repoRoot, 'kubeconform');
  const conftest = requireBinary(repoRoot, 'conftest');
  const kustomize = await resolveKustomize(repoRoot);
  const work = tempDir('gitops-bench-');
  try {
    // The same input for all three: every kustomization target rendered once.
    const targets = discoverTargets(repoRoot).filter((t) => t.kind === 'kustomization');
    const manifests: string[] = [];
    const conftestRuns: Array<{ data: string; files: string[]; keys: string[]; cluster: boolean }> = [];
    let resources = 0;
    // Rendered by the gate's own run (render and load stages only).
    const ctx: RunContext = { repoRoot, config, cache: new FileCache(), kustomize };
    // Cluster targets come back as their whole state (Applications' paths and charts), as validate sees them.
    const result = await run(ctx, targets, { schema: null, policy: null, wholeRepository: true });
    const loaded = result.loaded;
    const broken = loaded.flatMap((lt) => lt.findings.filter((f) => f.severity === 'error'));
    if (broken.length > 0) throw new ToolError('kustomize', `bench: ${broken[0]!.target} does not render: ${broken[0]!.message}`);
    const rendered: RenderedTarget[] = loaded.map((lt) => ({ target: lt.target, resources: kubernetesOf(lt).map((d) => d.resource!) }));
    // The repository-wide facts the gate gives the policies, so that conftest sees the same data.
    const facts = result.facts;
    for (const [i, { target: t, resources: rs }] of rendered.entries()) {
      const objects = rs.map((r) => r.object);
      const keys = rs.map((r) => `${r.ref.kind}/${r.ref.namespace ?? ''}/${r.ref.name}`);
      resources += objects.length;
      const file = path.join(work, `target-${i}.yaml`);
      writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
      manifests.push(file);
      const dir = path.join(work, `conftest-${i}`);
      mkdirSync(dir);
      const files = objects.map((o, index) => {
        const f = path.join(dir, `${index}.json`);
        writeFileSync(f, JSON.stringify({ kind: 'kubernetes', index, resource: o }));
        return f;
      });
      // The same data as validate: the target, the repository facts, and the objects of the other
      // targets of its environment.
      const environment = result.environments.get(t.name) ?? [];
      const data = path.join(work, `data-${i}.json`);
      writeFileSync(data, JSON.stringify(policyData({ name: t.name, env: t.env, resources: objects }, policyConfig(config), facts, environment)));
      conftestRuns.push({ data, files, keys, cluster: isClusterTarget(t) });
    }
    const policies = path.join(work, 'policies');
    copyPolicySources(repoRoot, policies);
    writeFileSync(path.join(policies, 'bench_adapter.rego'), CONFTEST_ADAPTER);

    const cli = fileURLToPath(new URL('../../bin/gitops.js', import.meta.url));

    // Once, untimed: both policy runs must see the same input and find the same things.
    const gate = await runTool('node', [cli, 'validate', '--format', 'json', '--quiet', '--schema-engine', 'ajv', '--no-cache'], { cwd: repoRoot });
    if (gate.exitCode !== 0 && gate.exitCode !== 1) throw new ToolError('gitops', `bench: gitops validate exited ${gate.exitCode}`, gate.stderr);
    const names = new Set(targets.map((t) => t.name));
    // Findings of the Rego rules that read Kubernetes objects: what conftest sees as well.
    const kubernetesRules = new Set(readBundle(repoRoot).manifest.rules.filter((r) => r.input === 'kubernetes').map((r) => r.id));
    const report = JSON.parse(gate.stdout) as { summary: { waived: number }; findings: Array<{ ruleId: string; target: string }> };
    // conftest knows no waivers: the waived findings (policies/waivers.yaml names Kubernetes objects
    // of these targets) count on the gate's side too.
    const gitopsFindings = report.findings.filter((f) => names.has(f.target) && kubernetesRules.has(f.ruleId)).length + report.summary.waived;
    // Findings as (object, message): a cluster target's finding that another target has is counted
    // once, as the gate keeps it once (in the overlay's target).
    const found: Array<{ cluster: boolean; hits: string[] }> = [];
    for (const c of conftestRuns) {
      if (c.files.length === 0) continue;
      const out = await runTool(conftest, ['test', '--no-color', '--output', 'json', '--policy', policies, '--data', c.data, '--namespace', 'main', ...c.files]);
      if (out.exitCode !== 0 && out.exitCode !== 1) throw new ToolError('conftest', `bench: conftest exited ${out.exitCode}`, out.stderr);
      const hits: string[] = [];
      for (const r of JSON.parse(out.stdout) as Array<{ filename?: string; failures?: Array<{ msg?: string }> }>) {
        const key = c.keys[c.files.indexOf(r.filename ?? '')] ?? r.filename;
        for (const f of r.failures ?? []) hits.push(`${key}\u0000${f.msg ?? ''}`);
      }
      found.push({ cluster: c.cluster, hits });
    }
    const elsewhere = new Set(found.filter((f) => !f.cluster).flatMap((f) => f.hits));
    const conftestFindings = found.reduce((n, f) => n + (f.cluster ? f.hits.filter((h) => !elsewhere.has(h)).length : f.hits.length), 0);

    const samples = { gitops: [] as number[], kubeconform: [] as number[], conftest: [] as number[] };
    for (let r = 1; r <= runs; r += 1) {
      samples.gitops.push(await timed(async () => {
        await runTool('node', [cli, 'validate', '--format', 'json', '--quiet', '--schema-engine', 'ajv', '--no-cache'], { cwd: repoRoot });
      }));
      samples.kubeconform.push(await timed(async () => {
        const args = ['-strict', '-summary', '-output', 'json', '-kubernetes-version', config.kubernetesVersion];
        for (const loc of schemaLocations(repoRoot)) args.push('-schema-location', loc);
        await runTool(kubeconform, [...args, ...manifests]);
      }));
      samples.conftest.push(await timed(async () => {
        for (const c of conftestRuns) {
          if (c.files.length === 0) continue;
          await runTool(conftest, ['test', '--no-color', '--policy', policies, '--data', c.data, '--namespace', 'main', ...c.files]);
        }
      }));
      log(`bench run ${r}/${runs}: gitops ${samples.gitops.at(-1)!.toFixed(0)} ms, kubeconform ${samples.kubeconform.at(-1)!.toFixed(0)} ms, conftest ${samples.conftest.at(-1)!.toFixed(0)} ms`);
    }
    const m = { gitops: median(samples.gitops), kubeconform: median(samples.kubeconform), conftest: median(samples.conftest) };
    // The API server stage once (it takes seconds, not milliseconds): what --apiserver adds.
    let apiserver: BenchResult['apiserver'];
    if (opts.apiserver) {
      let out: { stdout: string; exitCode: number | null; stderr: string } = { stdout: '', exitCode: null, stderr: '' };
      const ms = await timed(async () => {
        out = await runTool('node', [cli, 'validate', '--format', 'json', '--quiet', '--schema-engine', 'ajv', '--no-cache', '--apiserver'], { cwd: repoRoot, timeoutMs: 900_000 });
      });
      const report = JSON.parse(out.stdout || '{}') as { summary?: { incomplete?: boolean; errors?: number } };
      if (report.summary === undefined || report.summary.incomplete) {
        throw new ToolError('apiserver', `bench: gitops validate --apiserver did not complete (exit ${out.exitCode}): run 'npx gitops setup --for apiserver'`, out.stderr);
      }
      apiserver = { ms: Math.round(ms), addedMs: Math.round(ms - m.gitops), errors: report.summary.errors ?? 0 };
      log(`bench --apiserver: ${apiserver.ms} ms (+${apiserver.addedMs} ms over the median run)`);
    }
    return {
      ...(apiserver ? { apiserver } : {}),
      runs, targets: targets.length, resources,
      medianMs: { gitops: Math.round(m.gitops), kubeconform: Math.round(m.kubeconform), conftest: Math.round(m.conftest) },
      policyFindings: { gitops: gitopsFindings, conftest: conftestFindings },
      ratios: {
        gitopsToKubeconform: round(m.gitops / m.kubeconform),
        gitopsToConftest: round(m.gitops / m.conftest),
        gitopsToBoth: round(m.gitops / (m.kubeconform + m.conftest)),
      },
    };
  } finally {
    removeTempDir(work);
  }
}

export function formatBench(r: BenchResult): string {
  return [
    `Input: ${r.targets} kustomization targets, ${r.resources} rendered objects; median of ${r.runs} runs.`,
    `Policy findings on that input: gitops ${r.policyFindings.gitops}, conftest ${r.policyFindings.conftest}.`,
    '',
    '| tool | what it does | median ms | gitops / tool |',
    '|---|---|---|---|',
    `| gitops validate | render + schemas (ajv) + policies (wasm) + source map | ${r.medianMs.gitops} | 1.00 |`,
    `| kubeconform | schemas only, pre-rendered input | ${r.medianMs.kubeconform} | ${r.ratios.gitopsToKubeconform} |`,
    `| conftest | the same Rego, pre-rendered input, per target | ${r.medianMs.conftest} | ${r.ratios.gitopsToConftest} |`,
    `| kubeconform + conftest | | ${r.medianMs.kubeconform + r.medianMs.conftest} | ${r.ratios.gitopsToBoth} |`,
    '',
    ...(r.apiserver
      ? [`gitops validate --apiserver (one run): ${r.apiserver.ms} ms, i.e. +${r.apiserver.addedMs} ms for the loopback kube-apiserver stage (start, pinned CRDs, every cluster; ${r.apiserver.errors} errors).`, '']
      : []),
  ].join('\n');
}
