/**
 * Schema engines on the vendored schemas: ajv in-process and the real kubeconform binary, on the
 * same objects, plus the CRD converter and the integrity of the committed schemas.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { crdToSchemas, openApiV3ToJsonSchema } from '../src/schema/convert.js';
import { validateObject, type SchemaError } from '../src/schema/ajv.js';
import { SchemaStore, type TargetCrds } from '../src/schema/store.js';
import { kubeconformVersion, runKubeconform, type KubeconformObjectResult } from '../src/schema/kubeconform.js';
import { KubeconformError } from '../src/util/errors.js';
import { loadConfig } from '../src/util/config.js';
import { coreSchemaFileName, stripTemplateLines, syncSchemas, verifySchemas } from '../src/maintain/schema-sync.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kubeconform = path.join(repoRoot, '.tools/bin/kubeconform');
const K8S = '1.35.0';

type Obj = Record<string, unknown>;

function deployment(mutate?: (d: any) => void): Obj {
  const d: any = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'backend', namespace: 'funlynk', labels: { 'app.kubernetes.io/name': 'backend' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'backend' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
      template: {
        metadata: { labels: { app: 'backend' } },
        spec: {
          containers: [
            {
              name: 'api',
              image: 'ghcr.io/funlynk/backend:1.4.2',
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 1, memory: '256Mi' } },
            },
          ],
        },
      },
    },
  };
  mutate?.(d);
  return d;
}

const service: Obj = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'backend', namespace: 'funlynk' },
  spec: { selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
};

function virtualService(mutate?: (v: any) => void): Obj {
  const v: any = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'backend', namespace: 'funlynk' },
    spec: {
      hosts: ['backend'],
      http: [
        {
          route: [{ destination: { host: 'backend', port: { number: 8080 } } }],
          timeout: '10s',
          retries: { attempts: 3, perTryTimeout: '2s' },
        },
      ],
    },
  };
  mutate?.(v);
  return v;
}

function serviceMonitor(mutate?: (v: any) => void): Obj {
  const v: any = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'backend', namespace: 'funlynk' },
    spec: {
      selector: { matchLabels: { app: 'backend' } },
      endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }],
    },
  };
  mutate?.(v);
  return v;
}

function application(mutate?: (v: any) => void): Obj {
  const v: any = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'backend-dev', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'funlynk',
      source: { repoURL: 'https://git.example.invalid/funlynk/gitops.git', targetRevision: 'main', path: 'overlays/dev' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'funlynk' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
  mutate?.(v);
  return v;
}

/** A CRD the target defines itself (not vendored), with int-or-string and preserve-unknown fields. */
const widgetCrd: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.funlynk.io' },
  spec: {
    group: 'example.funlynk.io',
    scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1 },
                  port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                  note: { type: 'string', nullable: true },
                  extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
            },
          },
        },
      },
      { name: 'v1alpha1', served: false, storage: false },
    ],
  },
};

function widget(spec: Obj): Obj {
  return { apiVersion: 'example.funlynk.io/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'funlynk' }, spec };
}

let store: SchemaStore;
let widgetTarget: TargetCrds;

beforeAll(() => {
  store = SchemaStore.open(repoRoot, K8S);
  widgetTarget = store.targetCrds([widgetCrd, service]);
});

function ajvErrors(obj: Obj, target?: TargetCrds): SchemaError[] {
  return store.validate(obj, target).errors;
}

async function kc(objs: Obj[], target?: TargetCrds): Promise<KubeconformObjectResult[]> {
  const docs = objs.map((object, i) => ({ id: String(i), object }));
  const res = await runKubeconform(docs, {
    bin: kubeconform,
    repoRoot,
    kubernetesVersion: K8S,
    extraCrdSchemas: target ? [...target.byKey.values()] : [],
  });
  return docs.map((d) => res.get(d.id)!);
}

describe('vendored schemas', () => {
  it('are exactly what SOURCES.json records', async () => {
    expect(await verifySchemas(repoRoot)).toEqual([]);
  });

  it('use kubeconform file names and leave out APIs removed before 1.35', () => {
    expect(coreSchemaFileName('apps/v1', 'Deployment')).toBe('deployment-apps-v1.json');
    expect(coreSchemaFileName('v1', 'Service')).toBe('service-v1.json');
    expect(coreSchemaFileName('autoscaling/v2', 'HorizontalPodAutoscaler')).toBe('horizontalpodautoscaler-autoscaling-v2.json');
    expect(coreSchemaFileName('networking.k8s.io/v1', 'NetworkPolicy')).toBe('networkpolicy-networking-v1.json');
    expect(coreSchemaFileName('policy/v1', 'PodDisruptionBudget')).toBe('poddisruptionbudget-policy-v1.json');
    const dir = path.join(repoRoot, 'schemas/kubernetes/v1.35.0-standalone-strict');
    for (const f of ['deployment-apps-v1.json', 'service-v1.json', 'horizontalpodautoscaler-autoscaling-v2.json', 'networkpolicy-networking-v1.json', 'poddisruptionbudget-policy-v1.json']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(existsSync(path.join(dir, 'poddisruptionbudget-policy-v1beta1.json'))).toBe(false);
    expect(store.hasCoreKind('policy/v1', 'PodDisruptionBudget')).toBe(true);
    expect(store.hasCoreKind('policy/v1beta1', 'PodDisruptionBudget')).toBe(false);
    expect(store.hasCoreKind('autoscaling/v2beta2', 'HorizontalPodAutoscaler')).toBe(false);
  });
});

function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const abs = path.join(dir, name);
      return statSync(abs).isDirectory() ? listFiles(abs, base) : [path.relative(base, abs)];
    });
}

describe('schemas sync', () => {
  it('regenerates exactly the committed schemas, twice in a row', { timeout: 600_000 }, async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'gitops-schemas-sync-'));
    try {
      const kubernetesVersion = loadConfig(repoRoot).kubernetesVersion;
      const cacheDir = path.join(repoRoot, '.cache/gitops/schemas');
      const first = await syncSchemas({ cwd: out, kubernetesVersion, cacheDir, templatesRoot: repoRoot });
      const generated = listFiles(path.join(out, 'schemas'));
      expect(generated.length).toBe(first.files);
      const committed = ['SOURCES.json', ...['kubernetes', 'crds', 'compose'].flatMap((d) =>
        listFiles(path.join(repoRoot, 'schemas', d)).map((f) => `${d}/${f}`),
      )].sort();
      expect(generated).toEqual(committed);
      const differing = generated.filter(
        (f) => !readFileSync(path.join(out, 'schemas', f)).equals(readFileSync(path.join(repoRoot, 'schemas', f))),
      );
      expect(differing).toEqual([]);
      const second = await syncSchemas({ cwd: out, kubernetesVersion, cacheDir, templatesRoot: repoRoot });
      expect(second.sources).toEqual(first.sources);
      expect(await verifySchemas(out)).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('strips whole-line Helm template actions from chart copies of CRDs', () => {
    const text = ['{{- if .Values.crds.enabled }}', 'apiVersion: apiextensions.k8s.io/v1', '  {{- include "x" . | nindent 4 }}', 'kind: CustomResourceDefinition', '{{- end }}'].join('\n');
    expect(stripTemplateLines(text)).toBe('apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition');
  });
});

describe('kubeconform binary', () => {
  it('is the pinned version', async () => {
    expect(await kubeconformVersion(kubeconform)).toBe('v0.7.0');
  });

  it('reports a missing binary as KubeconformError', async () => {
    await expect(kubeconformVersion('/nonexistent/kubeconform')).rejects.toBeInstanceOf(KubeconformError);
    await expect(
      runKubeconform([{ id: 'a', object: service }], { bin: '/nonexistent/kubeconform', repoRoot, kubernetesVersion: K8S }),
    ).rejects.toBeInstanceOf(KubeconformError);
  });
});

describe('core kinds', () => {
  it('a valid Deployment and Service pass both engines', async () => {
    expect(store.validate(deployment()).status).toBe('valid');
    expect(store.validate(service).status).toBe('valid');
    const [d, s] = await kc([deployment(), service]);
    expect(d).toEqual({ id: '0', status: 'valid', errors: [] });
    expect(s).toEqual({ id: '1', status: 'valid', errors: [] });
  });

  it('an unknown field is named with a suggestion', async () => {
    const obj = deployment((d) => {
      d.spec.replica = d.spec.replicas;
      delete d.spec.replicas;
    });
    expect(ajvErrors(obj)).toEqual([
      { instancePath: 'spec.replica', message: "unknown field 'replica' (did you mean 'replicas'?)", keyword: 'additionalProperties' },
    ]);
    const [r] = await kc([obj]);
    expect(r!.status).toBe('invalid');
    expect(r!.errors).toEqual([{ instancePath: 'spec.replica', message: "unknown field 'replica'", keyword: 'additionalProperties' }]);
  });

  it('a wrong type names the path, the wanted type and the value found', async () => {
    const obj = deployment((d) => {
      d.spec.template.spec.containers[0].ports[0].containerPort = '8080';
    });
    const expected = {
      instancePath: 'spec.template.spec.containers[0].ports[0].containerPort',
      message: 'must be integer, found string "8080"',
      keyword: 'type',
    };
    expect(ajvErrors(obj)).toEqual([expected]);
    const [r] = await kc([obj]);
    expect(r!.status).toBe('invalid');
    expect(r!.errors).toEqual([expected]);
  });

  it('int-or-string fields collapse to one message instead of a oneOf cascade', () => {
    const obj = deployment((d) => {
      d.spec.strategy.rollingUpdate.maxUnavailable = true;
    });
    expect(ajvErrors(obj)).toEqual([
      { instancePath: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'must be string or integer, found boolean true', keyword: 'oneOf' },
    ]);
  });

  it('null in an int-or-string field is named as such, not as a oneOf puzzle', async () => {
    const obj = deployment((d) => {
      d.spec.strategy.rollingUpdate.maxSurge = null;
    });
    expect(ajvErrors(obj)).toEqual([
      { instancePath: 'spec.strategy.rollingUpdate.maxSurge', message: 'must not be null (leave the field out instead)', keyword: 'oneOf' },
    ]);
    const [r] = await kc([obj]);
    expect(r!.status).toBe('invalid');
  });

  it('label keys with dots and slashes are quoted in the path', () => {
    const obj = deployment((d) => {
      d.metadata.labels['app.kubernetes.io/name'] = 3;
    });
    expect(ajvErrors(obj)).toEqual([
      { instancePath: 'metadata.labels["app.kubernetes.io/name"]', message: 'must be string or null, found integer 3', keyword: 'type' },
    ]);
  });

  it('policy/v1beta1 PodDisruptionBudget is unknown in 1.35 for both engines', async () => {
    const pdb = { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'backend' }, spec: { minAvailable: 1 } };
    const out = store.validate(pdb);
    expect(out.status).toBe('unknown-kind');
    expect(out.errors).toEqual([
      {
        instancePath: '',
        message: 'PodDisruptionBudget policy/v1beta1 is not served by Kubernetes 1.35.0; known versions: policy/v1',
        keyword: 'unknown-kind',
      },
    ]);
    const [r] = await kc([pdb]);
    expect(r).toEqual({
      id: '0',
      status: 'missing-schema',
      errors: [{ instancePath: '', message: 'no schema for policy/v1beta1 PodDisruptionBudget', keyword: 'unknown-kind' }],
    });
  });

  it('a kind nobody defines is unknown for both engines', async () => {
    const obj = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } };
    const out = store.validate(obj);
    expect(out.status).toBe('unknown-kind');
    expect(out.errors[0]!.message).toBe(
      'no schema for Gadget example.com/v1: not a vendored CRD (schemas/crds) and no CustomResourceDefinition for it in this target',
    );
    const [r] = await kc([obj]);
    expect(r!.status).toBe('missing-schema');
  });

  it('an object without apiVersion or kind is reported, not skipped', () => {
    expect(store.validate({ metadata: { name: 'x' } })).toEqual({
      status: 'no-type',
      errors: [{ instancePath: '', message: 'object has no apiVersion or kind', keyword: 'required' }],
      resolution: null,
    });
  });
});

describe('vendored CRDs', () => {
  it('resolve from the CRD index', () => {
    const r = store.resolve('networking.istio.io/v1', 'VirtualService');
    expect(r).toMatchObject({ status: 'found', source: 'crd', scope: 'Namespaced' });
    expect(r.status === 'found' && path.relative(repoRoot, r.file!)).toBe('schemas/crds/networking.istio.io/virtualservice_v1.json');
  });

  it('Istio VirtualService: valid passes, wrong port type and unknown field fail', async () => {
    const bad = virtualService((v) => {
      v.spec.http[0].route[0].destination.port.number = '8080';
      v.spec.http[0].retry = v.spec.http[0].retries;
      delete v.spec.http[0].retries;
    });
    expect(ajvErrors(virtualService())).toEqual([]);
    expect(ajvErrors(bad)).toEqual([
      { instancePath: 'spec.http[0].retry', message: "unknown field 'retry' (did you mean 'retries'?)", keyword: 'additionalProperties' },
      { instancePath: 'spec.http[0].route[0].destination.port.number', message: 'must be integer, found string "8080"', keyword: 'type' },
    ]);
    const [ok, ko] = await kc([virtualService(), bad]);
    expect(ok!.status).toBe('valid');
    expect(ko!.status).toBe('invalid');
    expect(ko!.errors.map((e) => e.instancePath).sort()).toEqual([
      'spec.http[0].retry',
      'spec.http[0].route[0].destination.port.number',
    ]);
  });

  it('ServiceMonitor: valid passes, a misspelt endpoint field fails', async () => {
    const bad = serviceMonitor((v) => {
      v.spec.endpoints[0].intervall = '30s';
      delete v.spec.endpoints[0].interval;
    });
    expect(ajvErrors(serviceMonitor())).toEqual([]);
    expect(ajvErrors(bad)).toEqual([
      { instancePath: 'spec.endpoints[0].intervall', message: "unknown field 'intervall' (did you mean 'interval'?)", keyword: 'additionalProperties' },
    ]);
    const [ok, ko] = await kc([serviceMonitor(), bad]);
    expect(ok!.status).toBe('valid');
    expect(ko!.errors).toEqual([{ instancePath: 'spec.endpoints[0].intervall', message: "unknown field 'intervall'", keyword: 'additionalProperties' }]);
  });

  it('Argo CD Application: valid passes, a missing destination and a string boolean fail', async () => {
    const bad = application((v) => {
      delete v.spec.destination;
      v.spec.syncPolicy.automated.prune = 'yes';
    });
    expect(ajvErrors(application())).toEqual([]);
    expect(ajvErrors(bad)).toEqual([
      { instancePath: 'spec', message: "missing required field 'destination'", keyword: 'required' },
      { instancePath: 'spec.syncPolicy.automated.prune', message: 'must be boolean, found string "yes"', keyword: 'type' },
    ]);
    const [ok, ko] = await kc([application(), bad]);
    expect(ok!.status).toBe('valid');
    expect(ko!.errors).toEqual(
      expect.arrayContaining([
        { instancePath: 'spec', message: "missing required field 'destination'", keyword: 'required' },
        { instancePath: 'spec.syncPolicy.automated.prune', message: 'must be boolean, found string "yes"', keyword: 'type' },
      ]),
    );
    expect(ko!.errors).toHaveLength(2);
  });

  it('an enum value is reported the same way by both engines', async () => {
    const pa = (mode: string): Obj => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'funlynk' },
      spec: { mtls: { mode } },
    });
    const expected = [
      {
        instancePath: 'spec.mtls.mode',
        message: 'must be one of "UNSET", "DISABLE", "PERMISSIVE", "STRICT", found string "STRIC"',
        keyword: 'enum',
      },
    ];
    expect(ajvErrors(pa('STRICT'))).toEqual([]);
    expect(ajvErrors(pa('STRIC'))).toEqual(expected);
    const [ok, ko] = await kc([pa('STRICT'), pa('STRIC')]);
    expect(ok!.status).toBe('valid');
    expect(ko!.errors).toEqual(expected);
  });

  it('metadata of a custom resource is closed too', () => {
    const obj = application((v) => {
      v.metadata.lables = { a: 'b' };
    });
    expect(ajvErrors(obj)).toEqual([
      { instancePath: 'metadata.lables', message: "unknown field 'lables' (did you mean 'labels'?)", keyword: 'additionalProperties' },
    ]);
  });
});

describe('a CRD defined in the same target', () => {
  it('is converted on the fly and its kinds validate in both engines', async () => {
    expect(widgetTarget.errors).toEqual([]);
    expect([...widgetTarget.byKey.keys()]).toEqual(['example.funlynk.io/v1/Widget']);
    const good = widget({ size: 2, port: 'http', note: null, extra: { anything: { goes: [1] } } });
    const bad = widget({ size: '2', port: 80, colour: 'red' });
    expect(store.validate(good, widgetTarget)).toMatchObject({ status: 'valid', resolution: { source: 'target-crd' } });
    expect(ajvErrors(bad, widgetTarget)).toEqual([
      { instancePath: 'spec.colour', message: "unknown field 'colour'", keyword: 'additionalProperties' },
      { instancePath: 'spec.size', message: 'must be integer, found string "2"', keyword: 'type' },
    ]);
    // Without the target's CRDs the kind is unknown.
    expect(store.validate(good).status).toBe('unknown-kind');
    const [ok, ko] = await kc([good, bad], widgetTarget);
    expect(ok!.status).toBe('valid');
    expect(ko!.errors).toEqual([
      { instancePath: 'spec.colour', message: "unknown field 'colour'", keyword: 'additionalProperties' },
      { instancePath: 'spec.size', message: 'must be integer, found string "2"', keyword: 'type' },
    ]);
  });

  it('a malformed CRD is reported, not thrown', () => {
    const broken = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'broken.example.io' }, spec: {} };
    expect(store.targetCrds([broken]).errors).toEqual([
      {
        name: 'broken.example.io',
        message: 'CustomResourceDefinition broken.example.io: spec.group, spec.names.kind and spec.versions are required',
      },
    ]);
  });
});

describe('CRD converter', () => {
  it('turns x-kubernetes-int-or-string into integer|string', () => {
    expect(openApiV3ToJsonSchema({ 'x-kubernetes-int-or-string': true })).toEqual({ type: ['integer', 'string'] });
    expect(openApiV3ToJsonSchema({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] })).toEqual({
      type: ['integer', 'string'],
      anyOf: [{ type: 'integer' }, { type: 'string' }],
    });
  });

  it('keeps preserve-unknown-fields nodes open and closes the others', () => {
    expect(
      openApiV3ToJsonSchema({
        type: 'object',
        properties: {
          open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
          closed: { type: 'object', properties: { b: { type: 'string', nullable: true } } },
          map: { type: 'object', additionalProperties: { type: 'string' } },
          anything: { 'x-kubernetes-preserve-unknown-fields': true },
        },
        oneOf: [{ required: ['open'] }, { properties: { closed: { type: 'object' } }, required: ['closed'] }],
      }),
    ).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        open: { type: 'object', properties: { a: { type: 'string' } } },
        closed: { type: 'object', additionalProperties: false, properties: { b: { type: ['string', 'null'] } } },
        map: { type: 'object', additionalProperties: { type: 'string' } },
        anything: {},
      },
      // Branches of oneOf only add constraints: never closed.
      oneOf: [{ required: ['open'] }, { properties: { closed: { type: 'object' } }, required: ['closed'] }],
    });
  });

  it('translates boolean exclusiveMinimum and skips unserved versions', () => {
    expect(openApiV3ToJsonSchema({ type: 'integer', minimum: 0, exclusiveMinimum: true })).toEqual({ type: 'integer', exclusiveMinimum: 0 });
    const out = crdToSchemas(widgetCrd);
    expect(out.map((s) => `${s.apiVersion} ${s.kind} ${s.scope}`)).toEqual(['example.funlynk.io/v1 Widget Namespaced']);
    const props = out[0]!.schema.properties as Record<string, any>;
    expect(props.apiVersion).toEqual({ type: 'string', enum: ['example.funlynk.io/v1'] });
    expect(props.kind).toEqual({ type: 'string', enum: ['Widget'] });
    expect(props.spec.properties.port).toEqual({ type: ['integer', 'string'], anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(props.spec.properties.extra).toEqual({ type: 'object' });
    expect(out[0]!.schema.required).toEqual(['apiVersion', 'kind']);
  });

  it('int-or-string and preserve-unknown-fields behave as the API server treats them', () => {
    const schema = crdToSchemas(widgetCrd)[0]!.schema;
    expect(validateObject(schema, widget({ size: 1, port: 8080 }))).toEqual([]);
    expect(validateObject(schema, widget({ size: 1, port: 'metrics' }))).toEqual([]);
    expect(validateObject(schema, widget({ size: 1, port: 1.5 }))).toEqual([
      { instancePath: 'spec.port', message: 'must be integer or string, found number 1.5', keyword: 'type' },
    ]);
    expect(validateObject(schema, widget({ size: 1, extra: { free: 'form', nested: { deep: true } } }))).toEqual([]);
    expect(validateObject(schema, widget({ size: 0 }))).toEqual([
      { instancePath: 'spec.size', message: 'must be >= 1, found integer 0', keyword: 'minimum' },
    ]);
  });
});

/** Counts of the deterministic mutations below (pinned schemas, fixed fixtures). */
const MUTANTS = 102;
const INVALID_MUTANTS = 77;

describe('engine agreement', () => {
  it('ajv and kubeconform flag exactly the same objects', async () => {
    const objects: Array<[string, Obj, boolean]> = [
      ['deployment', deployment(), true],
      ['service', service, true],
      ['virtualservice', virtualService(), true],
      ['servicemonitor', serviceMonitor(), true],
      ['application', application(), true],
      ['widget', widget({ size: 3, port: 'http' }), true],
      ['crd', widgetCrd, true],
      ['hpa', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'backend' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' }, minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] } }, true],
      ['deployment-unknown-field', deployment((d) => { d.spec.template.spec.containers[0].imagePullPolice = 'Always'; }), false],
      ['deployment-wrong-type', deployment((d) => { d.spec.replicas = '3'; }), false],
      ['service-bad-enum-type', { ...service, spec: { ...(service.spec as Obj), ports: [{ port: 'eighty' }] } }, false],
      ['pdb-v1beta1', { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'x' }, spec: { minAvailable: 1 } }, false],
      ['unknown-kind', { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } }, false],
      ['virtualservice-bad', virtualService((v) => { v.spec.hosts = 'backend'; }), false],
      ['servicemonitor-bad', serviceMonitor((v) => { v.spec.selector = []; }), false],
      ['servicemonitor-bad-interval', serviceMonitor((v) => { v.spec.endpoints[0].interval = '30 seconds'; }), false],
      ['application-bad', application((v) => { v.spec.sourcee = v.spec.source; }), false],
      ['widget-bad', widget({ size: 1, port: { number: 1 } }), false],
    ];
    const target = store.targetCrds(objects.map(([, o]) => o));
    const ajvInvalid = objects.filter(([, o]) => store.validate(o, target).status !== 'valid').map(([n]) => n);
    const results = await kc(objects.map(([, o]) => o), target);
    const kcInvalid = objects.filter((_, i) => results[i]!.status !== 'valid').map(([n]) => n);
    const expected = objects.filter(([, , valid]) => !valid).map(([n]) => n);
    expect(ajvInvalid).toEqual(expected);
    expect(kcInvalid).toEqual(expected);
  });

  it('agree on every mutation of the valid fixtures (unknown field, wrong type, removed field)', async () => {
    // Deterministic mutations: for every node of every valid fixture, one of four edits.
    const fixtures: Obj[] = [deployment(), service, virtualService(), serviceMonitor(), application(), widget({ size: 3, port: 'http', extra: { a: 1 } })];
    const mutants: Obj[] = [];
    fixtures.forEach((fixture, f) => {
      const paths: string[][] = [];
      const walk = (node: unknown, p: string[]): void => {
        if (p.length > 0 && p[0] !== 'apiVersion' && p[0] !== 'kind') paths.push(p);
        if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...p, k]);
      };
      walk(fixture, []);
      paths.forEach((p, i) => {
        const copy = structuredClone(fixture) as any;
        const parent = p.slice(0, -1).reduce((o: any, k) => o[k], copy);
        const key = p[p.length - 1]!;
        const value = parent[key];
        switch ((i + f) % 4) {
          case 0:
            if (value !== null && typeof value === 'object' && !Array.isArray(value)) value.unexpectedField = 1;
            else parent[key] = { unexpected: true };
            break;
          case 1:
            parent[key] = typeof value === 'string' ? 7 : String(value);
            break;
          case 2:
            if (Array.isArray(parent)) parent.splice(Number(key), 1);
            else delete parent[key];
            break;
          default:
            parent[key] = Array.isArray(value) ? {} : [value];
        }
        mutants.push(copy);
      });
    });
    const target = store.targetCrds([widgetCrd]);
    const ajvInvalid = mutants.map((m, i) => (store.validate(m, target).status === 'valid' ? -1 : i)).filter((i) => i >= 0);
    const results = await kc(mutants, target);
    const kcInvalid = results.map((r, i) => (r.status === 'valid' ? -1 : i)).filter((i) => i >= 0);
    expect(mutants.length).toBe(MUTANTS);
    expect(ajvInvalid.length).toBe(INVALID_MUTANTS);
    expect(kcInvalid).toEqual(ajvInvalid);
  });
});
