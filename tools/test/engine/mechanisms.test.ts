/**
 * Source map through every kustomize mechanism, against the pinned kustomize's own output and
 * origin annotations: inline patches, transformers (images, replicas, namePrefix, namespace,
 * labels, commonLabels), generators (literal, env file), deleting patches, JSON 6902 operations
 * on list items, List files, and kustomize's own errors. Each case asserts file AND line.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/pipeline/types.js';
import { gitops, lineOf, makeRepo, renderOverlay, type FixtureRepo, type RenderedOverlay } from '../helpers.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels:
    app: app
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: app
          image: example/app:1.0.0
          securityContext:
            readOnlyRootFilesystem: true
          env:
            - name: A
              value: "1"
            - name: B
              value: "2"
        - name: sidecar
          image: example/sidecar:1.0.0
          env:
            - name: S
              value: "s"
`;

const LIST = `apiVersion: v1
kind: ConfigMapList
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: first
    data:
      a: b
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: second
    data:
      c: d
`;

const ENV_FILE = 'LOG_LEVEL=info\nPASSWORD=hunter2\n';

const BASE = `resources:
  - deployment.yaml
  - list.yaml
configMapGenerator:
  - name: app-config
    literals:
      - MODE=fast
    envs:
      - app.env
secretGenerator:
  - name: app-secret
    literals:
      - TOKEN=abc
`;

const OVERLAY = `namespace: shop
namePrefix: prod-
labels:
  - pairs:
      team: core
commonLabels:
  tier: web
resources:
  - ../../base/app
images:
  - name: example/app
    newTag: 2.0.0
replicas:
  - name: app
    count: 3
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: app
      spec:
        template:
          spec:
            securityContext:
              $patch: delete
            containers:
              - name: sidecar
                securityContext:
                  privileged: true
  - target:
      kind: Deployment
      name: app
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/1/env/1/value
        value: "3"
      - op: add
        path: /spec/template/spec/containers/0/env/-
        value:
          name: ADDED
          value: "x"
      - op: remove
        path: /spec/template/spec/containers/1/securityContext
`;

/** Line and column (1-based) of the first line containing `needle`, column of `needle` itself. */
function at(text: string, needle: string, from = 1): { line: number; column: number } {
  const line = lineOf(text, needle, from);
  return { line, column: text.split('\n')[line - 1]!.indexOf(needle) + 1 };
}

let fixture: RenderedOverlay;
let repo: FixtureRepo;
const O = 'overlays/prod/kustomization.yaml';

beforeAll(async () => {
  fixture = await renderOverlay({
    'base/app/deployment.yaml': DEPLOYMENT,
    'base/app/list.yaml': LIST,
    'base/app/app.env': ENV_FILE,
    'base/app/kustomization.yaml': BASE,
    'overlays/prod/kustomization.yaml': OVERLAY,
  });
  repo = fixture.repo;
});

afterAll(() => repo.cleanup());

const find = (kind: string, name: string): Resource => fixture.find(kind, name);
const map = (kind: string, name: string, field: string | null) => fixture.map(kind, name, field);

describe('source map through kustomize mechanisms (real kustomize output)', () => {
  it('a field set by an inline patch: the line inside the patch text, with the list item matched by name', () => {
    // Strategic merge puts the patched sidecar first: rendered containers[0] is the base's [1].
    const dep = find('Deployment', 'prod-app');
    expect(((dep.object.spec as any).template.spec.containers as Array<{ name: string }>).map((c) => c.name)).toEqual(['sidecar', 'app']);
    const m = map('Deployment', 'prod-app', 'spec.template.spec.containers[0].securityContext.privileged');
    expect(m.location).toEqual({ file: O, ...at(OVERLAY, 'privileged: true') });
    expect(m.related).toContainEqual({ file: 'base/app/deployment.yaml', line: 1, column: 1, message: 'resource defined here' });
  });

  it('images: the image transformer line, with the base image line as related', () => {
    const m = map('Deployment', 'prod-app', 'spec.template.spec.containers[1].image');
    expect(m.location).toEqual({ file: O, ...at(OVERLAY, 'newTag: 2.0.0') });
    expect(m.related).toContainEqual({ file: 'base/app/deployment.yaml', ...at(DEPLOYMENT, 'image: example/app'), message: 'field declared in base' });
    // The sidecar's image is no transformer's: the base line.
    expect(map('Deployment', 'prod-app', 'spec.template.spec.containers[0].image').location).toEqual({ file: 'base/app/deployment.yaml', ...at(DEPLOYMENT, 'image: example/sidecar') });
  });

  it('replicas: the count line of the replicas transformer, base as related', () => {
    const m = map('Deployment', 'prod-app', 'spec.replicas');
    expect(m.location).toEqual({ file: O, ...at(OVERLAY, 'count: 3') });
    expect(m.related).toContainEqual({ file: 'base/app/deployment.yaml', ...at(DEPLOYMENT, 'replicas: 1'), message: 'field declared in base' });
  });

  it('namePrefix and namespace: their own lines', () => {
    expect(map('Deployment', 'prod-app', 'metadata.name').location).toEqual({ file: O, ...at(OVERLAY, 'namePrefix') });
    expect(map('Deployment', 'prod-app', 'metadata.namespace').location).toEqual({ file: O, ...at(OVERLAY, 'namespace: shop') });
  });

  it('labels and commonLabels: the pair that set the label, also in selectors', () => {
    expect(map('Deployment', 'prod-app', 'metadata.labels.team').location).toEqual({ file: O, ...at(OVERLAY, 'team: core') });
    expect(map('Deployment', 'prod-app', 'spec.selector.matchLabels.tier').location).toEqual({ file: O, ...at(OVERLAY, 'tier: web') });
    // A label the base set stays at the base.
    expect(map('Deployment', 'prod-app', 'metadata.labels.app').location).toEqual({ file: 'base/app/deployment.yaml', ...at(DEPLOYMENT, 'app: app') });
  });

  it('generators: the literal line and the env-file line of a generated key', () => {
    expect(map('ConfigMap', 'prod-app-config', 'data.MODE').location).toEqual({ file: 'base/app/kustomization.yaml', ...at(BASE, 'MODE=fast') });
    expect(map('ConfigMap', 'prod-app-config', 'data.PASSWORD').location).toEqual({ file: 'base/app/app.env', line: 2, column: 1 });
    expect(map('Secret', 'prod-app-secret', 'data.TOKEN').location).toEqual({ file: 'base/app/kustomization.yaml', ...at(BASE, 'TOKEN=abc') });
  });

  it('a deleting patch: $patch: delete and a JSON 6902 remove, where the base had the field', () => {
    const del = map('Deployment', 'prod-app', 'spec.template.spec.securityContext.runAsNonRoot');
    expect(del.location).toEqual({ file: O, ...at(OVERLAY, '$patch: delete') });
    const removed = map('Deployment', 'prod-app', 'spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem');
    expect(removed.location).toEqual({ file: O, ...at(OVERLAY, 'op: remove') });
  });

  it('JSON 6902 operations on list items: a replaced item value and an appended item', () => {
    expect(map('Deployment', 'prod-app', 'spec.template.spec.containers[1].env[1].value').location).toEqual({ file: O, ...at(OVERLAY, 'value: "3"') });
    const dep = find('Deployment', 'prod-app');
    const env = (((dep.object.spec as any).template.spec.containers[0].env) as Array<{ name: string }>);
    expect(env.map((e) => e.name)).toEqual(['S', 'ADDED']);
    expect(map('Deployment', 'prod-app', 'spec.template.spec.containers[0].env[0].value').location).toEqual({ file: 'base/app/deployment.yaml', ...at(DEPLOYMENT, 'value: "s"') });
    expect(map('Deployment', 'prod-app', 'spec.template.spec.containers[0].env[1].value').location).toEqual({ file: O, ...at(OVERLAY, 'value: "x"') });
  });

  it('items of a kind: List file rendered through kustomize: the item, not 1:1', () => {
    const m = map('ConfigMap', 'prod-first', 'data.a');
    expect(m.location).toEqual({ file: 'base/app/list.yaml', ...at(LIST, 'a: b') });
    expect(map('ConfigMap', 'prod-second', null).location).toEqual({ file: 'base/app/list.yaml', line: lineOf(LIST, '- apiVersion', 10), column: 5 });
  });
});

describe("kustomize's own errors at the kustomization entry they are about", () => {
  let bad: FixtureRepo;
  beforeAll(() => {
    bad = makeRepo({
      'base/app/kustomization.yaml': 'resources:\n  - configmap.yaml\n  - missing.yaml\n',
      'base/app/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      'overlays/dev/kustomization.yaml': 'resources:\n  - ../../base/app\npatches:\n  - path: gone.yaml\n',
      'overlays/ok/kustomization.yaml': 'resources:\n  - ../../base/ok\n',
      'overlays/shape/kustomization.yaml': 'resources:\n  - ../../base/ok\nnamePrefix: [oops]\n',
      'base/ok/kustomization.yaml': 'resources: [configmap.yaml]\n',
      'base/ok/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: shop\n  bogus: 1\n',
    });
  });
  afterAll(() => bad.cleanup());

  it('a missing resource of a base: that resources entry, without temp-wrapper paths; other targets still checked', async () => {
    const r = await gitops(bad.root, ['validate', 'overlays/dev', 'overlays/ok', '--format', 'json']);
    expect(r.exitCode).toBe(2);
    const report = r.json();
    const f = report.findings.find((x) => x.ruleId === 'input/kustomize');
    expect(f?.target).toBe('overlays/dev');
    expect(f?.location).toEqual({ file: 'base/app/kustomization.yaml', line: 3, column: 5 });
    expect(f?.field).toBe('resources[1]');
    expect(f?.message).toContain("'missing.yaml'");
    expect(f?.message).not.toMatch(/gitops-render-|<wrapper>|\/tmp\/|must resolve to a file/);
    expect(f?.related).toContainEqual({ file: 'overlays/dev/kustomization.yaml', line: 1, column: 1, message: 'rendered by' });
    expect(report.findings.some((x) => x.target === 'overlays/ok' && x.ruleId === 'schema/unknown-field')).toBe(true);
  });

  it('a kustomization field of the wrong shape: that field', async () => {
    const r = await gitops(bad.root, ['validate', 'overlays/shape', '--format', 'json']);
    expect(r.exitCode).toBe(2);
    const f = r.json().findings.find((x) => x.ruleId === 'input/kustomize');
    expect(f?.location).toEqual({ file: 'overlays/shape/kustomization.yaml', line: 3, column: 1 });
    expect(f?.field).toBe('namePrefix');
    expect(f?.message).toBe('kustomize build failed: invalid Kustomization: json: cannot unmarshal array into Go struct field Kustomization.namePrefix of type string');
  });
});
