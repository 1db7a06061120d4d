/**
 * Bad input gets one clear finding with file and line, never a stack trace, and makes the run
 * incomplete (exit 2); schema problems are error findings with file and line (exit 1).
 */
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitops, lineOf, makeRepo, widgetCrd, type FixtureRepo } from '../helpers.js';

let repo: FixtureRepo;
beforeAll(() => {
  repo = makeRepo();
});
afterAll(() => repo.cleanup());

async function check(file: string, text: string, args: string[] = []) {
  repo.write(file, text);
  const run = await gitops(repo.root, ['validate', file, '--format', 'json', '--quiet', ...args]);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return { run, report: run.json() };
}

describe('bad input', () => {
  it('reports a YAML syntax error with its line and exits 2', async () => {
    const { run, report } = await check('bad/syntax.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n');
    expect(run.exitCode).toBe(2);
    expect(report.summary.incomplete).toBe(true);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ ruleId: 'input/yaml', severity: 'error', resource: null, location: { file: 'bad/syntax.yaml' } });
    expect(report.findings[0]!.location.line).toBeGreaterThanOrEqual(4);
  });

  it('rejects duplicate keys at the duplicate', async () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n';
    const { run, report } = await check('bad/dup.yaml', text);
    expect(run.exitCode).toBe(2);
    expect(report.findings[0]).toMatchObject({ ruleId: 'input/yaml', location: { file: 'bad/dup.yaml', line: 5, column: 3 } });
    expect(report.findings[0]!.message).toMatch(/unique|duplicate/i);
  });

  it('refuses an alias bomb without expanding it', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    const names = 'bcdefghij'.split('');
    names.forEach((n, i) => {
      const prev = i === 0 ? 'a' : names[i - 1];
      lines.push(`${n}: &${n} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    });
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  ${lines.join('\n  ')}\n`;
    const started = Date.now();
    const { run, report } = await check('bad/bomb.yaml', text);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(run.exitCode).toBe(2);
    expect(report.findings[0]).toMatchObject({ ruleId: 'input/yaml', location: { file: 'bad/bomb.yaml', line: 7 } });
    expect(report.findings[0]!.message).toContain('alias');
  });

  it('names a scalar document and a document without kind', async () => {
    const { report } = await check('bad/scalar.yaml', '---\njust a string\n---\napiVersion: v1\nmetadata:\n  name: x\n');
    expect(report.findings.map((f) => [f.ruleId, f.location.line])).toEqual([
      ['input/not-an-object', 2],
      ['input/missing-kind', 4],
    ]);
  });

  it('expands a List into its items', async () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n    data:\n      k: v\n      bogus: 3\n';
    const { report } = await check('bad/list.yaml', text);
    expect(report.summary.resources).toBe(1);
    const typeError = report.findings.find((f) => f.ruleId === 'schema/type');
    expect(typeError).toMatchObject({ resource: { kind: 'ConfigMap', name: 'a' }, field: 'data.bogus', location: { file: 'bad/list.yaml', line: 10, column: 7 } });
  });

  it('reports a missing PATH and exits 2', async () => {
    const run = await gitops(repo.root, ['validate', 'does/not/exist', '--format', 'json']);
    expect(run.exitCode).toBe(2);
    expect(run.json().findings[0]).toMatchObject({ ruleId: 'input/path', location: null });
  });

  it('reports a kustomization that references a missing file at that entry of the kustomization', async () => {
    repo.write('overlays/broken/kustomization.yaml', 'resources:\n  - missing.yaml\n');
    const run = await gitops(repo.root, ['validate', 'overlays/broken', '--format', 'json']);
    expect(run.exitCode).toBe(2);
    const f = run.json().findings[0]!;
    expect(f).toMatchObject({ ruleId: 'input/kustomize', field: 'resources[0]', location: { file: 'overlays/broken/kustomization.yaml', line: 2, column: 5 } });
    expect(f.message).toContain('missing.yaml');
  });

  it('reports a broken YAML file inside a kustomization at its own line', async () => {
    repo.write('overlays/dupkey/kustomization.yaml', 'resources:\n  - cm.yaml\n');
    repo.write('overlays/dupkey/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n  k: w\n');
    const run = await gitops(repo.root, ['validate', 'overlays/dupkey', '--format', 'json']);
    expect(run.exitCode).toBe(2);
    expect(run.json().findings[0]).toMatchObject({ ruleId: 'input/yaml', location: { file: 'overlays/dupkey/cm.yaml', line: 7, column: 3 } });
  });

  it('reports an unreadable compose file and manifest (dangling links) at their files, exit 2', async () => {
    repo.write('dangling/keep.txt', 'x');
    symlinkSync(path.join(repo.root, 'nowhere.yaml'), path.join(repo.root, 'dangling/compose.yaml'));
    symlinkSync(path.join(repo.root, 'nowhere.yaml'), path.join(repo.root, 'dangling/app.yaml'));
    const run = await gitops(repo.root, ['validate', 'dangling', '--format', 'json', '--quiet']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).not.toContain('internal error');
    expect(run.json().findings.map((f) => [f.ruleId, f.location.file]).sort()).toEqual([
      ['input/unreadable', 'dangling/app.yaml'],
      ['input/unreadable', 'dangling/compose.yaml'],
    ]);
  });

  it('rejects bad usage with exit 2 and a hint', async () => {
    const run = await gitops(repo.root, ['validate', '--format', 'xml']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--format must be one of text, json, sarif, junit, github, found 'xml'");
  });
});

const PDB_V1BETA1 = `apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: api
`;

const DEPLOYMENT_TYPO = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replica: 2
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
          ports:
            - containerPort: "8080"
`;

describe('schema findings', () => {
  it('flags an unknown field, a wrong type, a removed API version and an unknown kind with file and line', async () => {
    repo.write('schema/deployment.yaml', DEPLOYMENT_TYPO);
    repo.write('schema/pdb.yaml', PDB_V1BETA1);
    repo.write('schema/widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    const run = await gitops(repo.root, ['validate', 'schema', '--format', 'json', '--quiet', '--schema-engine', 'both']);
    expect(run.exitCode).toBe(1);
    const report = run.json();
    expect(report.summary.incomplete).toBe(false);
    const byRule = (id: string) => report.findings.filter((f) => f.ruleId === id);

    expect(byRule('schema/unknown-field')).toHaveLength(1);
    expect(byRule('schema/unknown-field')[0]).toMatchObject({
      severity: 'error', field: 'spec.replica', location: { file: 'schema/deployment.yaml', line: lineOf(DEPLOYMENT_TYPO, 'replica:'), column: 3 },
    });
    expect(byRule('schema/unknown-field')[0]!.message).toContain('replicas');

    expect(byRule('schema/type')).toHaveLength(1);
    expect(byRule('schema/type')[0]).toMatchObject({
      field: 'spec.template.spec.containers[0].ports[0].containerPort',
      location: { file: 'schema/deployment.yaml', line: lineOf(DEPLOYMENT_TYPO, 'containerPort'), column: 15 },
    });

    const unknown = byRule('schema/unknown-kind');
    expect(unknown.map((f) => [f.resource.kind, f.location.file, f.location.line]).sort()).toEqual([
      ['PodDisruptionBudget', 'schema/pdb.yaml', 1],
      ['Widget', 'schema/widget.yaml', 1],
    ]);
    expect(unknown.find((f) => f.resource.kind === 'PodDisruptionBudget')!.message).toContain('policy/v1');
  });

  it('accepts a custom kind defined by a CRD in the same target', async () => {
    const crd = widgetCrd('type: object\nproperties:\n  spec:\n    type: object\n    properties:\n      size: {type: integer}');
    repo.write('crd/crd.yaml', crd);
    repo.write('crd/widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: big\n');
    const report = (await gitops(repo.root, ['validate', 'crd', '--format', 'json', '--quiet'])).json();
    expect(report.findings.filter((f) => f.ruleId === 'schema/unknown-kind')).toEqual([]);
    expect(report.findings.filter((f) => f.ruleId.startsWith('schema/')).map((f) => [f.ruleId, f.field, f.location.file, f.location.line])).toEqual([
      ['schema/type', 'spec.size', 'crd/widget.yaml', 6],
    ]);
  });
});

export { path };
