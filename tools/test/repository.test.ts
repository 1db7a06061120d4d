/**
 * The repository itself: `gitops validate` on it is clean and complete, every waiver is owned,
 * reasoned and dated, and the rendered prod overlay meets the platform's baseline.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { gitops, normalizedReport, REPO, type CliRun } from './helpers.js';

let whole: CliRun;
let prod: CliRun;

beforeAll(async () => {
  [whole, prod] = await Promise.all([
    gitops(REPO, ['validate', '--format', 'json', '--quiet', '--schema-engine', 'both']),
    gitops(REPO, ['validate', 'overlays/prod', '--format', 'json', '--quiet']),
  ]);
});

describe('gitops validate on the repository', () => {
  it('exits 0 with zero errors and a complete run', () => {
    const report = whole.json();
    const errors = report.findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line} ${f.message}`);
    expect(errors).toEqual([]);
    expect(report.summary.incomplete).toBe(false);
    expect(whole.exitCode).toBe(0);
  });

  it('checks every overlay, cluster, Dockerfile and compose file', () => {
    const report = whole.json();
    expect(report.summary.targets).toBeGreaterThanOrEqual(9);
    const targets = new Set(report.findings.map((f) => f.target));
    for (const t of ['clusters/dev', 'clusters/staging', 'clusters/prod']) expect(targets.has(t), t).toBe(true);
    expect(report.summary.tools).toMatchObject({ kustomize: expect.stringContaining('(binary)'), schemaEngines: 'ajv+kubeconform' });
  });

  it('reports exactly what the snapshot taken before the pipeline refactor holds, finding for finding', async () => {
    // After a deliberate change of findings: npx vitest run tools/test/repository.test.ts -u
    await expect(normalizedReport(whole)).toMatchFileSnapshot('fixtures/report-snapshot/repository.json');
  });

  it('lists every remote chart as info instead of skipping it silently', () => {
    const remote = whole.json().findings.filter((f) => f.ruleId.startsWith('remote/'));
    expect(remote.length).toBeGreaterThan(0);
    for (const f of remote) {
      expect(f.severity).toBe('info');
      expect(f.message).toMatch(/not rendered offline/);
    }
  });

  it('has only waivers with an owner, a reason and an expiry', () => {
    const doc = parse(readFileSync(path.join(REPO, 'policies/waivers.yaml'), 'utf8')) as { waivers: Array<Record<string, unknown>> };
    for (const w of doc.waivers) {
      expect(typeof w.owner).toBe('string');
      expect(String(w.reason).length).toBeGreaterThan(20);
      expect(String(w.expires)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe('the rendered prod overlay', () => {
  const baseline = [
    // Pod Security Standards, baseline and restricted
    'k8s/privileged', 'k8s/host-namespaces', 'k8s/host-path-volumes', 'k8s/host-ports', 'k8s/capabilities-baseline',
    'k8s/allow-privilege-escalation', 'k8s/run-as-non-root', 'k8s/seccomp-restricted', 'k8s/capabilities-restricted', 'k8s/volume-types',
    // requests and limits
    'k8s/resource-limits',
    // STRICT mTLS and default-deny network policy in every workload namespace
    'istio/peer-authentication-strict', 'k8s/networkpolicy-default-deny', 'istio/authorization-default-deny',
  ];

  it('runs every workload under PSS restricted, with requests and limits, STRICT mTLS and default-deny', () => {
    const report = prod.json();
    expect(report.summary.incomplete).toBe(false);
    expect(report.summary.resources).toBeGreaterThan(30);
    const hits = report.findings.filter((f) => baseline.includes(f.ruleId)).map((f) => `${f.ruleId} ${f.message}`);
    expect(hits).toEqual([]);
    expect(prod.exitCode).toBe(0);
  });

  it('labels every namespace it creates with restricted Pod Security and sidecar injection', () => {
    const findings = prod.json().findings.filter((f) => ['k8s/namespace-pss-label', 'istio/sidecar-injection'].includes(f.ruleId));
    expect(findings).toEqual([]);
  });
});
