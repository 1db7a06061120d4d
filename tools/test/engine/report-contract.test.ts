/**
 * The acceptance of the report contract (../shared/design/REPORT.md): a plain folder outside the
 * repository with a multi-document manifests file, a Dockerfile and a compose file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitops, lineOf, makeRepo, type FixtureRepo } from '../helpers.js';

const MANIFESTS = `---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: ghcr.io/funlynk/api:1.2.3
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
`;

const DOCKERFILE = `FROM docker.io/library/node:24.11.0-alpine3.22
WORKDIR /app
COPY server.js ./
USER root
CMD ["node", "server.js"]
`;

const COMPOSE = `services:
  api:
    image: ghcr.io/funlynk/api:1.2.3
    ports:
      - "8080:8080"
`;

let repo: FixtureRepo;
let outside: string;

beforeAll(() => {
  repo = makeRepo();
  outside = mkdtempSync(path.join(os.tmpdir(), 'gitops-plain-'));
  writeFileSync(path.join(outside, 'manifests.yaml'), MANIFESTS);
  writeFileSync(path.join(outside, 'Dockerfile'), DOCKERFILE);
  writeFileSync(path.join(outside, 'compose.yaml'), COMPOSE);
});

afterAll(() => {
  repo.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

describe('gitops validate <plain folder> --format json', () => {
  it('prints one JSON document exactly as REPORT.md specifies and exits 1', async () => {
    const run = await gitops(repo.root, ['validate', outside, '--format', 'json']);
    expect(run.exitCode).toBe(1);
    const report = run.json();
    expect(Object.keys(report)).toEqual(['version', 'summary', 'findings']);
    expect(report.version).toBe(1);
    expect(Object.keys(report.summary)).toEqual(['targets', 'resources', 'errors', 'warnings', 'waived', 'incomplete', 'durationMs', 'tools']);
    expect(report.summary).toMatchObject({ targets: 1, resources: 4, waived: 0, incomplete: false });
    const counted = report.findings.filter((f) => f.severity !== 'info');
    expect(report.summary.errors).toBe(counted.filter((f) => f.severity === 'error').length);
    expect(report.summary.warnings).toBe(counted.filter((f) => f.severity === 'warning').length);
    expect(Object.keys(report.summary.tools as object)).toEqual(expect.arrayContaining(['schemas', 'policies']));
    for (const f of report.findings) {
      expect(Object.keys(f).slice(0, 7)).toEqual(['ruleId', 'severity', 'message', 'target', 'resource', 'location', 'field']);
      expect(['error', 'warning', 'info']).toContain(f.severity);
      expect(f.target).toBe(outside);
      expect(path.isAbsolute(f.location.file)).toBe(true);
      expect(f.location.line).toBeGreaterThanOrEqual(1);
      expect(f.location.column).toBeGreaterThanOrEqual(1);
      if (f.related !== undefined) expect(f.related.length).toBeGreaterThan(0);
    }
  });

  it('finds a pod that may run as root, lacks limits, and whose namespace lacks STRICT mTLS', async () => {
    const findings = (await gitops(repo.root, ['validate', outside, '--format', 'json', '--quiet'])).json().findings;
    const on = (ruleId: string) => findings.filter((f) => f.ruleId === ruleId && f.resource?.name === 'api');
    const manifests = path.join(outside, 'manifests.yaml');

    const root = on('k8s/run-as-non-root');
    expect(root.length).toBeGreaterThanOrEqual(1);
    expect(root[0]!.severity).toBe('error');
    expect(root[0]!.resource).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' });
    expect(root[0]!.location.file).toBe(manifests);
    // runAsNonRoot is set nowhere: the finding points at the nearest part that exists.
    expect([lineOf(MANIFESTS, '    spec:', lineOf(MANIFESTS, 'template:')), lineOf(MANIFESTS, '- name: api')]).toContain(root[0]!.location.line);
    expect(root[0]!.message).toContain("Deployment/api");

    const limits = on('k8s/resource-limits');
    expect(limits.length).toBeGreaterThanOrEqual(1);
    expect(limits[0]!.location).toEqual({ file: manifests, line: lineOf(MANIFESTS, 'resources:'), column: 11 });
    expect(limits[0]!.field).toMatch(/^spec\.template\.spec\.containers\[0\]\.resources\.limits/);

    const mtls = on('istio/peer-authentication-strict');
    expect(mtls).toHaveLength(1);
    expect(mtls[0]!.severity).toBe('error');
    expect(mtls[0]!.message).toContain('shop');
    expect(mtls[0]!.location.file).toBe(manifests);
  });

  it('checks the Dockerfile and the compose file with file and line', async () => {
    const findings = (await gitops(repo.root, ['validate', outside, '--format', 'json', '--quiet'])).json().findings;
    const user = findings.find((f) => f.ruleId === 'docker/non-root-user');
    expect(user).toMatchObject({ resource: null, field: null, location: { file: path.join(outside, 'Dockerfile'), line: 4, column: 1 } });
    const port = findings.find((f) => f.ruleId === 'compose/ports-loopback');
    expect(port).toMatchObject({ resource: null, location: { file: path.join(outside, 'compose.yaml'), line: lineOf(COMPOSE, '8080:8080') } });
    expect(port!.field).toBe('services.api.ports[0]');
  });

  it('exits 0 with --fail-on error when only warnings remain, and 1 with --fail-on warning', async () => {
    const clean = mkdtempSync(path.join(os.tmpdir(), 'gitops-clean-'));
    try {
      writeFileSync(path.join(clean, 'compose.yaml'), `services:\n  api:\n    image: ghcr.io/funlynk/api:1.2.3\n    ports:\n      - "127.0.0.1:8080:8080"\n`);
      const asError = await gitops(repo.root, ['validate', clean, '--format', 'json', '--quiet']);
      const report = asError.json();
      expect(report.summary.errors).toBe(0);
      expect(report.summary.warnings).toBeGreaterThan(0);
      expect(asError.exitCode).toBe(0);
      const asWarning = await gitops(repo.root, ['validate', clean, '--format', 'json', '--quiet', '--fail-on', 'warning']);
      expect(asWarning.exitCode).toBe(1);
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });
});
