/**
 * Argo CD wiring: the repository-wide argocd/* rules (Rego, fed data.repository by
 * repositoryFacts) and the remote listing over targets rendered by the real kustomize (with its own
 * origin annotations), and the policies/argocd Rego evaluated by the real opa on the same targets.
 * Fixture repositories are built in temp folders; the last tests run on this repository itself.
 */
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { normalizeRepoUrl, remoteSources, repositoryFacts, repoUrlsOf, type RenderedTarget } from '../src/policy/argocd.js';
import { readBundle } from '../src/policy/bundle.js';
import { PolicyEngine } from '../src/policy/evaluate.js';
import { mapLocation } from '../src/locate/sourcemap.js';
import { sortFindings } from '../src/report/index.js';
import { FileCache } from '../src/util/cache.js';
import { loadConfig, policyConfig } from '../src/util/config.js';
import type { Finding, Resource, Target } from '../src/pipeline/types.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KUSTOMIZE = path.join(REPO, '.tools/bin/kustomize');
const OPA = path.join(REPO, '.tools/bin/opa');
const OWN = 'https://github.com/funlynk/funlynk-gitops.git';
const ORIGIN = 'config.kubernetes.io/origin';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
}

/** 1-based line of the first line of `file` (inside `root`) that contains `needle`. */
function lineOf(root: string, file: string, needle: string): number {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}

/**
 * Renders a kustomization root with the real kustomize through a temporary wrapper that adds
 * origin annotations, and turns the output into Resources whose origin is the source file.
 */
async function render(repoRoot: string, rel: string): Promise<{ target: Target; resources: Resource[] }> {
  const abs = path.join(repoRoot, rel);
  const wrapper = tempDir('argocd-wrap-');
  writeFileSync(
    path.join(wrapper, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nbuildMetadata: [originAnnotations]\nresources:\n  - ${path.relative(wrapper, abs)}\n`,
  );
  const out = await execa(KUSTOMIZE, ['build', wrapper], { reject: false });
  if (out.exitCode !== 0) throw new Error(`kustomize build ${rel} failed: ${out.stderr}`);
  const resources: Resource[] = [];
  for (const doc of parseAllDocuments(out.stdout)) {
    const obj = doc.toJS() as Record<string, unknown> | null;
    if (!obj) continue;
    const meta = obj.metadata as { name: string; namespace?: string; annotations?: Record<string, string> };
    const originText = meta.annotations?.[ORIGIN];
    const origin = originText ? (parseAllDocuments(originText)[0]!.toJS() as { path?: string; configuredIn?: string }) : null;
    const originPath = origin?.path ?? origin?.configuredIn; // generated objects name their generator's kustomization
    if (meta.annotations) {
      delete meta.annotations[ORIGIN];
      if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
    }
    resources.push({
      object: obj,
      ref: { apiVersion: String(obj.apiVersion), kind: String(obj.kind), namespace: meta.namespace ?? null, name: meta.name },
      origin: { file: originPath ? path.resolve(wrapper, originPath) : path.join(abs, 'kustomization.yaml'), docIndex: null, transformedBy: [], generator: null },
    });
  }
  const env = /^(?:clusters|overlays|apps)\/([^/]+)/.exec(rel)?.[1] ?? null;
  return { target: { name: rel, abs, kind: 'kustomization', env }, resources };
}

interface PolicyHit {
  policy: string;
  msg: string;
  field: string | null;
  resource: Resource;
}

/** Evaluates data.main.findings of policies/argocd (with policies/lib/argocd.rego and lib/platform.rego only, so other packages in progress cannot break it) with the real opa, per resource, with the target as data. */
async function evalPolicies(rendered: { target: Target; resources: Resource[] }): Promise<PolicyHit[]> {
  const work = tempDir('argocd-opa-');
  const dataFile = path.join(work, 'data.json');
  writeFileSync(
    dataFile,
    JSON.stringify({ target: { name: rendered.target.name, env: rendered.target.env, resources: rendered.resources.map((r) => r.object) }, config: policyConfig(loadConfig(REPO)) }),
  );
  const hits: PolicyHit[] = [];
  for (const [index, resource] of rendered.resources.entries()) {
    const inputFile = path.join(work, `input-${index}.json`);
    writeFileSync(inputFile, JSON.stringify({ kind: 'kubernetes', index, resource: resource.object }));
    const out = await execa(
      OPA,
      ['eval', '--format', 'json', '--ignore', 'fixtures', '--ignore', '*_test.rego', '-d', path.join(REPO, 'policies/main.rego'), '-d', path.join(REPO, 'policies/lib/argocd.rego'),
        '-d', path.join(REPO, 'policies/lib/platform.rego'),
        '-d', path.join(REPO, 'policies/argocd'), '-d', dataFile, '-i', inputFile, 'data.main.findings'],
      { reject: false },
    );
    if (out.exitCode !== 0) throw new Error(`opa eval failed: ${out.stderr}`);
    const value = JSON.parse(out.stdout).result[0].expressions[0].value as Array<{ policy: string; msg: string; field: string | null }>;
    for (const v of value) hits.push({ ...v, resource });
  }
  return hits;
}

/** Where a policy hit points: the field's line in the resource's source file. */
function hitLocation(hit: PolicyHit, root: string): { file: string; line: number } {
  const { location } = mapLocation(root, new FileCache(), hit.resource, hit.field, null);
  return { file: location.file, line: location.line };
}

const errors = (fs: Finding[]) => fs.filter((f) => f.severity === 'error');

/** The argocd/* rules that look across targets (data.repository), as validate evaluates them. */
const REPOSITORY_WIDE = new Set(['argocd/source-path-missing', 'argocd/values-file-missing', 'argocd/ignore-differences-not-hpa',
  'argocd/overlay-deployed-twice', 'argocd/overlay-wrong-cluster', 'argocd/overlay-not-deployed']);

/**
 * What validate reports about the Argo CD wiring of `rendered`: the repository-wide rules through the
 * committed wasm bundle, with the facts of repositoryFacts, plus the remote listing; sorted as reports are.
 */
async function checkApplications(root: string, rendered: RenderedTarget[], opts: { repoUrls?: string[] } = {}): Promise<Finding[]> {
  const config = policyConfig(loadConfig(REPO));
  const repoUrls = opts.repoUrls ?? repoUrlsOf(config);
  const engine = await PolicyEngine.load(readBundle(REPO), { ...config, argocd: { repoUrls } });
  engine.setRepository(repositoryFacts(root, rendered, { wholeRepository: true }));
  const cache = new FileCache();
  const findings: Finding[] = [];
  for (const r of rendered) {
    engine.setTarget({ name: r.target.name, env: r.target.env, resources: r.resources.map((x) => x.object) });
    r.resources.forEach((res, index) => {
      for (const v of engine.evaluate({ kind: 'kubernetes', index, resource: res.object })) {
        if (!REPOSITORY_WIDE.has(v.ruleId)) continue;
        findings.push({ ruleId: v.ruleId, severity: v.severity, message: v.message, target: r.target.name, resource: res.ref, location: mapLocation(root, cache, res, v.field, null).location, field: v.field });
      }
    });
  }
  engine.setTarget({ name: '.', env: null, resources: [] });
  for (const v of engine.evaluate({ kind: 'repository' })) {
    findings.push({ ruleId: v.ruleId, severity: v.severity, message: v.message, target: v.target ?? '.', resource: null, location: { file: v.file ?? '', line: 1, column: 1 }, field: null });
  }
  findings.push(...remoteSources(root, rendered, repoUrls, cache));
  return sortFindings(findings);
}

// --- fixture repository -----------------------------------------------------------------------

function kustomization(resources: string[]): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join('')}`;
}

function project(name: string, namespaces: string[], repos: string[] = [OWN]): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: ${name}
  namespace: argocd
spec:
  sourceRepos:
${repos.map((r) => `    - ${r}\n`).join('')}  destinations:
${namespaces.map((n) => `    - server: https://kubernetes.default.svc\n      namespace: ${n}\n`).join('')}  clusterResourceWhitelist:
    - group: ""
      kind: Namespace
`;
}

function overlayApp(name: string, overlayPath: string, namespace = 'funlynk', projectName = 'funlynk'): string {
  return `# Deploys ${overlayPath}.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: ${projectName}
  source:
    repoURL: ${OWN}
    targetRevision: main
    path: ${overlayPath}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${namespace}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`;
}

function chartApp(name: string, version: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: platform
  source:
    repoURL: https://charts.jetstack.io
    chart: cert-manager
    targetRevision: ${JSON.stringify(version)}
  destination:
    server: https://kubernetes.default.svc
    namespace: cert-manager
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`;
}

/** A small repository: overlays dev and prod, each deployed from apps/<env> rendered by clusters/<env>. */
function fixtureRepo(extra: Record<string, string> = {}, apps: { dev?: string[]; prod?: string[] } = {}): string {
  const root = tempDir('argocd-repo-');
  const configMap = (env: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: funlynk\ndata:\n  env: ${env}\n`;
  const files: Record<string, string> = {
    'overlays/dev/kustomization.yaml': kustomization(['configmap.yaml']),
    'overlays/dev/configmap.yaml': configMap('dev'),
    'overlays/prod/kustomization.yaml': kustomization(['configmap.yaml']),
    'overlays/prod/configmap.yaml': configMap('prod'),
    'overlays/local/compose.yaml': 'services: {}\n',
  };
  for (const env of ['dev', 'prod'] as const) {
    files[`clusters/${env}/kustomization.yaml`] = kustomization([`../../apps/${env}`]);
    files[`clusters/${env}/projects/kustomization.yaml`] = kustomization(['appproject-funlynk.yaml', 'appproject-platform.yaml']);
    files[`clusters/${env}/projects/appproject-funlynk.yaml`] = project('funlynk', ['funlynk']);
    files[`clusters/${env}/projects/appproject-platform.yaml`] = project('platform', ['cert-manager'], ['https://charts.jetstack.io']);
    files[`apps/${env}/application-funlynk.yaml`] = overlayApp(`funlynk-${env}`, `overlays/${env}`);
    files[`apps/${env}/kustomization.yaml`] = kustomization([`../../clusters/${env}/projects`, ...(apps[env] ?? ['application-funlynk.yaml'])]);
  }
  writeTree(root, { ...files, ...extra });
  return root;
}

async function renderClusters(root: string, envs = ['dev', 'prod']) {
  return Promise.all(envs.map((e) => render(root, `clusters/${e}`)));
}

// --- tests ------------------------------------------------------------------------------------

describe('the repository-wide Argo CD rules on fixture repositories', () => {
  it('finds nothing wrong in a well-wired repository', async () => {
    const root = fixtureRepo();
    const findings = await checkApplications(root, await renderClusters(root));
    expect(findings).toEqual([]);
  });

  it('reports an Application whose path does not exist, on the path line of its file', async () => {
    const root = fixtureRepo(
      { 'apps/dev/application-missing.yaml': overlayApp('missing', 'overlays/nope') },
      { dev: ['application-funlynk.yaml', 'application-missing.yaml'] },
    );
    const findings = await checkApplications(root, await renderClusters(root));
    expect(errors(findings)).toEqual([
      {
        ruleId: 'argocd/source-path-missing',
        severity: 'error',
        message: "Application/missing: source path 'overlays/nope' does not exist in this repository; Argo CD would fail to generate manifests",
        target: 'clusters/dev',
        resource: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name: 'missing' },
        location: { file: 'apps/dev/application-missing.yaml', line: lineOf(root, 'apps/dev/application-missing.yaml', 'path: overlays/nope'), column: 5 },
        field: 'spec.source.path',
      },
    ]);
    expect(findings).toHaveLength(1);
  });

  it('reports a path that exists but is not a kustomization root', async () => {
    const root = fixtureRepo(
      { 'apps/dev/application-plain.yaml': overlayApp('plain', 'overlays/local'), 'apps/dev/application-funlynk.yaml': overlayApp('funlynk-dev', './overlays/dev/') },
      { dev: ['application-funlynk.yaml', 'application-plain.yaml'] },
    );
    const findings = errors(await checkApplications(root, await renderClusters(root)));
    expect(findings.map((f) => [f.ruleId, f.location?.file, f.location?.line])).toEqual([
      ['argocd/source-path-missing', 'apps/dev/application-plain.yaml', lineOf(root, 'apps/dev/application-plain.yaml', 'path: overlays/local')],
    ]);
    expect(findings[0]!.message).toContain('is not a kustomization root');
  });

  it('reports an overlay deployed twice on both Applications, each on its path line', async () => {
    const root = fixtureRepo(
      { 'apps/dev/application-copy.yaml': overlayApp('funlynk-dev-copy', 'overlays/dev') },
      { dev: ['application-funlynk.yaml', 'application-copy.yaml'] },
    );
    const findings = errors(await checkApplications(root, await renderClusters(root)));
    expect(findings.map((f) => [f.ruleId, f.resource?.name, f.location, f.target])).toEqual([
      ['argocd/overlay-deployed-twice', 'funlynk-dev-copy', { file: 'apps/dev/application-copy.yaml', line: 14, column: 5 }, 'clusters/dev'],
      ['argocd/overlay-deployed-twice', 'funlynk-dev', { file: 'apps/dev/application-funlynk.yaml', line: 14, column: 5 }, 'clusters/dev'],
    ]);
    expect(lineOf(root, 'apps/dev/application-copy.yaml', 'path: overlays/dev')).toBe(14);
    expect(findings[0]!.message).toBe(
      'Application/funlynk-dev-copy: overlays/dev is also deployed by Application/funlynk-dev; two Applications fight over the same objects, keep one',
    );
  });

  it('reports an overlay that no Application deploys, and one deployed from the wrong cluster', async () => {
    // apps/prod deploys overlays/dev instead of overlays/prod.
    const root = fixtureRepo({ 'apps/prod/application-funlynk.yaml': overlayApp('funlynk-prod', 'overlays/dev') });
    const findings = errors(await checkApplications(root, await renderClusters(root)));
    expect(findings.map((f) => [f.ruleId, f.location?.file, f.location?.line, f.target])).toEqual([
      ['argocd/overlay-deployed-twice', 'apps/dev/application-funlynk.yaml', 14, 'clusters/dev'],
      ['argocd/overlay-deployed-twice', 'apps/prod/application-funlynk.yaml', 14, 'clusters/prod'],
      ['argocd/overlay-wrong-cluster', 'apps/prod/application-funlynk.yaml', 14, 'clusters/prod'],
      ['argocd/overlay-not-deployed', 'overlays/prod/kustomization.yaml', 1, 'overlays/prod'],
    ]);
    expect(findings[2]!.message).toBe(
      'Application/funlynk-prod: deploys overlays/dev but is rendered in clusters/prod, not clusters/dev; move it to apps/dev',
    );
  });

  it('reports ignoreDifferences on the replicas of a Deployment that no HPA of the deployed overlay scales', async () => {
    const workload = (name: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: funlynk\nspec:\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n        - name: ${name}\n          image: ghcr.io/funlynk/${name}:1.0.0\n`;
    const hpa = `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: backend\n  namespace: funlynk\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: backend\n  minReplicas: 2\n  maxReplicas: 4\n`;
    const app = overlayApp('funlynk-dev', 'overlays/dev').replace(
      '  syncPolicy:',
      '  ignoreDifferences:\n    - group: apps\n      kind: Deployment\n      name: backend\n      jsonPointers:\n        - /spec/replicas\n    - group: apps\n      kind: Deployment\n      name: worker\n      jsonPointers:\n        - /spec/replicas\n  syncPolicy:',
    );
    const root = fixtureRepo({
      'overlays/dev/kustomization.yaml': kustomization(['configmap.yaml', 'deployment-backend.yaml', 'deployment-worker.yaml', 'hpa.yaml']),
      'overlays/dev/deployment-backend.yaml': workload('backend'),
      'overlays/dev/deployment-worker.yaml': workload('worker'),
      'overlays/dev/hpa.yaml': hpa,
      'apps/dev/application-funlynk.yaml': app,
    });
    const file = 'apps/dev/application-funlynk.yaml';
    const withOverlay = [...(await renderClusters(root)), await render(root, 'overlays/dev')];
    const findings = errors(await checkApplications(root, withOverlay));
    expect(findings.map((f) => [f.ruleId, f.field, f.location])).toEqual([
      ['argocd/ignore-differences-not-hpa', 'spec.ignoreDifferences[1]', { file, line: lineOf(root, file, 'name: worker') - 2, column: 7 }],
    ]);
    expect(findings[0]!.message).toBe(
      'Application/funlynk-dev: ignores the replicas of Deployment funlynk/worker, but no HorizontalPodAutoscaler in overlays/dev scales it; remove the entry (Argo CD would hide manual scaling)',
    );
    // Without the overlay's render there is nothing to check it against.
    expect(errors(await checkApplications(root, await renderClusters(root)))).toEqual([]);
  });

  it('skips the overlay coverage when no cluster target was rendered', async () => {
    const root = fixtureRepo();
    expect(await checkApplications(root, [await render(root, 'overlays/dev')])).toEqual([]);
  });

  it('lists every remote source as info: Helm charts and foreign git repositories, with what they point at', async () => {
    const multi = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: argocd
  namespace: argocd
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: platform
  sources:
    - repoURL: https://argoproj.github.io/argo-helm
      chart: argo-cd
      targetRevision: 9.4.17
      helm:
        valueFiles:
          - $values/clusters/dev/argocd/values.yaml
          - $values/clusters/dev/argocd/missing.yaml
    - repoURL: ${OWN}
      targetRevision: main
      ref: values
    - repoURL: https://github.com/example/manifests.git
      targetRevision: v1.2.3
      path: deploy
  destination:
    server: https://kubernetes.default.svc
    namespace: cert-manager
`;
    const root = fixtureRepo(
      { 'apps/dev/application-argocd.yaml': multi, 'clusters/dev/argocd/values.yaml': 'crds:\n  install: true\n' },
      { dev: ['application-funlynk.yaml', 'application-argocd.yaml'] },
    );
    const findings = await checkApplications(root, await renderClusters(root));
    expect(findings.map((f) => [f.ruleId, f.severity, f.field, f.location?.line])).toEqual([
      ['remote/helm-chart', 'info', 'spec.sources[0].chart', 12],
      ['argocd/values-file-missing', 'error', 'spec.sources[0].helm.valueFiles[1]', 17],
      ['remote/git', 'info', 'spec.sources[2].repoURL', 21],
    ]);
    expect(findings[0]!.message).toBe(
      'Application/argocd: Helm chart argo-cd 9.4.17 from https://argoproj.github.io/argo-helm is not rendered offline: its manifests are not validated by this gate (only the Application pointing at it is)',
    );
    expect(findings[2]!.message).toContain('git repository https://github.com/example/manifests.git at v1.2.3 path deploy is not rendered offline');
  });

  it('treats the configured repository URLs as this repository', async () => {
    const root = fixtureRepo();
    const findings = await checkApplications(root, await renderClusters(root), { repoUrls: ['https://git.example.org/other.git'] });
    expect(findings.map((f) => f.ruleId)).toEqual(['remote/git', 'remote/git', 'argocd/overlay-not-deployed', 'argocd/overlay-not-deployed']);
    expect(normalizeRepoUrl('https://GitHub.com/funlynk/funlynk-gitops/')).toBe(normalizeRepoUrl(OWN));
  });
});

describe('gitops validate on a fixture repository', () => {
  it('reports an overlay deployed twice through the whole pipeline, with the other Application as related location', async () => {
    const root = fixtureRepo(
      { 'apps/dev/application-copy.yaml': overlayApp('funlynk-dev-copy', 'overlays/dev') },
      { dev: ['application-funlynk.yaml', 'application-copy.yaml'] },
    );
    // The gate's settings, schemas, policies and tools, as in any repository.
    cpSync(path.join(REPO, 'gitops.yaml'), path.join(root, 'gitops.yaml'));
    mkdirSync(path.join(root, 'tools'));
    cpSync(path.join(REPO, 'tools/versions.json'), path.join(root, 'tools/versions.json'));
    for (const dir of ['schemas', 'policies', '.tools']) symlinkSync(path.join(REPO, dir), path.join(root, dir));
    const run = await execa('node', [path.join(REPO, 'tools/bin/gitops.js'), 'validate', '--format', 'json', '--quiet'], { cwd: root, reject: false });
    const twice = (JSON.parse(run.stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId === 'argocd/overlay-deployed-twice');
    expect(twice.map((f) => [f.resource?.name, f.location, f.target])).toEqual([
      ['funlynk-dev-copy', { file: 'apps/dev/application-copy.yaml', line: 14, column: 5 }, 'clusters/dev'],
      ['funlynk-dev', { file: 'apps/dev/application-funlynk.yaml', line: 14, column: 5 }, 'clusters/dev'],
    ]);
    expect(twice[0]!.related?.[0]).toEqual({ file: 'apps/dev/application-funlynk.yaml', line: 14, column: 5, message: 'also deploys overlays/dev' });
    expect(run.exitCode).toBe(1);
  });
});

describe('policies/argocd on fixture repositories (real opa)', () => {
  it('denies an Application outside its AppProject destinations, on the destination line', async () => {
    const root = fixtureRepo({ 'apps/dev/application-funlynk.yaml': overlayApp('funlynk-dev', 'overlays/dev', 'kube-system') });
    const rendered = await render(root, 'clusters/dev');
    const hits = await evalPolicies(rendered);
    expect(hits.map((h) => [h.policy, h.field, h.resource.ref.name])).toEqual([['argocd.project_permits', 'spec.destination', 'funlynk-dev']]);
    expect(hits[0]!.msg).toBe(
      'Application/funlynk-dev: destination server https://kubernetes.default.svc namespace "kube-system" is not among the destinations of AppProject "funlynk"',
    );
    expect(hitLocation(hits[0]!, root)).toEqual({ file: 'apps/dev/application-funlynk.yaml', line: lineOf(root, 'apps/dev/application-funlynk.yaml', 'destination:') });
  });

  it('denies an unpinned chart version on its targetRevision line, and lists the chart as remote', async () => {
    const root = fixtureRepo(
      { 'apps/dev/application-cert-manager.yaml': chartApp('cert-manager', '^1.20.0') },
      { dev: ['application-funlynk.yaml', 'application-cert-manager.yaml'] },
    );
    const rendered = await render(root, 'clusters/dev');
    const hits = await evalPolicies(rendered);
    // The fixture's cert-manager keeps the chart's leader-election namespace (kube-system), which
    // its project does not permit: argocd/chart-namespaces says so too.
    expect(hits.map((h) => [h.policy, h.field]).sort()).toEqual([
      ['argocd.chart_namespaces', 'spec.source.helm.valuesObject.global.leaderElection.namespace'],
      ['argocd.pinned_sources', 'spec.source.targetRevision'],
    ]);
    const pinned = hits.filter((h) => h.policy === 'argocd.pinned_sources');
    expect(pinned[0]!.msg).toBe(
      'Application/cert-manager: Helm chart "cert-manager" from https://charts.jetstack.io has targetRevision "^1.20.0", not an exact version; pin it (e.g. 1.2.3)',
    );
    const file = 'apps/dev/application-cert-manager.yaml';
    expect(hitLocation(pinned[0]!, root)).toEqual({ file, line: lineOf(root, file, 'targetRevision: "^1.20.0"') });
    const findings = await checkApplications(root, [rendered, await render(root, 'clusters/prod')]);
    expect(findings.map((f) => [f.ruleId, f.location?.file, f.location?.line])).toEqual([['remote/helm-chart', file, lineOf(root, file, 'chart: cert-manager')]]);
  });
});

describe('this repository', () => {
  const envs = ['dev', 'staging', 'prod'];

  it('renders clusters/<env> with zero errors from the repository-wide rules and every remote chart listed', async () => {
    const rendered = [...(await renderClusters(REPO, envs)), ...(await Promise.all(envs.map((e) => render(REPO, `overlays/${e}`))))];
    for (const r of rendered.filter((x) => x.target.name.startsWith('clusters/'))) {
      const apps = r.resources.filter((x) => x.ref.kind === 'Application').map((x) => x.ref.name).sort();
      expect(apps).toEqual([
        'argocd', 'cert-manager', 'external-secrets', 'falco', `funlynk-${r.target.env}`, 'gatekeeper', 'gatekeeper-policies', 'istio-base', 'istio-cni',
        'istio-ingressgateway', 'istiod', 'kube-prometheus-stack', 'loki', 'metrics-server', 'node-logs', 'root', 'tempo',
      ]);
      expect(r.resources.filter((x) => x.ref.kind === 'AppProject').map((x) => x.ref.name).sort()).toEqual(['argocd', 'bootstrap', 'cluster-metrics', 'funlynk', 'platform']);
    }
    const findings = await checkApplications(REPO, rendered);
    expect(errors(findings)).toEqual([]);
    expect(findings.every((f) => f.ruleId === 'remote/helm-chart' && f.severity === 'info')).toBe(true);
    // 14 charts per cluster: argo-cd, istio base/cni/istiod/gateway, kube-prometheus-stack,
    // metrics-server, cert-manager, external-secrets, gatekeeper, falco, tempo, loki, opentelemetry-collector (node-logs).
    expect(findings).toHaveLength(14 * envs.length);
  });

  it('passes every policies/argocd rule on clusters/<env>', async () => {
    for (const env of envs) {
      const hits = await evalPolicies(await render(REPO, `clusters/${env}`));
      // Gatekeeper comes with its generated policies (Application gatekeeper-policies): no exception.
      const open = hits.filter((h) => h.policy.startsWith('argocd.')).map((h) => `${h.policy} ${h.resource.ref.kind}/${h.resource.ref.name}`);
      expect(open).toEqual([]);
    }
  });
});
