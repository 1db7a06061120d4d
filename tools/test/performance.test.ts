/**
 * What makes the gate fast must not change what it finds: validators loaded from the on-disk cache
 * report exactly what freshly compiled ones do, kubeconform runs once for a whole run, and the
 * pre-commit selection. Never a time: only counts, files and findings.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaStore } from '../src/schema/store.js';
import { discoverTargets, targetsForChanges } from '../src/discover/targets.js';
import { renderKustomization } from '../src/render/kustomize.js';
import { resolveKustomize } from '../src/maintain/tools.js';
import { resourcesFromRender } from '../src/inputs/kubernetes.js';
import { parseYaml } from '../src/util/yaml.js';
import { loadConfig } from '../src/util/config.js';
import { gitops, makeRepo, REPO, type FixtureRepo } from './helpers.js';

type Obj = Record<string, unknown>;

const repos: FixtureRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

async function renderedObjects(): Promise<Obj[]> {
  const config = loadConfig(REPO);
  const kustomize = await resolveKustomize(REPO);
  const out: Obj[] = [];
  for (const t of discoverTargets(REPO).filter((x) => x.kind === 'kustomization')) {
    const r = await renderKustomization(kustomize, t.abs, config.render.timeoutSeconds);
    expect(r.ok).toBe(true);
    out.push(...resourcesFromRender(parseYaml(r.stdout).docs, r.wrapperDir, t.abs).map((x) => x.object));
  }
  return out;
}

/** Each object as rendered plus three broken copies: unknown field, wrong type, enum/format. */
function withMutations(objects: Obj[]): Obj[] {
  const out: Obj[] = [];
  for (const o of objects) {
    out.push(o);
    const clone = () => structuredClone(o) as any;
    const a = clone();
    a.spec = { ...(typeof a.spec === 'object' && a.spec !== null ? a.spec : {}), replicaz: 3 };
    out.push(a);
    const b = clone();
    b.metadata = { ...b.metadata, name: 42, labels: { ok: true } };
    out.push(b);
    const c = clone();
    if (c.spec?.template?.spec?.containers?.[0]) {
      c.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
      c.spec.template.spec.containers[0].ports = [{ containerPort: '80' }];
    } else {
      c.metadata = { ...c.metadata, creationTimestamp: 'yesterday' };
    }
    out.push(c);
  }
  return out;
}

function outcomes(store: SchemaStore, objects: Obj[]): unknown[] {
  const crds = store.targetCrds(objects);
  return objects.map((o) => {
    const r = store.validate(o, crds);
    return { status: r.status, errors: r.errors };
  });
}

describe('validators cached on disk', () => {
  it('load from .cache/ajv on a warm run, compile nothing, and report exactly what fresh ones do', async () => {
    const repo = makeRepo();
    repos.push(repo);
    const objects = withMutations(await renderedObjects());
    expect(objects.length).toBeGreaterThan(800);

    const cold = SchemaStore.open(repo.root, '1.35.0');
    const coldResults = outcomes(cold, objects);
    const composeDoc = { services: { web: { image: 'nginx:1', ports: ['80'], restart: 'sometimes', bogus: 1 } } };
    const coldCompose = cold.validateCompose(composeDoc);
    expect(cold.cache.stats.hits).toBe(0);
    expect(cold.cache.stats.compiled).toBeGreaterThan(10);
    const dir = path.join(repo.root, '.cache/ajv');
    const files = readdirSync(dir).filter((f) => f.endsWith('.cjs'));
    expect(files).toHaveLength(cold.cache.stats.compiled);
    expect(coldResults.filter((r: any) => r.status === 'invalid').length).toBeGreaterThan(objects.length / 2);

    const warm = SchemaStore.open(repo.root, '1.35.0');
    expect(outcomes(warm, objects)).toEqual(coldResults);
    expect(warm.validateCompose(composeDoc)).toEqual(coldCompose);
    expect(coldCompose.length).toBeGreaterThan(0);
    expect(warm.cache.stats).toEqual({ hits: cold.cache.stats.compiled, compiled: 0 });

    // A damaged cache file is compiled again (and rewritten), with the same result.
    for (const f of files) writeFileSync(path.join(dir, f), 'module.exports = (');
    const damaged = SchemaStore.open(repo.root, '1.35.0');
    expect(outcomes(damaged, objects)).toEqual(coldResults);
    expect(damaged.cache.stats.hits).toBe(0);
    expect(readFileSync(path.join(dir, files[0]!), 'utf8')).toContain('"use strict"');
  }, 600_000);

  it('is keyed by the schema text: a changed schema is compiled, not loaded', () => {
    const repo = makeRepo();
    repos.push(repo);
    const crd = (maximum: number): Obj => ({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', maximum } } } } } } }],
      },
    });
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 5 } };
    const first = SchemaStore.open(repo.root, '1.35.0');
    expect(first.validate(widget, first.targetCrds([crd(10)])).status).toBe('valid');
    const second = SchemaStore.open(repo.root, '1.35.0');
    expect(second.validate(widget, second.targetCrds([crd(3)])).status).toBe('invalid');
    expect(second.cache.stats).toEqual({ hits: 0, compiled: 1 });
    const third = SchemaStore.open(repo.root, '1.35.0');
    expect(third.validate(widget, third.targetCrds([crd(10)])).status).toBe('valid');
    expect(third.cache.stats).toEqual({ hits: 1, compiled: 0 });
  });
});

describe('kubeconform', () => {
  it('runs once for a whole run of several targets, with the same findings as before', async () => {
    const repo = makeRepo();
    repos.push(repo);
    // The real binary behind a wrapper that counts its invocations.
    const log = path.join(repo.root, 'kubeconform.log');
    const wrapper = path.join(repo.root, '.tools/bin/kubeconform');
    const real = path.join(REPO, '.tools/bin/kubeconform');
    const { rmSync } = await import('node:fs');
    rmSync(wrapper);
    writeFileSync(wrapper, `#!/bin/sh\necho run >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const cm = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\n${extra}data:\n  a: "1"\n`;
    for (const env of ['one', 'two', 'three']) {
      repo.write(`overlays/${env}/kustomization.yaml`, 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cm.yaml\n');
      repo.write(`overlays/${env}/cm.yaml`, cm(`settings-${env}`, env === 'two' ? 'bogus: true\n' : ''));
    }
    const run = await gitops(repo.root, ['validate', '--format', 'json', '--schema-engine', 'both']);
    expect(run.exitCode).toBe(1);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['run']);
    const unknown = run.json().findings.filter((f) => f.ruleId === 'schema/unknown-field');
    // ajv's finding; kubeconform's identical one is de-duplicated against it.
    expect(unknown.map((f) => [f.target, f.resource?.name])).toEqual([['overlays/two', 'settings-two']]);
    const kubeconformOnly = await gitops(repo.root, ['validate', '--format', 'json', '--schema-engine', 'kubeconform', '--no-cache']);
    expect(kubeconformOnly.json().findings.filter((f) => f.ruleId === 'schema/unknown-field').map((f) => f.target)).toEqual(['overlays/two']);
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
    // Unchanged objects: kubeconform's verdicts of the first run, and no process at all.
    const again = await gitops(repo.root, ['validate', '--format', 'json', '--schema-engine', 'kubeconform']);
    expect(again.json().findings).toEqual(kubeconformOnly.json().findings);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
  }, 300_000);
});

describe('pre-commit selection of what a change to the gate\'s inputs reaches', () => {
  const all = discoverTargets(REPO);
  const pick = (...rel: string[]) => targetsForChanges(REPO, all, rel.map((f) => path.join(REPO, f))).map((t) => t.name);
  const overlays = ['overlays/dev', 'overlays/prod', 'overlays/staging'];
  const clusters = ['clusters/dev', 'clusters/prod', 'clusters/staging'];

  it('a rule re-checks only the targets holding what it reads (input kind and kinds)', () => {
    expect(pick('policies/k8s/pdb/policy.rego', 'policies/build/manifest.json', 'policies/build/policy.wasm')).toEqual(overlays);
    expect(pick('policies/argocd/automated-sync/policy_test.rego')).toEqual(clusters);
    expect(pick('policies/docker/healthcheck-present/fixtures/denied/none.Dockerfile')).toEqual(['base/admin-dashboard/Dockerfile', 'base/backend/Dockerfile']);
    expect(pick('policies/compose/redis-auth/policy.rego')).toEqual(['overlays/local/compose.yaml']);
  });

  it('a schema file re-checks only the targets holding its kind', () => {
    expect(pick('schemas/kubernetes/v1.35.0-standalone-strict/deployment-apps-v1.json')).toEqual(overlays);
    expect(pick('schemas/compose/compose-spec.json')).toEqual(['overlays/local/compose.yaml']);
  });

  it('shared policy code, the bundle alone, waivers, indexes and settings re-check everything', () => {
    for (const f of ['policies/lib/wiring.rego', 'policies/main.rego', 'policies/build/policy.wasm', 'policies/waivers.yaml', 'schemas/crds/index.json', 'gitops.yaml', 'tools/versions.json']) {
      expect(pick(f), f).toEqual(all.map((t) => t.name));
    }
  });

  it('a base file re-checks the overlays that include it, together with what a rule change reaches', () => {
    expect(pick('base/backend/deployment.yaml')).toEqual(overlays);
    expect(pick('base/backend/deployment.yaml', 'policies/argocd/automated-sync/policy.rego')).toEqual([...clusters, ...overlays]);
  });
});
