/**
 * Never a silent pass, and nothing written into the user's repository: missing tools, a stale
 * bundle, the kubectl fallback, --changed and waivers, each against the real tools.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyWaivers, type Waiver } from '../../src/waivers/waivers.js';
import { containerOf } from '../../src/inputs/kubernetes.js';
import type { Finding } from '../../src/pipeline/types.js';
import { gitops, lineOf, makeRepo, REPO, snapshot, type FixtureRepo } from '../helpers.js';

const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  LOG_LEVEL: info\n';

function overlayFiles(): Record<string, string> {
  return {
    'base/app/kustomization.yaml': 'resources:\n  - configmap.yaml\n',
    'base/app/configmap.yaml': CONFIGMAP,
    'base/other/kustomization.yaml': 'resources:\n  - configmap.yaml\n',
    'base/other/configmap.yaml': CONFIGMAP.replace('settings', 'other'),
    'overlays/dev/kustomization.yaml': 'resources:\n  - ../../base/app\n',
    'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base/other\n',
  };
}

describe('validate writes nothing into the repository but its git-ignored cache', () => {
  let repo: FixtureRepo;
  beforeAll(() => {
    repo = makeRepo(overlayFiles());
  });
  afterAll(() => repo.cleanup());

  it('leaves every file as it was, in every format', async () => {
    const before = snapshot(repo.root);
    for (const format of ['text', 'json', 'sarif', 'junit', 'github']) {
      const run = await gitops(repo.root, ['validate', '--format', format]);
      expect(run.exitCode).toBe(0);
    }
    const after = snapshot(repo.root);
    // Compiled schema validators (.cache/ajv) and the results of the run (.cache/results, shared
    // files and each target's own) are the only things written, and .cache/ is git-ignored.
    const cached = [...after.keys()].filter((f) => !before.has(f));
    expect(cached.some((f) => f.startsWith('.cache/ajv/'))).toBe(true);
    expect(cached.some((f) => f.startsWith('.cache/results/'))).toBe(true);
    expect(cached.filter((f) => !(f.startsWith('.cache/ajv/') && f.endsWith('.cjs')) && !/^\.cache\/results\/([a-z-]+(\.[0-9a-f]{16})?\.json|gate)$/.test(f))).toEqual([]);
    expect(readFileSync(path.join(REPO, '.gitignore'), 'utf8').split('\n')).toContain('.cache/');
    for (const f of cached) after.delete(f);
    expect(after).toEqual(before);
  });
});

describe('missing and stale components make the run incomplete', () => {
  it('exits 2 naming kubeconform when it is asked for and not installed', async () => {
    const repo = makeRepo(overlayFiles(), { tools: ['kustomize', 'opa'] });
    try {
      const run = await gitops(repo.root, ['validate', '--format', 'json', '--schema-engine', 'kubeconform']);
      expect(run.exitCode).toBe(2);
      const report = run.json();
      expect(report.summary.incomplete).toBe(true);
      expect(report.findings.find((f) => f.ruleId === 'tool/kubeconform')?.message).toContain('gitops setup');
      // Without the flag, ajv alone checks the same files and the run is complete.
      const auto = await gitops(repo.root, ['validate', '--format', 'json']);
      expect(auto.exitCode).toBe(0);
      expect(auto.json().summary.tools).toMatchObject({ schemaEngines: 'ajv' });
    } finally {
      repo.cleanup();
    }
  });

  it('falls back to kubectl kustomize when the pinned kustomize is missing, and says so', async () => {
    const repo = makeRepo(overlayFiles(), { tools: ['kubeconform', 'opa'] });
    try {
      const run = await gitops(repo.root, ['validate', '--format', 'json']);
      expect(run.exitCode).toBe(0);
      expect(String((run.json().summary.tools as Record<string, string>).kustomize)).toContain('kubectl kustomize fallback');
    } finally {
      repo.cleanup();
    }
  });

  it('refuses a policy bundle older than its sources', async () => {
    const repo = makeRepo(overlayFiles(), { copyPolicies: true });
    try {
      appendFileSync(path.join(repo.root, 'policies/main.rego'), '\n# changed after the build\n');
      const run = await gitops(repo.root, ['validate', '--format', 'json']);
      expect(run.exitCode).toBe(2);
      const f = run.json().findings.find((x) => x.ruleId === 'tool/policy-bundle');
      expect(f?.message).toContain('stale');
      expect(f?.message).toContain('gitops policy build');
    } finally {
      repo.cleanup();
    }
  });
});

describe('--changed renders only the targets a change touches', () => {
  let repo: FixtureRepo;
  beforeAll(async () => {
    repo = makeRepo(overlayFiles());
    const git = (args: string[]) => execa('git', args, { cwd: repo.root });
    await git(['init', '-q']);
    await git(['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A']);
    await git(['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init']);
  });
  afterAll(() => repo.cleanup());

  it('checks nothing when nothing changed', async () => {
    const report = (await gitops(repo.root, ['validate', '--changed', '--format', 'json'])).json();
    expect(report.summary.targets).toBe(0);
  });

  it('checks only the overlay whose base changed', async () => {
    repo.write('base/other/configmap.yaml', CONFIGMAP.replace('settings', 'other').replace('info', 'debug'));
    const run = await gitops(repo.root, ['validate', '--changed', '--format', 'junit']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('overlays/prod');
    expect(run.stdout).not.toContain('overlays/dev');
    const report = (await gitops(repo.root, ['validate', '--changed', '--format', 'json'])).json();
    expect(report.summary.targets).toBe(1);
  });
});

describe('waivers', () => {
  const finding = (ruleId: string, name: string): Finding => ({
    ruleId, severity: 'error', message: `Deployment/${name}: container 'api' bad`, target: 'overlays/prod',
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name }, location: { file: 'a.yaml', line: 3, column: 1 }, field: null,
  });
  const waiver = (over: Partial<Waiver>): Waiver => ({
    rule: 'k8s/x', resource: { kind: 'Deployment', name: 'api' }, owner: 'platform', reason: 'because', expires: '2026-12-31', line: 2, ...over,
  });

  it('waives a matching finding until it expires', () => {
    const r = applyWaivers([finding('k8s/x', 'api'), finding('k8s/x', 'web')], [waiver({})], '2026-11-26');
    expect(r.waived).toBe(1);
    expect(r.kept.map((f) => f.resource!.name)).toEqual(['web']);
    expect(r.findings).toEqual([]);
  });

  it('makes an expired waiver an error and stops waiving', () => {
    const r = applyWaivers([finding('k8s/x', 'api')], [waiver({ expires: '2026-11-25' })], '2026-11-26');
    expect(r.waived).toBe(0);
    expect(r.kept).toHaveLength(1);
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'waiver/expired', severity: 'error', location: { file: 'policies/waivers.yaml', line: 2, column: 1 } })]);
  });

  it('matches container: on the structured container of the finding, not on its message text', () => {
    const inApi = { ...finding('k8s/x', 'api'), container: 'api' };
    const namesApiInText = { ...finding('k8s/x', 'api'), container: 'sidecar' };
    const r = applyWaivers([inApi, namesApiInText], [waiver({ container: 'api' })], '2026-11-26');
    expect(r.waived).toBe(1);
    expect(r.kept).toEqual([namesApiInText]);
    expect(containerOf({ spec: { template: { spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b' }] } } } }, 'spec.template.spec.containers[1].securityContext.privileged')).toBe('b');
    expect(containerOf({ spec: { initContainers: [{ name: 'init' }] } }, 'spec.initContainers[0]')).toBe('init');
    expect(containerOf({ spec: {} }, 'spec.replicas')).toBeNull();
  });

  it('warns about a waiver that matches nothing, only on whole-repository runs', () => {
    expect(applyWaivers([], [waiver({ container: 'other' })], '2026-11-26').findings.map((f) => [f.ruleId, f.severity])).toEqual([['waiver/unused', 'warning']]);
    expect(applyWaivers([], [waiver({})], '2026-11-26', false).findings).toEqual([]);
  });

  it('reads waivers from policies/waivers.yaml and rejects one without an owner', async () => {
    const repo = makeRepo(overlayFiles(), { copyPolicies: true });
    try {
      const file = path.join(repo.root, 'policies/waivers.yaml');
      const original = readFileSync(file, 'utf8');
      const text = `${original.trimEnd().replace(/waivers:\s*\[\]\s*$/, 'waivers:')}\n  - rule: k8s/x\n    resource: {kind: Deployment, name: api}\n    reason: r\n    expires: 2027-01-01\n  - rule: k8s/y\n    owner: platform\n    reason: a whole rule\n    expires: 2027-01-01\n`;
      repo.write('policies/waivers.yaml', text);
      const run = await gitops(repo.root, ['validate', '--format', 'json']);
      expect(run.exitCode).toBe(2);
      const problems = run.json().findings.filter((x) => x.ruleId === 'input/waiver');
      expect(problems.map((f) => [f.location.file, f.location.line])).toEqual([
        ['policies/waivers.yaml', lineOf(text, '- rule: k8s/x')],
        ['policies/waivers.yaml', lineOf(text, '- rule: k8s/y')],
      ]);
      expect(problems[0]!.message).toContain('lacks owner');
      expect(problems[1]!.message).toContain('names no resource');
    } finally {
      repo.cleanup();
    }
  });
});

describe('remote sources are never skipped silently', () => {
  it('reports a pinned Helm chart it cannot render as a counted warning when only its cluster is validated', async () => {
    const run = await gitops(REPO, ['validate', 'clusters/prod', '--format', 'json', '--quiet']);
    const report = run.json();
    expect(run.exitCode).toBe(0);
    const unrendered = report.findings.filter((f) => f.ruleId === 'charts/unrendered');
    expect(unrendered.length).toBe(11);
    expect(report.summary.warnings).toBeGreaterThanOrEqual(10);
    // A partial run cannot judge which Application deploys every overlay: no coverage errors.
    expect(report.findings.filter((f) => /^argocd\/overlay-/.test(f.ruleId))).toEqual([]);
  });
});

describe('setup without Go', () => {
  it('says that Go is needed, names the missing tools and exits 2, without a stack trace', async () => {
    const repo = makeRepo({}, { tools: [] });
    // An empty tools cache: nothing can be reused, everything would have to be built.
    const cache = mkdtempSync(path.join(os.tmpdir(), 'gitops-tools-cache-'));
    try {
      const run = await gitops(repo.root, ['setup'], { PATH: '/usr/bin:/bin', GITOPS_TOOLS_CACHE: cache });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain("Go is needed to install kustomize, kubeconform, opa");
      expect(run.stderr).toContain("'go' is not on PATH");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      repo.cleanup();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
