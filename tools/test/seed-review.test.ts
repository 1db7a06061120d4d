/**
 * Acceptance of the gate against the seed: `gitops validate` run on the seed's own definitions as
 * written (tools/test/fixtures/seed/, copied verbatim from the seed task) must report every defect
 * of shared/seed/REVIEW.md whose Detect column names SCH, SRP, XR, DF or CMP, each on the resource
 * or file a person has to edit. The NGX rows (#10-#13) are proven by running nginx, not here.
 *
 * One table row per REVIEW row; a row lists one or more expectations (all must be found), and an
 * expectation lists the rule ids any one of which may report it.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, gitops, normalizedReport } from './helpers.js';

const SEED = 'tools/test/fixtures/seed';

interface Expectation {
  /** Rule ids, any one of which reporting the problem suffices. */
  rules: string[];
  /** File the finding points at, relative to the seed fixture folder. */
  file: string;
  /** The Kubernetes object it is reported on; absent for Dockerfile and compose findings (resource null). */
  resource?: { kind: string; name: string };
  /** Line of the finding (Dockerfile instructions, compose entries). */
  line?: number;
  /** Field the finding points at, where one object carries several findings of the rule. */
  field?: string;
  /** Text the message must contain, where one object carries several findings of the rule. */
  message?: string;
}

interface ReviewRow {
  row: number;
  problem: string;
  expect: Expectation[];
}

const backendDf = 'backend/Dockerfile';
const adminDf = 'admin-dashboard/Dockerfile';
const compose = 'docker-compose.yml';
const namespaceYaml = 'k8s/namespace.yaml';
const deploymentYaml = 'k8s/backend-deployment.yaml';
const istioYaml = 'k8s/istio-config.yaml';
const netpolYaml = 'k8s/network-policies.yaml';
const monitoringYaml = 'k8s/monitoring.yaml';

const deployment = { kind: 'Deployment', name: 'backend' };
const namespace = { kind: 'Namespace', name: 'funlynk' };
const netpol = { kind: 'NetworkPolicy', name: 'backend-netpol' };
const virtualService = { kind: 'VirtualService', name: 'funlynk-vs' };
const dashboards = { kind: 'ConfigMap', name: 'grafana-dashboards' };
const serviceMonitor = { kind: 'ServiceMonitor', name: 'backend-metrics' };
const logForwarder = { kind: 'ClusterLogForwarder', name: 'funlynk-logs' };

const df = (rules: string[], file: string, line: number, message?: string): Expectation =>
  message === undefined ? { rules, file, line } : { rules, file, line, message };
const k8s = (rules: string[], file: string, resource: { kind: string; name: string }, extra: Partial<Expectation> = {}): Expectation => ({
  rules,
  file,
  resource,
  ...extra,
});

const ROWS: ReviewRow[] = [
  {
    row: 1,
    problem: 'admin Dockerfile re-creates nginx:alpine user and group nginx',
    expect: [
      df(['docker/existing-base-user'], adminDf, 23, "group 'nginx'"),
      df(['docker/existing-base-user'], adminDf, 24, "user 'nginx'"),
    ],
  },
  {
    row: 2,
    problem: 'non-root nginx binds :80 (DF part)',
    expect: [df(['docker/exposed-port'], adminDf, 30, 'EXPOSE 80')],
  },
  {
    row: 3,
    problem: "compose builds admin-dashboard target 'development', which its Dockerfile lacks",
    expect: [df(['compose/build-target-exists'], compose, 28, "'development'")],
  },
  {
    row: 4,
    problem: 'compose maps 3001:3000 while the admin image serves :80',
    expect: [df(['compose/port-matches-image'], compose, 30, 'exposes 80')],
  },
  {
    row: 5,
    problem: 'HEALTHCHECK runs healthcheck.js, never copied into the final stage',
    expect: [df(['docker/healthcheck-command'], backendDf, 45, 'healthcheck.js')],
  },
  {
    row: 6,
    problem: 'USER by name instead of numeric uid:gid',
    expect: [df(['docker/non-root-user'], backendDf, 41, 'USER nodejs')],
  },
  {
    row: 7,
    problem: 'node:18-alpine end of life, nginx:alpine floats, nothing pinned by digest',
    expect: [
      df(['docker/base-image-supported'], backendDf, 26, 'node:18-alpine'),
      df(['docker/base-image-supported'], adminDf, 2, 'node:18-alpine'),
      df(['docker/base-image-pinned'], adminDf, 14, 'nginx:alpine'),
      df(['docker/base-image-pinned'], backendDf, 26, 'digest'),
    ],
  },
  {
    row: 8,
    problem: 'unused stage base, deprecated --only/--production, redundant apk cache layer',
    expect: [
      df(['docker/unused-stage'], backendDf, 2, "'base'"),
      df(['docker/npm-flags'], backendDf, 5, '--only=production'),
      df(['docker/npm-flags'], backendDf, 23, '--production'),
      df(['docker/apk-cache'], backendDf, 39, '/var/cache/apk'),
    ],
  },
  {
    row: 9,
    problem: 'COPY . . without .dockerignore',
    expect: [df(['docker/dockerignore'], backendDf, 21), df(['docker/dockerignore'], adminDf, 10)],
  },
  {
    row: 14,
    problem: 'literal Postgres password, Postgres and Redis on all interfaces, Redis without auth',
    expect: [
      df(['compose/literal-secrets'], compose, 45, 'POSTGRES_PASSWORD'),
      df(['compose/literal-secrets'], compose, 13, 'DATABASE_URL'),
      df(['compose/ports-loopback'], compose, 47, '5432:5432'),
      df(['compose/ports-loopback'], compose, 58, '6379:6379'),
      df(['compose/redis-auth'], compose, 55),
    ],
  },
  {
    row: 15,
    problem: 'obsolete version:, depends_on without healthchecks, bind-mount sources missing',
    expect: [
      df(['compose/obsolete-version'], compose, 1),
      df(['compose/depends-on-healthy'], compose, 19, "'postgres'"),
      df(['compose/depends-on-healthy'], compose, 74, "'backend'"),
      df(['compose/bind-mount-exists'], compose, 50, './scripts/init-db.sql'),
      df(['compose/bind-mount-exists'], compose, 71, './nginx/nginx.conf'),
      df(['compose/bind-mount-exists'], compose, 72, './nginx/ssl'),
    ],
  },
  {
    row: 16,
    problem: 'ServiceMonitor with apiVersion v1',
    expect: [k8s(['schema/unknown-kind'], monitoringYaml, serviceMonitor, { message: 'monitoring.coreos.com/v1' })],
  },
  {
    row: 17,
    problem: 'ClusterLogForwarder of a non-existent group, OpenShift-only, filterRefs names no filter',
    expect: [
      k8s(['schema/unknown-kind'], monitoringYaml, logForwarder, { message: 'logging.coreos.com/v1' }),
      k8s(['monitoring/log-forwarder'], monitoringYaml, logForwarder, { field: 'spec.pipelines[0].filterRefs[0]' }),
      k8s(['monitoring/log-forwarder'], monitoringYaml, logForwarder, { message: 'OpenShift' }),
    ],
  },
  {
    row: 18,
    problem: 'Namespace without sidecar injection while Istio policies rely on sidecars',
    expect: [k8s(['istio/sidecar-injection'], namespaceYaml, namespace)],
  },
  {
    row: 19,
    problem: 'Namespace without pod-security enforce label',
    expect: [k8s(['k8s/namespace-pss-label'], namespaceYaml, namespace)],
  },
  {
    row: 20,
    problem: 'Deployment fails PSS restricted and mounts the token',
    expect: [
      k8s(['k8s/allow-privilege-escalation'], deploymentYaml, deployment),
      k8s(['k8s/capabilities-restricted'], deploymentYaml, deployment),
      k8s(['k8s/seccomp-restricted'], deploymentYaml, deployment),
      k8s(['k8s/read-only-root-filesystem'], deploymentYaml, deployment),
      k8s(['k8s/automount-token'], deploymentYaml, deployment),
    ],
  },
  {
    row: 21,
    problem: 'image tag latest',
    expect: [k8s(['k8s/image-tag'], deploymentYaml, deployment, { message: ':latest' })],
  },
  {
    row: 22,
    problem: 'Deployment references objects defined nowhere',
    expect: ['funlynk-backend', 'database-secret', 'redis-secret', 'app-secrets', 'backend-config', 'ghcr-secret'].map((name) =>
      k8s(['k8s/references'], deploymentYaml, deployment, { message: `'${name}'` }),
    ),
  },
  {
    row: 23,
    problem: 'secrets as env vars',
    expect: ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET'].map((env) =>
      k8s(['k8s/secrets-as-files'], deploymentYaml, deployment, { message: env }),
    ),
  },
  {
    row: 24,
    problem: 'replicas: 3 under an HPA',
    expect: [k8s(['k8s/replicas-under-hpa'], deploymentYaml, deployment, { field: 'spec.replicas' })],
  },
  {
    row: 25,
    problem: 'maxUnavailable 1 at minimum size, no PDB, no topology spread',
    expect: [
      k8s(['k8s/rolling-update'], deploymentYaml, deployment, { message: 'maxUnavailable' }),
      k8s(['k8s/pdb'], deploymentYaml, deployment),
      k8s(['k8s/rolling-update'], deploymentYaml, deployment, { message: 'topologySpreadConstraints' }),
    ],
  },
  {
    row: 26,
    problem: 'HPA on memory Utilization',
    expect: [k8s(['k8s/hpa-target'], 'k8s/backend-hpa.yaml', { kind: 'HorizontalPodAutoscaler', name: 'backend-hpa' }, { message: 'memory' })],
  },
  {
    row: 27,
    problem: 'ResourceQuota too small with sidecars, no LimitRange',
    expect: [
      k8s(['k8s/quota-fits'], namespaceYaml, { kind: 'ResourceQuota', name: 'funlynk-quota' }, { message: 'limits.cpu' }),
      k8s(['k8s/limitrange-present'], namespaceYaml, namespace),
    ],
  },
  {
    row: 28,
    problem: 'NetworkPolicy selects namespaces by a name label',
    expect: [
      k8s(['k8s/networkpolicy-namespace-labels'], netpolYaml, netpol, { field: 'spec.ingress[0].from[0].namespaceSelector' }),
      k8s(['k8s/networkpolicy-namespace-labels', 'k8s/networkpolicy-dns'], netpolYaml, netpol, {
        field: 'spec.egress[0].to[0].namespaceSelector',
      }),
      k8s(['k8s/networkpolicy-dns'], netpolYaml, netpol),
    ],
  },
  {
    row: 29,
    problem: 'no istiod egress or Prometheus ingress, postgres/redis select no pods, no default-deny',
    expect: [
      k8s(['k8s/networkpolicy-selectors'], netpolYaml, netpol, { field: 'spec.egress', message: 'TCP 15012' }),
      k8s(['monitoring/scrape-networkpolicy'], netpolYaml, netpol, { message: 'ServiceMonitor/backend-metrics' }),
      k8s(['k8s/networkpolicy-selectors'], netpolYaml, netpol, { field: 'spec.egress[1].to[0].podSelector' }),
      k8s(['k8s/networkpolicy-selectors'], netpolYaml, netpol, { field: 'spec.egress[2].to[0].podSelector' }),
      k8s(['k8s/networkpolicy-default-deny'], namespaceYaml, namespace),
    ],
  },
  {
    row: 30,
    problem: 'VirtualService matches a host header, OR-ed match entries',
    expect: [
      k8s(['istio/virtualservice-match'], istioYaml, virtualService, { field: 'spec.http[0].match[1].headers' }),
      k8s(['istio/virtualservice-match'], istioYaml, virtualService, { field: 'spec.http[1].match[0].headers' }),
    ],
  },
  {
    row: 31,
    problem: 'VirtualService routes to admin-dashboard-service, defined nowhere',
    expect: [k8s(['istio/virtualservice-destinations'], istioYaml, virtualService, { message: 'admin-dashboard-service' })],
  },
  {
    row: 32,
    problem: 'AuthorizationPolicy rule without from, no default-deny',
    expect: [
      k8s(['istio/authorization-rules'], istioYaml, { kind: 'AuthorizationPolicy', name: 'backend-authz' }, { field: 'spec.rules[1].from' }),
      k8s(['istio/authorization-default-deny'], namespaceYaml, namespace),
    ],
  },
  {
    row: 33,
    problem: 'Gateway credentialName secret never created',
    expect: [k8s(['istio/gateway-tls'], istioYaml, { kind: 'Gateway', name: 'funlynk-gateway' }, { message: 'funlynk-tls-secret' })],
  },
  {
    row: 34,
    problem: 'job="backend" matches nothing, scrape through STRICT mTLS, API-wrapped dashboard, histogram_quantile without le',
    expect: [
      k8s(['monitoring/prometheusrule-job-label'], monitoringYaml, dashboards, { message: 'job="backend"' }),
      k8s(['monitoring/scrape-through-mtls'], monitoringYaml, serviceMonitor),
      k8s(['monitoring/grafana-dashboard'], monitoringYaml, dashboards, { message: '{"dashboard": ...}' }),
      k8s(['monitoring/histogram-quantile-by-le'], monitoringYaml, dashboards),
    ],
  },
];

/** Rules that must stay silent on what the seed gets right (a finding here would be untrue). */
const CORRECT: Array<{ rule: string; what: string; file: string; resource?: { kind: string; name: string } }> = [
  { rule: 'k8s/service-selector', what: 'Service/backend-service selects the backend pods', file: deploymentYaml, resource: { kind: 'Service', name: 'backend-service' } },
  { rule: 'k8s/run-as-non-root', what: 'the pod sets runAsNonRoot: true', file: deploymentYaml, resource: deployment },
  { rule: 'k8s/resource-limits', what: 'the container sets requests and limits', file: deploymentYaml, resource: deployment },
  { rule: 'k8s/probes', what: 'the container has liveness and readiness probes', file: deploymentYaml, resource: deployment },
  { rule: 'k8s/no-default-namespace', what: 'every object names namespace funlynk', file: deploymentYaml, resource: deployment },
  { rule: 'istio/peer-authentication-strict', what: 'the namespace has a STRICT PeerAuthentication', file: namespaceYaml, resource: namespace },
  { rule: 'istio/no-permissive-mtls', what: 'mTLS mode is STRICT', file: istioYaml, resource: { kind: 'PeerAuthentication', name: 'default' } },
  { rule: 'monitoring/servicemonitor-selects', what: 'the ServiceMonitor selects Service/backend-service and its port http', file: monitoringYaml, resource: serviceMonitor },
  { rule: 'docker/healthcheck-present', what: 'both final stages have a HEALTHCHECK', file: adminDf },
  { rule: 'docker/add-instruction', what: 'neither Dockerfile uses ADD', file: backendDf },
];

type Finding = {
  ruleId: string;
  severity: string;
  message: string;
  resource: { kind: string; name: string } | null;
  location: { file: string; line: number; column: number } | null;
  field: string | null;
};

let exitCode: number;
let seedReport: string;
let summary: Record<string, unknown>;
let findings: Finding[];

beforeAll(async () => {
  const run = await gitops(REPO, ['validate', SEED, '--format', 'json']);
  seedReport = normalizedReport(run);
  exitCode = run.exitCode;
  const report = run.json();
  summary = report.summary;
  findings = report.findings as unknown as Finding[];
});

const fileOf = (f: Finding): string | null => (f.location ? path.relative(SEED, f.location.file) : null);

function matches(f: Finding, e: Expectation): boolean {
  if (!e.rules.includes(f.ruleId)) return false;
  if (fileOf(f) !== e.file) return false;
  if (e.resource) {
    if (f.resource?.kind !== e.resource.kind || f.resource.name !== e.resource.name) return false;
  } else if (f.resource !== null) return false;
  if (e.line !== undefined && f.location?.line !== e.line) return false;
  if (e.field !== undefined && f.field !== e.field) return false;
  if (e.message !== undefined && !f.message.includes(e.message)) return false;
  return true;
}

const describeExpectation = (e: Expectation): string =>
  `${e.rules.join('|')} on ${e.resource ? `${e.resource.kind}/${e.resource.name} in ` : ''}${e.file}` +
  `${e.line !== undefined ? `:${e.line}` : ''}${e.field !== undefined ? ` at ${e.field}` : ''}` +
  `${e.message !== undefined ? ` saying ${JSON.stringify(e.message)}` : ''}`;

describe('gitops validate on the seed as written', () => {
  it('reports exactly what the snapshot taken before the pipeline refactor holds, finding for finding', async () => {
    // After a deliberate change of findings: npx vitest run tools/test/seed-review.test.ts -u
    await expect(seedReport).toMatchFileSnapshot('fixtures/report-snapshot/seed.json');
  });

  it('checks everything: exit 1, one target, every document, nothing incomplete', () => {
    expect(exitCode).toBe(1);
    expect(summary['incomplete']).toBe(false);
    expect(summary['targets']).toBe(1);
    // 16 Kubernetes documents plus 2 Dockerfiles and 1 compose file are evaluated; the summary
    // counts the Kubernetes objects.
    expect(summary['resources']).toBe(16);
    expect(findings.filter((f) => f.ruleId.startsWith('input/') || f.ruleId.startsWith('tool/'))).toEqual([]);
    expect(summary['errors']).toBe(findings.filter((f) => f.severity === 'error').length);
  });

  it('rejects the kinds it does not know as error findings, not as incomplete', () => {
    const unknown = findings.filter((f) => f.ruleId === 'schema/unknown-kind');
    expect(unknown.map((f) => [f.severity, `${f.resource?.kind}/${f.resource?.name}`, fileOf(f), f.location?.line])).toEqual([
      ['error', 'ServiceMonitor/backend-metrics', monitoringYaml, 1],
      ['error', 'ClusterLogForwarder/funlynk-logs', monitoringYaml, 63],
    ]);
  });

  it('covers every REVIEW row whose Detect column is SCH, SRP, XR, DF or CMP', () => {
    expect(ROWS.map((r) => r.row)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, ...Array.from({ length: 21 }, (_, i) => 14 + i)]);
  });

  it.each(ROWS.map((r) => [`REVIEW #${r.row}: ${r.problem}`, r] as const))('%s', (_name, r) => {
    const missing = r.expect.filter((e) => !findings.some((f) => matches(f, e))).map(describeExpectation);
    expect(missing).toEqual([]);
  });

  it.each(CORRECT.map((c) => [`does not report ${c.rule}: ${c.what}`, c] as const))('%s', (_name, c) => {
    const wrong = findings.filter(
      (f) => f.ruleId === c.rule && (c.resource ? f.resource?.kind === c.resource.kind && f.resource.name === c.resource.name : fileOf(f) === c.file),
    );
    expect(wrong.map((f) => f.message)).toEqual([]);
  });
});
