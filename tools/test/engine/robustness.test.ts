/**
 * Quiet and exact on manifests nobody here wrote: each false alarm and each bad input met on
 * public repositories, as a minimal reproduction beside a canary (a file with a known finding),
 * so every test also shows that the rest of the folder is still checked. Real kustomize,
 * kubeconform, opa-wasm; a fake kustomize only for crashes real kustomize cannot be made to show.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitops, lineOf, makeRepo, type FixtureRepo } from '../helpers.js';

/** A ConfigMap with an unknown field: schema/unknown-field at line 6 of canary.yaml. */
const CANARY = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: canary\n  namespace: shop\n  bogus: true\n';

type Report = { summary: Record<string, any>; findings: Array<Record<string, any>> };

function canaryChecked(report: Report, dir: string): void {
  const f = report.findings.find((x) => x.ruleId === 'schema/unknown-field' && x.location?.file === `${dir}/canary.yaml`);
  expect(f?.location.line).toBe(6);
}

const POD_SPEC = `      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: app
          image: ghcr.io/funlynk/app:1.2.3
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
            procMount: null
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 200m, memory: 128Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          livenessProbe:
            tcpSocket: {port: 8080}
`;

const FILES: Record<string, string> = {
  // Trailing --- (an empty document) and a comment-only document.
  'empty-docs/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: shop\ndata: {x: y}\n---\n# nothing here\n---\n',
  'empty-docs/canary.yaml': CANARY,

  // Numeric targetPort and probe ports no container declares; procMount: null.
  'ports/app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
${POD_SPEC}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-admin, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: admin, port: 81, targetPort: admin}]
`,
  'ports/canary.yaml': CANARY,

  // Pods that controllers and operators create.
  'created/statefulset.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
${POD_SPEC}---
apiVersion: v1
kind: Service
metadata: {name: db-1, namespace: shop}
spec:
  selector: {statefulset.kubernetes.io/pod-name: db-1}
  ports: [{name: pg, port: 5432, targetPort: 5432}]
`,
  'created/prometheus.yaml': `apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: main, namespace: monitoring}
spec:
  podMetadata:
    labels: {app.kubernetes.io/component: prometheus}
---
apiVersion: v1
kind: Service
metadata: {name: prometheus, namespace: monitoring}
spec:
  selector: {app.kubernetes.io/component: prometheus, app.kubernetes.io/instance: main}
  ports: [{name: web, port: 9090, targetPort: web}]
`,
  'created/helmrelease.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: helmreleases.helm.toolkit.fluxcd.io}
spec:
  group: helm.toolkit.fluxcd.io
  names: {kind: HelmRelease, plural: helmreleases, singular: helmrelease, listKind: HelmReleaseList}
  scope: Namespaced
  versions:
    - name: v2
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: redis, namespace: flux-system}
spec:
  targetNamespace: cache
  chart: {spec: {chart: redis, version: 20.0.0, sourceRef: {kind: HelmRepository, name: bitnami}}}
---
apiVersion: v1
kind: Service
metadata: {name: redis, namespace: cache}
spec:
  selector: {app.kubernetes.io/name: redis}
  ports: [{name: redis, port: 6379, targetPort: 6379}]
`,
  'created/canary.yaml': CANARY,

  // PromQL checked over the parsed tree.
  'promql/rules.yaml': `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: api, namespace: shop}
spec:
  groups:
    - name: api
      rules:
        - alert: ApiErrors
          expr: sum(rate(http_requests_total{code=~"5.."})) > 1
        - alert: ApiSlow
          expr: histogram_quantile(0.95, sum without (instance, pod) (rate(http_request_duration_seconds_bucket[5m]))) > 1
        - alert: ApiSlowPerJob
          expr: histogram_quantile(0.95, sum by (job) (rate(http_request_duration_seconds_bucket[5m]))) > 1
`,
  'promql/canary.yaml': CANARY,

  // CRDs in *.k8s.io groups.
  'crd-groups/route.yaml': 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec: {}\n---\napiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {name: v, namespace: shop}\nspec: {}\n---\napiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshot\nmetadata: {name: s, namespace: shop}\nspec: {}\n',
  'crd-groups/canary.yaml': CANARY,

  // A plain folder holding a kustomization (with a patch file) and a fixtures/ folder.
  'mixed/app/kustomization.yaml': 'resources: [configmap.yaml]\npatches:\n  - path: patch.yaml\n',
  'mixed/app/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata: {level: info}\n',
  'mixed/app/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata: {level: debug}\n',
  'mixed/fixtures/canary.yaml': CANARY,
  'mixed/canary.yaml': CANARY,

  // A ConfigMap without metadata.name.
  'nameless/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: shop\ndata: {x: y}\n',
  'nameless/canary.yaml': CANARY,

  // A remote resource in a kustomization.
  'remote/kustomization.yaml': 'resources:\n  - configmap.yaml\n  - https://github.com/example/upstream//deploy?ref=v1.0.0\n',
  'remote/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: shop\n',
};

describe('false alarms and bad inputs, each beside a canary', () => {
  let repo: FixtureRepo;
  beforeAll(() => {
    repo = makeRepo(FILES);
    // Latin-1 bytes (é as 0xE9) in a plain folder.
    repo.write('encoding/canary.yaml', CANARY);
    writeFileSync(path.join(repo.root, 'encoding/latin1.yaml'), Buffer.concat([
      Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: latin\n  namespace: shop\ndata:\n  greeting: "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"\n'),
    ]));
  });
  afterAll(() => repo.cleanup());

  const run = async (dir: string): Promise<{ exitCode: number; report: Report }> => {
    const r = await gitops(repo.root, ['validate', dir, '--format', 'json']);
    return { exitCode: r.exitCode, report: r.json() as Report };
  };

  it('skips empty documents (a trailing ---) instead of making the run incomplete', async () => {
    const { exitCode, report } = await run('empty-docs');
    expect(exitCode).toBe(1);
    expect(report.summary.incomplete).toBe(false);
    expect(report.findings.filter((f) => f.ruleId.startsWith('input/'))).toEqual([]);
    expect(report.summary.resources).toBe(2);
    canaryChecked(report, 'empty-docs');
  });

  it('allows numeric targetPort and probe ports no container declares; still checks a named one; procMount: null is unset', async () => {
    const { exitCode, report } = await run('ports');
    expect(exitCode).toBe(1);
    expect(report.summary.incomplete).toBe(false);
    expect(report.findings.filter((f) => f.ruleId === 'tool/policy')).toEqual([]);
    expect(report.findings.filter((f) => f.ruleId === 'k8s/probes' && f.severity === 'error')).toEqual([]);
    const svc = report.findings.filter((f) => f.ruleId === 'k8s/service-selector');
    expect(svc).toHaveLength(1);
    expect(svc[0]!.resource.name).toBe('web-admin');
    expect(svc[0]!.message).toContain("targets the port named admin, which no container of Deployment/web declares");
    expect(svc[0]!.location).toMatchObject({ file: 'ports/app.yaml', line: lineOf(FILES['ports/app.yaml']!, 'targetPort: admin') });
    // The Deployment with procMount: null was evaluated: its other policies still report.
    expect(report.findings.some((f) => f.resource?.name === 'web' && f.resource?.kind === 'Deployment' && f.ruleId === 'k8s/default-service-account')).toBe(true);
    canaryChecked(report, 'ports');
  });

  it('selectors of pods that controllers and operators create: matched, or at most a warning', async () => {
    const { exitCode, report } = await run('created');
    expect(exitCode).toBe(1);
    const selector = report.findings.filter((f) => ['k8s/service-selector', 'k8s/networkpolicy-selectors', 'k8s/pdb'].includes(f.ruleId) && f.field === 'spec.selector');
    expect(selector.map((f) => [f.resource.name, f.severity])).toEqual([['redis', 'warning']]);
    expect(selector[0]!.message).toContain('created by a resource the gate cannot render (HelmRelease/redis)');
    expect(selector[0]!.location).toMatchObject({ file: 'created/helmrelease.yaml', line: lineOf(FILES['created/helmrelease.yaml']!, 'selector: {app.kubernetes.io/name: redis}') });
    canaryChecked(report, 'created');
  });

  it('type-checks PromQL and judges histogram_quantile over the parsed tree', async () => {
    const { exitCode, report } = await run('promql');
    expect(exitCode).toBe(1);
    const text = FILES['promql/rules.yaml']!;
    const typeErr = report.findings.filter((f) => f.ruleId === 'monitoring/prometheusrule-expr');
    expect(typeErr).toHaveLength(1);
    expect(typeErr[0]!.message).toContain('PromQL type error: rate() needs a range vector as argument 1, got an instant vector');
    expect(typeErr[0]!.location).toMatchObject({ file: 'promql/rules.yaml', line: lineOf(text, 'sum(rate(http_requests_total') });
    const hq = report.findings.filter((f) => f.ruleId === 'monitoring/histogram-quantile-by-le');
    expect(hq.map((f) => f.field)).toEqual(['spec.groups[0].rules[2].expr']);
    expect(hq[0]!.message).toContain('keeps only job, so the buckets lose le');
    canaryChecked(report, 'promql');
  });

  it('names CRDs of *.k8s.io groups as CRDs, not as core APIs of another group', async () => {
    const { exitCode, report } = await run('crd-groups');
    expect(exitCode).toBe(1);
    const unknown = report.findings.filter((f) => f.ruleId === 'schema/unknown-kind');
    expect(unknown.map((f) => f.resource.kind).sort()).toEqual(['HTTPRoute', 'VerticalPodAutoscaler', 'VolumeSnapshot']);
    for (const f of unknown) {
      expect(f.message).toMatch(/\(\S+\.k8s\.io is not a built-in API group of Kubernetes 1\.35\.0: its kinds come from CRDs\)/);
      expect(f.message).not.toContain('is not an API of Kubernetes');
      expect(f.message).not.toContain('known versions');
    }
    canaryChecked(report, 'crd-groups');
  });

  it('renders a kustomization inside a plain folder instead of reading its patch as an object, and checks fixtures/ inside a PATH', async () => {
    const { exitCode, report } = await run('mixed');
    expect(exitCode).toBe(1);
    expect(report.summary.incomplete).toBe(false);
    expect(report.summary.targets).toBe(2);
    expect(report.findings.filter((f) => f.ruleId.startsWith('input/'))).toEqual([]);
    canaryChecked(report, 'mixed');
    expect(report.findings.some((f) => f.location?.file === 'mixed/fixtures/canary.yaml' && f.ruleId === 'schema/unknown-field')).toBe(true);
    // The kustomization was rendered as one (its patch applied), under its own target name.
    const k = await gitops(repo.root, ['validate', 'mixed/app', '--format', 'json']);
    expect(k.exitCode).toBe(0);
    expect(k.json().summary.resources).toBe(1);
  });

  it('reports a ConfigMap without metadata.name', async () => {
    const { exitCode, report } = await run('nameless');
    expect(exitCode).toBe(1);
    const f = report.findings.find((x) => x.ruleId === 'schema/required');
    expect(f?.message).toBe('ConfigMap without metadata.name: every object needs a name (or metadata.generateName) to be created');
    expect(f?.location).toMatchObject({ file: 'nameless/configmap.yaml', line: 3 });
    canaryChecked(report, 'nameless');
  });

  it('reports bytes that are not UTF-8 at their line and column, and still reads the rest', async () => {
    const { exitCode, report } = await run('encoding');
    expect(exitCode).toBe(2);
    expect(report.summary.incomplete).toBe(true);
    const f = report.findings.find((x) => x.ruleId === 'input/encoding');
    expect(f?.message).toContain('not UTF-8 (byte 0xe9)');
    expect(f?.location).toEqual({ file: 'encoding/latin1.yaml', line: 7, column: 17 });
    canaryChecked(report, 'encoding');
  });

  it('reports a remote resource at its line and does not render (or fetch) it', async () => {
    const { exitCode, report } = await run('remote');
    expect(exitCode).toBe(2);
    const f = report.findings.find((x) => x.ruleId === 'input/remote-resource');
    expect(f?.location).toEqual({ file: 'remote/kustomization.yaml', line: 3, column: 5 });
    expect(f?.field).toBe('resources[1]');
    expect(f?.message).toContain("references remote content 'https://github.com/example/upstream//deploy?ref=v1.0.0'");
    expect(report.findings.filter((x) => x.ruleId === 'input/kustomize')).toEqual([]);
  });
});

describe('a crashing kustomize is the tool failing, not the kustomization', () => {
  let repo: FixtureRepo;
  beforeAll(() => {
    repo = makeRepo({
      'overlays/dev/kustomization.yaml': 'resources: [configmap.yaml]\n',
      'overlays/dev/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: shop\n',
      'plain/canary.yaml': CANARY,
    }, { tools: ['kubeconform', 'opa'] });
  });
  afterAll(() => repo.cleanup());

  const fake = (body: string): void => {
    const bin = path.join(repo.root, '.tools/bin/kustomize');
    writeFileSync(bin, `#!/bin/sh\n${body}\n`);
    chmodSync(bin, 0o755);
  };

  it('a Go panic: tool/kustomize naming the panic, the rest still checked', async () => {
    fake("echo 'panic: runtime error: invalid memory address or nil pointer dereference' >&2\necho 'goroutine 1 [running]:' >&2\nexit 2");
    const r = await gitops(repo.root, ['validate', 'overlays/dev', 'plain', '--format', 'json']);
    expect(r.exitCode).toBe(2);
    const report = r.json() as Report;
    expect(report.findings.filter((f) => f.ruleId === 'input/kustomize')).toEqual([]);
    const f = report.findings.find((x) => x.ruleId === 'tool/kustomize');
    expect(f?.message).toBe('kustomize crashed while rendering this target (panic: runtime error: invalid memory address or nil pointer dereference): the tool failed, not necessarily the kustomization; the target is not checked');
    expect(f?.target).toBe('overlays/dev');
    canaryChecked(report, 'plain');
  });

  it('killed by a signal without a word: tool/kustomize saying so', async () => {
    fake('kill -SEGV $$');
    const r = await gitops(repo.root, ['validate', 'overlays/dev', 'plain', '--format', 'json']);
    expect(r.exitCode).toBe(2);
    const report = r.json() as Report;
    const f = report.findings.find((x) => x.ruleId === 'tool/kustomize');
    expect(f?.message).toContain('kustomize crashed while rendering this target (killed by SIGSEGV)');
    canaryChecked(report, 'plain');
  });
});
