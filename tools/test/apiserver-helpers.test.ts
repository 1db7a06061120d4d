/**
 * The API server stage's pure parts (apiserver/check.ts, apply.ts, stage.ts): how a Status becomes
 * findings at the field to edit, the order objects are sent in, the namespaces a cluster has
 * without declaring them, when a workload counts as ready, how targets group into clusters.
 * The real servers are exercised in apiserver.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { applyOrder, impliedNamespaces, reasonId, refineField, rejectionFindings, warningFindings, type ApiObject, type Locate } from '../src/apiserver/check.js';
import { readiness } from '../src/apiserver/apply.js';
import { clustersOf, type RenderedTarget } from '../src/apiserver/stage.js';
import type { Resource, Target } from '../src/pipeline/types.js';

const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', tier: 'bad value!' } },
  spec: { replicas: 2 },
};

const apiObject = (object: Record<string, unknown>): ApiObject => ({
  target: 'overlays/dev',
  resource: {
    object,
    ref: { apiVersion: String(object.apiVersion), kind: String(object.kind), name: 'web', namespace: 'shop' },
    origin: { file: '/repo/base/web/deployment.yaml', docIndex: 0 },
  } as unknown as Resource,
});

/** Locates every field on a line of its own, and says what it was asked. */
const asked: Array<string | null> = [];
const locate: Locate = (_obj, field) => {
  asked.push(field);
  return {
    location: { file: 'base/web/deployment.yaml', line: field === null ? 1 : 10 + field.length, column: 3 },
    related: field === null ? [] : [{ file: 'overlays/dev/kustomization.yaml', line: 1, column: 1, message: 'rendered by' }],
  };
};

describe('API server findings', () => {
  it('turns each cause of a rejection into a finding at the field it names', () => {
    asked.length = 0;
    const status = {
      kind: 'Status', reason: 'Invalid', message: 'Deployment.apps "web" is invalid: [...]',
      details: {
        causes: [
          { reason: 'FieldValueInvalid', field: 'metadata.labels', message: 'Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters' },
          { reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: "v1": field is immutable' },
          { reason: 'FieldValueTooLong', field: '.spec.template.metadata.name', message: 'must be no more than 63 characters' },
          { reason: 'FieldValueRequired', field: '<nil>', message: 'name or generateName is required' },
          { message: '' },
        ],
      },
    };
    const found = rejectionFindings(apiObject(deployment), { status: 422, body: status, warnings: [] }, locate, 'dry-run');
    expect(found.map((f) => [f.ruleId, f.field, f.message])).toEqual([
      ['apiserver/invalid', 'metadata.labels.tier', 'Deployment/web: metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters'],
      ['apiserver/immutable', 'spec.selector', 'Deployment/web: spec.selector: Invalid value: "v1": field is immutable'],
      ['apiserver/too-long', 'spec.template.metadata.name', 'Deployment/web: spec.template.metadata.name: must be no more than 63 characters'],
      ['apiserver/required', null, 'Deployment/web: name or generateName is required'],
    ]);
    // Each at the line of its field, with the related locations, on the object's target.
    expect(asked).toEqual(['metadata.labels.tier', 'spec.selector', 'spec.template.metadata.name', null]);
    expect(found[0]).toMatchObject({ severity: 'error', target: 'overlays/dev', resource: { kind: 'Deployment', name: 'web' }, location: { line: 30 } });
    expect(found[0]!.related).toHaveLength(1);
    expect(found[3]!.related).toBeUndefined();
  });

  it('reports a rejection without causes once, with its message and a rule id from its reason', () => {
    const forbidden = rejectionFindings(apiObject(deployment), {
      status: 403, warnings: [],
      body: { kind: 'Status', reason: 'Forbidden', message: 'deployments.apps "web" is invalid: exceeded quota: compute, requested: pods=3' },
    }, locate, 'apply');
    expect(forbidden.map((f) => [f.ruleId, f.message, f.field])).toEqual([['apiserver/forbidden', 'Deployment/web: apply rejected: exceeded quota: compute, requested: pods=3', null]]);
    // A body that is not a Status (a proxy's page): its text, and the HTTP status as the reason.
    const text = rejectionFindings(apiObject(deployment), { status: 502, body: '  Bad Gateway\n', warnings: [] }, locate, 'dry-run');
    expect(text.map((f) => [f.ruleId, f.message])).toEqual([['apiserver/rejected', 'Deployment/web: dry-run rejected: Bad Gateway']]);
  });

  it('makes each warning an info finding on the object', () => {
    const found = warningFindings(apiObject(deployment), { status: 200, body: {}, warnings: ['would violate PodSecurity "restricted:latest"'] }, locate);
    expect(found).toEqual([{
      ruleId: 'apiserver/warning', severity: 'info', message: 'Deployment/web: the API server warns: would violate PodSecurity "restricted:latest"',
      target: 'overlays/dev', resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
      location: { file: 'base/web/deployment.yaml', line: 1, column: 3 }, field: null,
    }]);
    expect(warningFindings(apiObject(deployment), { status: 200, body: {}, warnings: [] }, locate)).toEqual([]);
  });

  it('names the rule of a reason, and anything unknown apiserver/rejected', () => {
    expect(['FieldValueInvalid', 'FieldValueNotSupported', 'FieldValueTypeInvalid', 'Forbidden', 'AlreadyExists', undefined].map(reasonId))
      .toEqual(['invalid', 'not-supported', 'type-invalid', 'forbidden', 'rejected', 'rejected']);
  });

  it('points a label or annotation problem at the entry the message quotes', () => {
    const obj = { metadata: { labels: { app: 'web', tier: 'bad value!' }, annotations: { 'bad key/x': 'v' } } };
    expect(refineField(obj, 'metadata.labels', 'Invalid value: "bad value!": must be')).toBe('metadata.labels.tier');
    expect(refineField(obj, 'metadata.annotations', 'Invalid value: "bad key/x": a qualified name')).toBe('metadata.annotations.bad key/x');
    // Nothing quoted, no such entry, or not a map field: the field as the server gave it.
    expect(refineField(obj, 'metadata.labels', 'must be')).toBe('metadata.labels');
    expect(refineField(obj, 'metadata.labels', 'Invalid value: "other": x')).toBe('metadata.labels');
    expect(refineField(obj, 'spec.replicas', 'Invalid value: "web": x')).toBe('spec.replicas');
  });
});

describe('API server order and namespaces', () => {
  it('sends what others refer to first, and unknown kinds last', () => {
    const kinds = ['Deployment', 'Widget', 'Service', 'Namespace', 'ConfigMap', 'CustomResourceDefinition'];
    expect([...kinds].sort((a, b) => applyOrder(a) - applyOrder(b))).toEqual(['Namespace', 'CustomResourceDefinition', 'ConfigMap', 'Service', 'Deployment', 'Widget']);
  });

  it("knows the namespaces Argo CD has or creates, and no others", () => {
    const app = (ns: string, dest: string, options: string[]) => ({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', namespace: ns },
      spec: { destination: { namespace: dest }, syncPolicy: { syncOptions: options } },
    });
    expect(impliedNamespaces([
      app('argocd', 'shop', ['CreateNamespace=true']),
      app('argocd', 'billing', ['ServerSideApply=true']),
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p', namespace: 'argocd-projects' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'elsewhere' } },
      { apiVersion: 'example.com/v1', kind: 'Application', metadata: { name: 'x', namespace: 'not-argo' } },
    ])).toEqual(['argocd', 'argocd-projects', 'shop']);
  });
});

describe('workload readiness on the fake cluster', () => {
  it('a Deployment is ready when Available with every replica updated and available', () => {
    const live = (status: Record<string, unknown>) => ({ spec: { replicas: 2 }, status });
    expect(readiness('Deployment', live({ conditions: [{ type: 'Available', status: 'True' }], updatedReplicas: 2, availableReplicas: 2 }))).toEqual({ ready: true, why: '2/2 replicas available' });
    expect(readiness('Deployment', live({ conditions: [{ type: 'Available', status: 'True' }], updatedReplicas: 1, availableReplicas: 2 })).ready).toBe(false);
    expect(readiness('Deployment', live({
      conditions: [{ type: 'Available', status: 'False', message: 'Deployment does not have minimum availability.' }], availableReplicas: 1,
    }))).toEqual({ ready: false, why: 'Available: Deployment does not have minimum availability.' });
    expect(readiness('Deployment', null)).toEqual({ ready: false, why: 'it does not exist' });
  });

  it('a StatefulSet counts ready replicas (one when unset); a claim must be Bound', () => {
    expect(readiness('StatefulSet', { spec: {}, status: { readyReplicas: 1 } })).toEqual({ ready: true, why: '1/1 replicas ready' });
    expect(readiness('StatefulSet', { spec: { replicas: 3 }, status: { readyReplicas: 2 } })).toEqual({ ready: false, why: '2/3 replicas ready' });
    expect(readiness('PersistentVolumeClaim', { status: { phase: 'Bound' } })).toEqual({ ready: true, why: 'phase Bound' });
    expect(readiness('PersistentVolumeClaim', { status: {} })).toEqual({ ready: false, why: 'phase Pending' });
  });
});

describe('clusters of a run', () => {
  it('groups targets by environment in a stable order, and leaves out targets with nothing to send', () => {
    const t = (name: string, env: string | null, n: number): RenderedTarget => ({
      target: { name, env } as unknown as Target, kustomization: null,
      resources: Array.from({ length: n }, () => apiObject(deployment).resource),
    });
    const clusters = clustersOf([t('overlays/prod', 'prod', 2), t('clusters/dev', 'dev', 1), t('overlays/dev', 'dev', 3), t('manifests', null, 1), t('overlays/empty', 'qa', 0)]);
    expect(clusters.map((c) => [c.name, c.targets.map((x) => x.target.name)])).toEqual([
      ['dev', ['clusters/dev', 'overlays/dev']],
      ['manifests', ['manifests']],
      ['prod', ['overlays/prod']],
    ]);
  });
});
