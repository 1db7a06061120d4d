/**
 * False positives are bugs: `gitops validate` on a fully hardened example application
 * (tools/test/fixtures/hardened/: Kubernetes manifests, its Argo CD Application and AppProject,
 * Dockerfile, compose file) must report nothing at all, neither errors nor warnings, and must have
 * evaluated every document of it.
 *
 * So that "nothing" cannot come from a gate that silently looked at nothing, a copy of the example
 * with one known defect per file is validated too and must be reported on exactly those defects.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, gitops } from './helpers.js';

const HARDENED = 'tools/test/fixtures/hardened';

interface Finding {
  ruleId: string;
  severity: string;
  message: string;
  resource: { kind: string; name: string } | null;
  location: { file: string; line: number; column: number } | null;
}

const describeFinding = (f: Finding): string =>
  `${f.severity} ${f.ruleId} ${f.location ? `${f.location.file}:${f.location.line}` : '(no location)'}` +
  `${f.resource ? ` ${f.resource.kind}/${f.resource.name}` : ''}: ${f.message}`;

/** Kubernetes documents of the example's YAML files (empty documents are not resources). */
function documentCount(dir: string): number {
  let n = 0;
  for (const file of ['manifests.yaml', 'argocd.yaml']) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    n += parseAllDocuments(text).filter((d) => d.contents !== null).length;
  }
  return n;
}

describe('gitops validate on the hardened example', () => {
  let exitCode: number;
  let summary: Record<string, unknown>;
  let findings: Finding[];

  beforeAll(async () => {
    const run = await gitops(REPO, ['validate', HARDENED, '--format', 'json', '--quiet']);
    exitCode = run.exitCode;
    const report = run.json();
    summary = report.summary;
    findings = report.findings as unknown as Finding[];
  });

  it('reports no error and no warning', () => {
    const listed = findings.map(describeFinding);
    expect(listed, `findings on the hardened example (each is a false positive or an example defect):\n${listed.join('\n')}`).toEqual([]);
    expect(summary.errors).toBe(0);
    expect(summary.warnings).toBe(0);
    expect(summary.waived).toBe(0);
  });

  it('exits 0 with a complete run over every document, the Dockerfile and the compose file', () => {
    expect(exitCode).toBe(0);
    expect(summary.incomplete).toBe(false);
    expect(summary.targets).toBe(1);
    const documents = documentCount(path.join(REPO, HARDENED));
    expect(documents).toBe(26);
    expect(summary.resources).toBe(documents + 2);
  });

  it('exits 0 with --fail-on warning too', async () => {
    const run = await gitops(REPO, ['validate', HARDENED, '--format', 'json', '--quiet', '--fail-on', 'warning']);
    const report = run.json();
    expect(report.findings.map((f) => describeFinding(f as unknown as Finding))).toEqual([]);
    expect(run.exitCode).toBe(0);
  });
});

describe('gitops validate on the hardened example with one defect per file', () => {
  let dir: string;
  let exitCode: number;
  let findings: Finding[];

  /** Replaces `from` (which must occur exactly once) by `to` in a file of the copy. */
  function mutate(file: string, from: string, to: string): void {
    const abs = path.join(dir, file);
    const text = readFileSync(abs, 'utf8');
    if (text.split(from).length !== 2) throw new Error(`'${from}' does not occur exactly once in ${file}`);
    writeFileSync(abs, text.replace(from, to));
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-hardened-'));
    cpSync(path.join(REPO, HARDENED), dir, { recursive: true });
    // The quota no longer holds the 6 pods x (500m app + 500m sidecar) of CPU limits.
    mutate('manifests.yaml', 'limits.cpu: "7"', 'limits.cpu: "4"');
    // Sidecars can no longer reach istiod.
    mutate('manifests.yaml', 'port: 15012', 'port: 15010');
    // Argo CD would leave resources deleted from git running.
    mutate('argocd.yaml', 'prune: true', 'prune: false');
    mutate('Dockerfile', 'USER 1000:1000', 'USER node');
    mutate('compose.yaml', '"127.0.0.1:8080:8080"', '"8080:8080"');
    const run = await gitops(REPO, ['validate', dir, '--format', 'json', '--quiet']);
    exitCode = run.exitCode;
    findings = run.json().findings as unknown as Finding[];
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports exactly the injected defects, each on its file', () => {
    const got = findings
      .map((f) => `${f.severity} ${f.ruleId} ${f.location ? path.basename(f.location.file) : '-'} ${f.resource ? `${f.resource.kind}/${f.resource.name}` : '-'}`)
      .sort();
    expect(got, findings.map(describeFinding).join('\n')).toEqual(
      [
        'error k8s/quota-fits manifests.yaml ResourceQuota/example-quota',
        'error k8s/networkpolicy-selectors manifests.yaml NetworkPolicy/default-deny',
        'error k8s/networkpolicy-selectors manifests.yaml NetworkPolicy/allow-dns-and-istiod',
        'error argocd/automated-sync argocd.yaml Application/example',
        'error docker/non-root-user Dockerfile -',
        'warning compose/ports-loopback compose.yaml -',
      ].sort(),
    );
    expect(exitCode).toBe(1);
  });
});
