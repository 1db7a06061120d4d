/**
 * Istio's charts have no offline source at 1.29.2 (docs/charts.md), so these run where the network
 * is: the validate workflow's charts job pulls every pinned chart (`gitops charts fetch --pull`) and
 * runs `npx vitest run --config vitest.network.config.ts`. They fail, never skip, when the charts
 * are missing.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { gitops, REPO } from '../helpers.js';

type Obj = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any };
const objects = (yaml: string): Obj[] => parseAllDocuments(yaml).map((d) => d.toJS() as Obj).filter(Boolean);

function copyRepo(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gitops-istio-'));
  for (const d of ['base', 'overlays', 'clusters', 'apps']) cpSync(path.join(REPO, d), path.join(root, d), { recursive: true });
  for (const f of ['gitops.yaml', 'charts.lock.json']) cpSync(path.join(REPO, f), path.join(root, f));
  mkdirSync(path.join(root, 'tools'));
  cpSync(path.join(REPO, 'tools/versions.json'), path.join(root, 'tools/versions.json'));
  for (const d of ['schemas', 'policies']) symlinkSync(path.join(REPO, d), path.join(root, d));
  mkdirSync(path.join(root, '.tools/bin'), { recursive: true });
  for (const t of ['kustomize', 'kubeconform', 'opa', 'helm']) symlinkSync(path.join(REPO, '.tools/bin', t), path.join(root, '.tools/bin', t));
  mkdirSync(path.join(root, '.cache'));
  symlinkSync(path.join(REPO, '.cache/charts'), path.join(root, '.cache/charts'));
  return root;
}

describe('the Istio charts of clusters/prod', () => {
  it('gitops render clusters/prod prints Deployment istiod in istio-system and the gateway Deployment in istio-ingress', async () => {
    const r = await gitops(REPO, ['render', 'clusters/prod', '--require-charts']);
    expect(r.stderr).toMatch(/charts: 14 rendered, 0 unrendered/);
    expect(r.exitCode).toBe(0);
    const objs = objects(r.stdout);
    const istiod = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'istiod')!;
    expect(istiod.metadata.namespace).toBe('istio-system');
    expect(istiod.metadata.annotations!['gitops.funlynk.com/chart']).toMatch(/^istiod 1\.29\.2 from https:\/\/istio-release\.storage\.googleapis\.com\/charts/);
    const gateway = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'istio-ingressgateway')!;
    expect(gateway.metadata.namespace).toBe('istio-ingress');
    expect(gateway.metadata.annotations!['gitops.funlynk.com/chart']).toMatch(/^gateway 1\.29\.2 /);
  });

  it('a value changed in clusters/prod/addons/istiod.yaml changes the rendered objects, and a finding on them points at that values line', async () => {
    const root = copyRepo();
    try {
      const file = path.join(root, 'clusters/prod/addons/istiod.yaml');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('        global:\n');
      writeFileSync(file, text.replace('        global:\n', '        global:\n          hub: registry.example.com/istio\n'));
      const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('hub: registry.example.com/istio')) + 1;
      const istiod = objects((await gitops(root, ['render', 'clusters/prod'])).stdout).find((o) => o.kind === 'Deployment' && o.metadata.name === 'istiod')!;
      expect(istiod.spec.template.spec.containers[0].image).toMatch(/^registry\.example\.com\/istio\/pilot:1\.29\.2/);
      const report = (await gitops(root, ['validate', 'clusters/prod', '--format', 'json', '--quiet'])).json();
      const f = report.findings.find((x) => x.ruleId === 'k8s/trusted-registries' && x.resource?.name === 'istiod')!;
      expect(f.location).toMatchObject({ file: 'clusters/prod/addons/istiod.yaml', line });
      expect(f.related.some((x: { message: string; file: string }) => x.message.startsWith('chart template') && x.file.endsWith('istiod/templates/deployment.yaml'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
