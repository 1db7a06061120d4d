/**
 * Source map through real kustomize output and its own origin annotations: a field from a base,
 * a field set by an overlay patch, a generated ConfigMap, and a field nobody set. File AND line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLocation } from '../../src/locate/sourcemap.js';
import { FileCache } from '../../src/util/cache.js';
import type { Resource } from '../../src/pipeline/types.js';
import { gitops, lineOf, makeRepo, renderOverlay, type FixtureRepo, type RenderedOverlay } from '../helpers.js';

const DEPLOYMENT = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels:
    app: app
spec:
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
        - name: app
          image: example/app:latest
          ports:
            - containerPort: 8080
`;

const BASE_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
configMapGenerator:
  - name: other-config
    literals: [A=b]
  - name: app-config
    literals:
      - LOG_LEVEL=info
`;

const OVERLAY = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
namePrefix: prod-
resources:
  - ../../base/app
patches:
  - path: security.yaml
  - path: version.yaml
  - path: json-patch.yaml
    target:
      kind: Deployment
      name: app
`;

const JSON_PATCH = `- op: add
  path: /spec/template/spec/containers/0/securityContext/runAsUser
  value: 0
- op: add
  path: /spec/template/spec/securityContext
  value:
    fsGroup: 2000
    runAsNonRoot: false
`;

const SECURITY_PATCH = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
        - name: app
          securityContext:
            privileged: true
`;

const VERSION_PATCH = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
        - name: app
          ports:
            - containerPort: 9090
`;

let fixture: RenderedOverlay;
let repo: FixtureRepo;
let resources: Resource[];
const cache = new FileCache();
const kfile = () => fixture.kustomization;

beforeAll(async () => {
  fixture = await renderOverlay({
    'base/app/deployment.yaml': DEPLOYMENT,
    'base/app/kustomization.yaml': BASE_KUSTOMIZATION,
    'overlays/prod/kustomization.yaml': OVERLAY,
    'overlays/prod/security.yaml': SECURITY_PATCH,
    'overlays/prod/version.yaml': VERSION_PATCH,
    'overlays/prod/json-patch.yaml': JSON_PATCH,
  });
  repo = fixture.repo;
  resources = fixture.resources;
});

afterAll(() => repo.cleanup());

const find = (kind: string, name: string) => fixture.find(kind, name);

describe('source map', () => {
  it('strips the build annotations from the rendered objects', () => {
    for (const r of resources) {
      const ann = ((r.object.metadata as Record<string, unknown>).annotations ?? {}) as Record<string, string>;
      expect(Object.keys(ann).filter((k) => k.includes('config.kubernetes.io'))).toEqual([]);
    }
    expect(find('Deployment', 'prod-app').ref).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'prod-app' });
  });

  it('points a field from a base at the base file and the field line', () => {
    const m = mapLocation(repo.root, cache, find('Deployment', 'prod-app'), 'spec.template.spec.containers[0].image', kfile());
    expect(m.location).toEqual({ file: 'base/app/deployment.yaml', line: lineOf(DEPLOYMENT, 'image:'), column: 11 });
    expect(m.related).toContainEqual({ file: 'overlays/prod/kustomization.yaml', line: 1, column: 1, message: 'rendered by' });
  });

  it('points a field set by an overlay patch at the patch line, with the base resource as related', () => {
    const m = mapLocation(repo.root, cache, find('Deployment', 'prod-app'), 'spec.template.spec.containers[0].securityContext.privileged', kfile());
    expect(m.location).toEqual({ file: 'overlays/prod/security.yaml', line: lineOf(SECURITY_PATCH, 'privileged:'), column: 13 });
    expect(m.related).toContainEqual({ file: 'base/app/deployment.yaml', line: 2, column: 1, message: 'resource defined here' });
  });

  it('points a list item a patch adds (merged by its key, containerPort) at the patch, and the base item at the base', () => {
    // Strategic merge keeps the base's port 8080 and puts the patch's 9090 first: ports[0] is the patch's.
    const dep = find('Deployment', 'prod-app');
    const m = mapLocation(repo.root, cache, dep, 'spec.template.spec.containers[0].ports[0].containerPort', kfile());
    expect(m.location).toEqual({ file: 'overlays/prod/version.yaml', line: lineOf(VERSION_PATCH, 'containerPort'), column: 15 });
    expect(m.related[0]).toEqual({ file: 'base/app/deployment.yaml', line: 2, column: 1, message: 'resource defined here' });
    const base = mapLocation(repo.root, cache, dep, 'spec.template.spec.containers[0].ports[1].containerPort', kfile());
    expect(base.location).toEqual({ file: 'base/app/deployment.yaml', line: lineOf(DEPLOYMENT, 'containerPort'), column: 15 });
  });

  it('points a field set by a JSON 6902 patch at its value, also inside an added object', () => {
    const dep = find('Deployment', 'prod-app');
    const user = mapLocation(repo.root, cache, dep, 'spec.template.spec.containers[0].securityContext.runAsUser', kfile());
    expect(user.location).toEqual({ file: 'overlays/prod/json-patch.yaml', line: lineOf(JSON_PATCH, 'value: 0'), column: 3 });
    const nonRoot = mapLocation(repo.root, cache, dep, 'spec.template.spec.securityContext.runAsNonRoot', kfile());
    expect(nonRoot.location).toEqual({ file: 'overlays/prod/json-patch.yaml', line: lineOf(JSON_PATCH, 'runAsNonRoot'), column: 5 });
    expect(nonRoot.related).toContainEqual({ file: 'base/app/deployment.yaml', line: 2, column: 1, message: 'resource defined here' });
  });

  it('points a generated key at its literal, the ConfigMap itself at its generator entry', () => {
    const cm = find('ConfigMap', 'prod-app-config');
    expect(cm.ref.name).toMatch(/^prod-app-config-[a-z0-9]{10}$/);
    const m = mapLocation(repo.root, cache, cm, 'data.LOG_LEVEL', kfile());
    expect(m.location).toEqual({ file: 'base/app/kustomization.yaml', line: lineOf(BASE_KUSTOMIZATION, '- LOG_LEVEL=info'), column: 9 });
    expect(m.related).toContainEqual({ file: 'base/app/kustomization.yaml', line: lineOf(BASE_KUSTOMIZATION, '- name: app-config'), column: 5, message: 'generated here' });
    const whole = mapLocation(repo.root, cache, cm, null, kfile());
    expect(whole.location).toEqual({ file: 'base/app/kustomization.yaml', line: lineOf(BASE_KUSTOMIZATION, '- name: app-config'), column: 5 });
  });

  it('points a field nobody set at its nearest existing parent in the base', () => {
    const m = mapLocation(repo.root, cache, find('Deployment', 'prod-app'), 'spec.template.spec.dnsPolicy', kfile());
    expect(m.location).toEqual({ file: 'base/app/deployment.yaml', line: lineOf(DEPLOYMENT, '    spec:', lineOf(DEPLOYMENT, 'template:')), column: 5 });
  });

  it('reports policy findings through the overlay at the lines to edit (CLI, JSON)', async () => {
    const run = await gitops(repo.root, ['validate', 'overlays/prod', '--format', 'json', '--quiet']);
    expect(run.exitCode).toBe(1);
    const findings = run.json().findings;
    const privileged = findings.find((f) => f.ruleId === 'k8s/privileged');
    expect(privileged?.location).toEqual({ file: 'overlays/prod/security.yaml', line: lineOf(SECURITY_PATCH, 'privileged:'), column: 13 });
    expect(privileged?.resource).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'prod-app' });
    const tag = findings.find((f) => f.ruleId === 'k8s/image-tag');
    expect(tag?.location).toEqual({ file: 'base/app/deployment.yaml', line: lineOf(DEPLOYMENT, 'image:'), column: 11 });
    expect(tag?.target).toBe('overlays/prod');
    // runAsNonRoot: false and runAsUser: 0 come from the JSON 6902 patch: that is where to edit.
    const root = findings.filter((f) => f.ruleId === 'k8s/run-as-non-root');
    expect(root.length).toBeGreaterThan(0);
    for (const f of root) expect(f.location.file).toBe('overlays/prod/json-patch.yaml');
    expect(readFileSync(path.join(repo.root, 'base/app/deployment.yaml'), 'utf8')).toBe(DEPLOYMENT);
  });
});
