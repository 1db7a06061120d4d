/**
 * The target index (tools/src/policy/target-index.ts) replaces per-object scans of the whole target
 * in the cross-resource rules. Two checks that it changes nothing but the cost:
 * - the TypeScript index equals the Rego definition (policies/lib/index.rego, evaluated by the real
 *   opa) on every kustomization target of the repository, every policy fixture, and objects built
 *   to hit the edge cases (duplicates, non-string namespaces, a Namespace declared after its
 *   workloads);
 * - the wasm bundle finds exactly the same violations with the index handed over as data.index and
 *   without it (the Rego fallback computes it per evaluation).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { ENTRYPOINT, readBundle } from '../src/policy/bundle.js';
import { policyData } from '../src/policy/evaluate.js';
import { targetIndex, type TargetIndex } from '../src/policy/target-index.js';
import { loadConfig, policyConfig } from '../src/util/config.js';
import { discoverTargets } from '../src/discover/targets.js';
import { renderKustomization } from '../src/render/kustomize.js';
import { resolveKustomize } from '../src/maintain/tools.js';
import { resourcesFromDocs, resourcesFromRender } from '../src/inputs/kubernetes.js';
import { isComposeFile } from '../src/discover/targets.js';
import { parseYaml } from '../src/util/yaml.js';
import { appObjects } from '../src/maintain/synthetic.js';
import { REPO } from './helpers.js';

type Obj = Record<string, unknown>;

const work = mkdtempSync(path.join(os.tmpdir(), 'gitops-index-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Edge cases the Rego semantics decide: equality of any JSON value, first-of, order. */
function edgeCases(): Obj[] {
  const deploy = (name: string, namespace?: unknown): Obj => ({
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
  });
  return [
    deploy('a', 'late'),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late' } },
    deploy('a', 'late'),
    { apiVersion: 'apps/v2', kind: 'Deployment', metadata: { name: 'a', namespace: 'late' } },
    deploy('no-namespace'),
    deploy('null-namespace', null),
    deploy('number-namespace', 7),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 7 } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'quiet' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'quiet' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: 'not-an-object' },
    { apiVersion: 1, kind: 'ConfigMap', metadata: { name: 'bad-api' } },
    { kind: 'Secret' },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'job', namespace: 'late' }, spec: {} },
  ];
}

async function targets(): Promise<Array<{ name: string; env: string | null; resources: Obj[] }>> {
  const out: Array<{ name: string; env: string | null; resources: Obj[] }> = [];
  const config = loadConfig(REPO);
  const kustomize = await resolveKustomize(REPO);
  for (const t of discoverTargets(REPO).filter((x) => x.kind === 'kustomization')) {
    const r = await renderKustomization(kustomize, t.abs, config.render.timeoutSeconds);
    expect(r.ok, `${t.name} renders`).toBe(true);
    out.push({ name: t.name, env: t.env, resources: resourcesFromRender(parseYaml(r.stdout).docs, r.wrapperDir, t.abs).map((x) => x.object) });
  }
  const fixtures = readdirSync(path.join(REPO, 'policies'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /fixtures\/(allowed|denied)\/[^/]+\.ya?ml$/.test(f) && !isComposeFile(path.basename(f)))
    .sort();
  for (const f of fixtures) {
    const abs = path.join(REPO, 'policies', f);
    const { resources } = resourcesFromDocs(parseYaml(readFileSync(abs, 'utf8')).docs, abs);
    if (resources.length > 0) out.push({ name: f, env: 'prod', resources: resources.map((x) => x.object) });
  }
  out.push({ name: 'edge cases', env: 'dev', resources: edgeCases() });
  out.push({ name: 'synthetic', env: 'prod', resources: [0, 1, 2].flatMap((i) => appObjects(i)) });
  return out;
}

/** Lists whose order Rego does not define (set iteration) sorted, to compare as sets. */
function comparable(index: TargetIndex): TargetIndex {
  const anchored = Object.fromEntries(Object.entries(index.anchored_at).map(([k, v]) => [k, [...v].map((x) => JSON.stringify(x)).sort()]));
  return { ...index, anchored_at: anchored };
}

describe('target index', () => {
  it('equals the Rego definition (opa eval of data.lib.index.computed) on every target, fixture and edge case', async () => {
    const all = await targets();
    expect(all.length).toBeGreaterThan(100);
    const dataFile = path.join(work, 'targets.json');
    writeFileSync(dataFile, JSON.stringify({ targets: all.map((t) => t.resources) }));
    const query = path.join(work, 'query.rego');
    writeFileSync(query, 'package index_test_query\n\nimport rego.v1\n\nall := [x | some r in data.targets; x := data.lib.index.computed with data.target.resources as r]\n');
    const opa = path.join(REPO, '.tools/bin/opa');
    const r = await execa(opa, ['eval', '--format', 'json', '-d', path.join(REPO, 'policies/lib/index.rego'), '-d', path.join(REPO, 'policies/lib/kubernetes.rego'), '-d', query, '-d', dataFile, 'data.index_test_query.all'], { reject: false });
    expect(r.stderr).toBe('');
    const rego = (JSON.parse(r.stdout) as { result: Array<{ expressions: Array<{ value: TargetIndex[] }> }> }).result[0]!.expressions[0]!.value;
    expect(rego).toHaveLength(all.length);
    all.forEach((t, i) => {
      expect(comparable(targetIndex(t.resources)), t.name).toEqual(comparable(rego[i]!));
    });
    // The edge cases reach every part of the index.
    const edge = targetIndex(edgeCases());
    expect(edge.anchored_at['1']).toEqual(['late']);
    expect(edge.earlier_duplicates).toMatchObject({ '2': [1], '3': [0], '4': [0, 3], '10': [9] });
    expect(edge.namespace_at).toEqual({ late: 1 });
    expect(Object.values(edge.anchored_at).flat()).toEqual(expect.arrayContaining(['', null, 7]));
  }, 300_000);

  it('gives the wasm bundle exactly the findings it computes without the index', async () => {
    const bundle = readBundle(REPO);
    const config = policyConfig(loadConfig(REPO));
    const policy = await loadPolicy(bundle.wasm);
    let compared = 0;
    for (const t of await targets()) {
      const data = policyData(t, config);
      const run = (d: Obj): string[] => {
        policy.setData(d);
        return t.resources.flatMap((resource, index) => {
          const raw = (policy.evaluate({ kind: 'kubernetes', index, resource }, ENTRYPOINT) as Array<{ result: unknown[] }>)[0]!.result;
          return raw.map((v) => `${index} ${JSON.stringify(v)}`);
        }).sort();
      };
      const indexed = run(data);
      const { index: _dropped, ...without } = data;
      expect(indexed, t.name).toEqual(run(without));
      compared += indexed.length;
    }
    expect(compared).toBeGreaterThan(100);
  }, 300_000);
});
