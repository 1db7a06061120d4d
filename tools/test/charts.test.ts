/**
 * Whole-cluster rendering with the pinned helm and the charts of charts.lock.json that have an
 * offline source (filled into .cache/charts by `gitops setup`): no network in any test.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitops, REPO } from './helpers.js';
import { chartTreeHash, readChartsLock } from '../src/render/helm-lock.js';
import { resolveCachedChart } from '../src/render/helm-sources.js';
import { helmTemplateCall } from '../src/render/helm.js';
import { configuringValue } from '../src/render/helm-map.js';
import { diffComments, GITHUB_COMMENT_LIMIT, type ClusterDiff } from '../src/render/diff.js';
import type { Resource } from '../src/pipeline/types.js';

type Obj = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> }; spec?: any };

function objects(yaml: string): Obj[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as Obj).filter(Boolean);
}

const OFFLINE = readChartsLock(REPO).entries.filter((e) => e.offline !== null);

/** A copy of the repository's deployable content in a temp folder, with the tools and chart cache linked. */
function clusterRepo(opts: { ownCache?: boolean } = {}): { root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gitops-charts-'));
  for (const d of ['base', 'overlays', 'clusters', 'apps']) cpSync(path.join(REPO, d), path.join(root, d), { recursive: true });
  for (const f of ['gitops.yaml', 'charts.lock.json']) cpSync(path.join(REPO, f), path.join(root, f));
  mkdirSync(path.join(root, 'tools'));
  cpSync(path.join(REPO, 'tools/versions.json'), path.join(root, 'tools/versions.json'));
  symlinkSync(path.join(REPO, 'schemas'), path.join(root, 'schemas'));
  symlinkSync(path.join(REPO, 'policies'), path.join(root, 'policies'));
  mkdirSync(path.join(root, '.tools/bin'), { recursive: true });
  for (const t of ['kustomize', 'kubeconform', 'opa', 'helm']) symlinkSync(path.join(REPO, '.tools/bin', t), path.join(root, '.tools/bin', t));
  mkdirSync(path.join(root, '.cache'), { recursive: true });
  if (opts.ownCache) cpSync(path.join(REPO, '.cache/charts'), path.join(root, '.cache/charts'), { recursive: true });
  else symlinkSync(path.join(REPO, '.cache/charts'), path.join(root, '.cache/charts'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

describe('gitops render clusters/prod', () => {
  let out: { exitCode: number; stdout: string; stderr: string };
  let objs: Obj[];
  beforeAll(async () => {
    out = await gitops(REPO, ['render', 'clusters/prod']);
    objs = objects(out.stdout);
  });

  it('prints the root app-of-apps, the Applications, the overlay and the rendered charts, each annotated with its origin', () => {
    expect(out.exitCode).toBe(0);
    const root = objs.find((o) => o.kind === 'Application' && o.metadata.name === 'root')!;
    expect(root.metadata.annotations!['gitops.funlynk.com/source']).toBe('clusters/prod/root-application.yaml');
    const backend = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend')!;
    expect(backend.metadata.annotations).toMatchObject({ 'gitops.funlynk.com/application': 'argocd/funlynk-prod', 'gitops.funlynk.com/path': 'overlays/prod' });
    for (const o of objs) expect(o.metadata.annotations?.['gitops.funlynk.com/source'], `${o.kind}/${o.metadata.name}`).toBeTruthy();
  });

  it('renders every chart with an offline source, in the Application destination namespace, with its values', () => {
    expect(OFFLINE.map((e) => e.chart).sort()).toEqual(['cert-manager', 'gatekeeper', 'metrics-server']);
    for (const e of OFFLINE) {
      const fromChart = objs.filter((o) => o.metadata.annotations?.['gitops.funlynk.com/chart']?.startsWith(`${e.chart} ${e.version} `));
      expect(fromChart.length, e.chart).toBeGreaterThan(5);
    }
    const gk = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gatekeeper-controller-manager')!;
    expect(gk.metadata.namespace).toBe('gatekeeper-system');
    expect(gk.spec.replicas).toBe(2); // valuesObject.replicas of clusters/prod/addons/gatekeeper.yaml
    expect(gk.metadata.annotations!['gitops.funlynk.com/template']).toBe('gatekeeper/templates/gatekeeper-controller-manager-deployment.yaml');
    const cm = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'cert-manager')!;
    expect(cm.metadata.namespace).toBe('cert-manager');
    expect(cm.metadata.labels!['app.kubernetes.io/version']).toBe('v1.20.1');
    // The chart's CRDs come along (Argo CD passes --include-crds unless skipCrds).
    expect(objs.some((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === 'certificates.cert-manager.io')).toBe(true);
  });

  it('says which charts it could not render and why (Istio has no offline source at 1.29.2)', () => {
    expect(out.stderr).toMatch(/charts: 3 rendered, 11 unrendered/);
    expect(out.stderr).toMatch(/clusters\/prod\/addons\/istiod\.yaml:\d+:\d+: warning charts\/unrendered: Application\/istiod: Helm chart istiod 1\.29\.2 is not rendered/);
    expect(objs.some((o) => o.kind === 'Deployment' && o.metadata.name === 'istiod')).toBe(false);
  });

  it('--cluster prod is the same cluster', async () => {
    const again = await gitops(REPO, ['render', '--cluster', 'prod']);
    expect(again.exitCode).toBe(0);
    expect(objects(again.stdout).length).toBe(objs.length);
  });
});

describe('validate on a cluster sees the chart objects', () => {
  let repo: { root: string; cleanup: () => void };
  beforeAll(() => {
    repo = clusterRepo();
  });
  afterAll(() => repo.cleanup());

  it('counts rendered and unrendered charts; an unrendered chart is a warning, an error only with --require-charts', async () => {
    const r = await gitops(repo.root, ['validate', 'clusters/prod', '--format', 'json', '--quiet']);
    const report = r.json();
    expect(report.summary.tools).toMatchObject({ helm: 'v3.19.4 (binary)', charts: '3 rendered, 11 unrendered (1 clusters)' });
    const unrendered = report.findings.filter((f) => f.ruleId === 'charts/unrendered');
    expect(unrendered).toHaveLength(11);
    for (const f of unrendered) expect(f.severity).toBe('warning');
    expect(report.summary.incomplete).toBe(false);
    const strict = await gitops(repo.root, ['validate', 'clusters/prod', '--format', 'json', '--quiet', '--require-charts']);
    expect(strict.exitCode).toBe(2);
    expect(strict.json().summary.incomplete).toBe(true);
    expect(strict.json().findings.filter((f) => f.ruleId === 'charts/unrendered' && f.severity === 'error')).toHaveLength(11);
  });

  it('a changed value changes the rendered objects, and a finding on them points at that values line with the chart template related', async () => {
    const file = path.join(repo.root, 'clusters/prod/addons/gatekeeper.yaml');
    const before = objects((await gitops(repo.root, ['render', 'clusters/prod'])).stdout).find((o) => o.kind === 'Deployment' && o.metadata.name === 'gatekeeper-controller-manager')!;
    edit(file, '        replicas: 2\n', '        replicas: 3\n        image:\n          repository: registry.example.com/opa/gatekeeper\n');
    const after = objects((await gitops(repo.root, ['render', 'clusters/prod'])).stdout).find((o) => o.kind === 'Deployment' && o.metadata.name === 'gatekeeper-controller-manager')!;
    expect(before.spec.replicas).toBe(2);
    expect(after.spec.replicas).toBe(3);
    expect(after.spec.template.spec.containers[0].image).toBe('registry.example.com/opa/gatekeeper:v3.21.1');

    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('repository: registry.example.com/opa/gatekeeper')) + 1;
    const report = (await gitops(repo.root, ['validate', 'clusters/prod', '--format', 'json', '--quiet'])).json();
    const f = report.findings.find((x) => x.ruleId === 'k8s/trusted-registries' && x.resource?.name === 'gatekeeper-controller-manager')!;
    expect(f, 'trusted-registries finding on the chart Deployment').toBeTruthy();
    expect(f.message).toContain('registry.example.com/opa/gatekeeper');
    expect(f.location).toEqual({ file: 'clusters/prod/addons/gatekeeper.yaml', line, column: 11 });
    expect(f.resource).toMatchObject({ kind: 'Deployment', namespace: 'gatekeeper-system' });
    const tpl = f.related.find((x: { message: string }) => x.message.startsWith('chart template'));
    expect(tpl.file).toBe('.cache/charts/offline/gatekeeper-3.21.1/gatekeeper/templates/gatekeeper-controller-manager-deployment.yaml');
    expect(readFileSync(path.join(repo.root, tpl.file), 'utf8').split('\n')[tpl.line - 1]).toMatch(/image:/);
    expect(f.related.some((x: { message: string; file: string }) => x.message.startsWith('chart gatekeeper 3.21.1') && x.file === 'clusters/prod/addons/gatekeeper.yaml')).toBe(true);
  });

  it('a chart version without a lock entry is an error at its targetRevision', async () => {
    const file = path.join(repo.root, 'clusters/prod/addons/cert-manager.yaml');
    edit(file, 'targetRevision: v1.20.1', 'targetRevision: v1.20.2');
    const r = await gitops(repo.root, ['validate', 'clusters/prod', '--format', 'json', '--quiet']);
    expect(r.exitCode).toBe(1);
    const f = r.json().findings.find((x) => x.ruleId === 'charts/not-locked')!;
    expect(f.severity).toBe('error');
    expect(f.message).toMatch(/cert-manager v1\.20\.2 .* no entry in charts\.lock\.json/);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('targetRevision: v1.20.2')) + 1;
    expect(f.location).toMatchObject({ file: 'clusters/prod/addons/cert-manager.yaml', line });
    edit(file, 'targetRevision: v1.20.2', 'targetRevision: v1.20.1');
  });
});

describe('the chart cache is checked against the lock', () => {
  it('a cached chart whose content differs from the recorded hash is not rendered, and says why', () => {
    const repo = clusterRepo({ ownCache: true });
    try {
      const entry = readChartsLock(repo.root).entries.find((e) => e.chart === 'gatekeeper')!;
      expect(resolveCachedChart(repo.root, entry).ok).toBe(true);
      const values = path.join(repo.root, '.cache/charts/offline/gatekeeper-3.21.1/gatekeeper/values.yaml');
      writeFileSync(values, `${readFileSync(values, 'utf8')}\n# changed\n`);
      const r = resolveCachedChart(repo.root, entry);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(/content hash sha256:[0-9a-f]{64}, but charts\.lock\.json records/);
    } finally {
      repo.cleanup();
    }
  });
});

describe('helm template arguments, as Argo CD builds them', () => {
  const app = (spec: Record<string, unknown>): Resource => ({
    object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'demo', namespace: 'argocd' }, spec },
    ref: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name: 'demo' },
    origin: { file: path.join(REPO, 'clusters/prod/argocd/application.yaml'), docIndex: 0, transformedBy: [], generator: null },
  });
  const opts = { repoRoot: REPO, kubeVersion: '1.35.0', apiVersions: ['example.io/v1'], isOwnRepo: (u: string | null) => u === 'https://github.com/funlynk/funlynk-gitops.git' };

  it('release name defaults to the Application, namespace to the destination; CRDs included; $values files from this repository, inline values last', () => {
    const sources = [
      { source: { repoURL: 'https://example.io/charts', chart: 'c', targetRevision: '1.0.0', helm: { valueFiles: ['$values/clusters/prod/argocd/values.yaml'], valuesObject: { a: 1 }, parameters: [{ name: 'x.y', value: 'a,b' }] } }, field: 'spec.sources[0]' },
      { source: { repoURL: 'https://github.com/funlynk/funlynk-gitops.git', targetRevision: 'main', ref: 'values' }, field: 'spec.sources[1]' },
    ];
    const a = app({ sources: sources.map((s) => s.source), destination: { namespace: 'demo-ns' } });
    const call = helmTemplateCall({ app: a, sourceField: 'spec.sources[0]', source: sources[0]!.source, sources }, '/charts/c', opts, () => '/tmp/inline.yaml');
    expect(call.problems).toEqual([]);
    expect(call.args).toEqual([
      'template', '/charts/c', '--name-template', 'demo', '--namespace', 'demo-ns', '--kube-version', '1.35.0',
      '--set', 'x.y=a\\,b',
      '--values', path.join(REPO, 'clusters/prod/argocd/values.yaml'),
      '--values', '/tmp/inline.yaml',
      '--api-versions', 'example.io/v1', '--include-crds',
    ]);
    expect(call.layers.map((l) => l.kind)).toEqual(['parameter', 'valueFile', 'valuesObject']);
  });

  it('helm.releaseName, helm.namespace and skipCrds are honoured; a $ref nobody declares is a problem', () => {
    const source = { repoURL: 'https://example.io/charts', chart: 'c', targetRevision: '1', helm: { releaseName: 'r', namespace: 'n', skipCrds: true, valueFiles: ['$nope/x.yaml'] } };
    const call = helmTemplateCall({ app: app({ source, destination: { namespace: 'd' } }), sourceField: 'spec.source', source, sources: [{ source, field: 'spec.source' }] }, '/charts/c', opts, () => '/tmp/v.yaml');
    expect(call.args.slice(0, 8)).toEqual(['template', '/charts/c', '--name-template', 'r', '--namespace', 'n', '--kube-version', '1.35.0']);
    expect(call.args).not.toContain('--include-crds');
    expect(call.problems).toEqual([{ field: 'spec.source.helm.valueFiles[0]', message: "value file '$nope/x.yaml' names source ref '$nope', which no source of the Application declares" }]);
  });
});

describe('gitops diff --base REF', () => {
  it('shows a chart bump as the rendered objects that change, resource by resource', async () => {
    const repo = clusterRepo({ ownCache: true });
    try {
      // A second version of the gatekeeper chart in this fixture's own cache, with its lock entry.
      const from = path.join(repo.root, '.cache/charts/offline/gatekeeper-3.21.1/gatekeeper');
      const to = path.join(repo.root, '.cache/charts/offline/gatekeeper-3.21.2/gatekeeper');
      cpSync(from, to, { recursive: true });
      edit(path.join(to, 'Chart.yaml'), 'version: 3.21.1', 'version: 3.21.2');
      const lockFile = path.join(repo.root, 'charts.lock.json');
      const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
      const gk = lock.charts.find((c: { chart: string }) => c.chart === 'gatekeeper');
      lock.charts.push({ ...gk, version: '3.21.2', offline: { ...gk.offline, sha256: chartTreeHash(to) } });
      writeFileSync(lockFile, JSON.stringify(lock, null, 2));
      const git = (args: string[]) => execa('git', args, { cwd: repo.root, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
      writeFileSync(path.join(repo.root, '.gitignore'), '.cache/\n.tools/\n');
      await git(['init', '-q']);
      await git(['add', '-A']);
      await git(['commit', '-qm', 'base']);
      edit(path.join(repo.root, 'clusters/prod/addons/gatekeeper.yaml'), 'targetRevision: 3.21.1', 'targetRevision: 3.21.2');

      const r = await gitops(repo.root, ['diff', '--base', 'HEAD', '--quiet']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('<!-- gitops-render-diff -->');
      expect(r.stdout).toMatch(/#### `clusters\/prod`: \d+ resources changed/);
      expect(r.stdout).toMatch(/<code>Deployment gatekeeper-system\/gatekeeper-controller-manager \(apps\/v1\)<\/code> changed \(chart gatekeeper 3\.21\.2 gatekeeper\/templates\/gatekeeper-controller-manager-deployment\.yaml\)/);
      expect(r.stdout).toContain('-    helm.sh/chart: gatekeeper-3.21.1');
      expect(r.stdout).toContain('+    helm.sh/chart: gatekeeper-3.21.2');
      expect(r.stdout).toMatch(/`clusters\/dev`: 0 resources changed|No rendered change|clusters\/dev/);
      // Only prod pinned the new version: dev and staging show no change.
      expect(r.stdout).not.toMatch(/#### `clusters\/dev`: [1-9]/);
    } finally {
      repo.cleanup();
    }
  });

  it('splits the comment under GitHub\'s 65,536-character limit, whole resources where they fit', () => {
    const big = (n: number) => Array.from({ length: n }, (_, i) => `+line ${i} ${'x'.repeat(60)}`).join('\n');
    const diffs: ClusterDiff[] = [{
      cluster: 'clusters/prod',
      notes: [],
      changes: Array.from({ length: 40 }, (_, i) => ({ key: `ConfigMap ns/cm-${i} (v1)`, change: 'changed' as const, via: 'chart c 1', diff: big(i === 3 ? 5000 : 60) })),
    }];
    const comments = diffComments(diffs);
    expect(comments.length).toBeGreaterThan(1);
    for (const c of comments) {
      expect(c.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
      expect(c.startsWith('<!-- gitops-render-diff -->')).toBe(true);
    }
    const all = comments.join('');
    for (let i = 0; i < 40; i += 1) expect(all).toContain(`<code>ConfigMap ns/cm-${i} (v1)</code>`);
    expect(all).toContain("cut to fit GitHub's comment limit");
  });
});

describe('which value configures a field of a chart object', () => {
  const layers = (values: Record<string, unknown>) => [{ kind: 'valuesObject' as const, file: '/x', field: 'spec.source.helm.valuesObject', values }];
  const deployment = {
    spec: { replicas: 3, template: { spec: { containers: [{ image: 'registry.example.com/istio/pilot:1.29.2', resources: { limits: { memory: '1Gi' }, requests: { cpu: '100m' } } }] } } },
  };

  it('the longest key-path suffix, a lone key only with the value as evidence, a contained string when no key matches', () => {
    const values = { replicas: 3, pilot: { resources: { requests: { cpu: '100m' }, limits: { memory: '1Gi' } } }, global: { hub: 'registry.example.com/istio' } };
    const at = (field: string) => configuringValue(layers(values), deployment, field)?.path.join('.') ?? null;
    expect(at('spec.replicas')).toBe('replicas');
    expect(at('spec.template.spec.containers[0].resources.requests.cpu')).toBe('pilot.resources.requests.cpu');
    // limits.cpu is set by nobody: the nearest configured ancestor, not requests.cpu.
    expect(at('spec.template.spec.containers[0].resources.limits.cpu')).toBe('pilot.resources.limits');
    expect(at('spec.template.spec.containers[0].image')).toBe('global.hub');
    expect(at('spec.template.spec.containers[0].securityContext.runAsNonRoot')).toBe(null);
  });
});
