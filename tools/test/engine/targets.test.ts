/** Which targets a change touches (the pre-commit path), on a fixture repository with real kustomizations. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverTargets, targetsForChanges } from '../../src/discover/targets.js';
import { makeRepo, type FixtureRepo } from '../helpers.js';

let repo: FixtureRepo;
const names = (changed: string[]) =>
  targetsForChanges(repo.root, discoverTargets(repo.root), changed.map((f) => path.join(repo.root, f))).map((t) => t.name);

beforeAll(() => {
  repo = makeRepo({
    'base/app/kustomization.yaml': 'resources: [configmap.yaml]\n',
    'base/app/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
    'base/app/Dockerfile': 'FROM docker.io/library/node:22.12.0-alpine3.21\n',
    'base/components/extra/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cm.yaml]\n',
    'base/components/extra/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
    'overlays/dev/kustomization.yaml': 'resources: [../../base/app]\ncomponents: [../../base/components/extra]\n',
    'overlays/prod/kustomization.yaml': 'resources: [../../base/app]\n',
    'overlays/local/compose.yaml': 'services: {}\n',
  });
});
afterAll(() => repo.cleanup());

describe('targets', () => {
  it('discovers overlays, Dockerfiles and compose files, not bases or components', () => {
    expect(discoverTargets(repo.root).map((t) => [t.name, t.kind, t.env])).toEqual([
      ['base/app/Dockerfile', 'file', null],
      ['overlays/dev', 'kustomization', 'dev'],
      ['overlays/local/compose.yaml', 'file', 'local'],
      ['overlays/prod', 'kustomization', 'prod'],
    ]);
  });

  it('maps a changed base file to every overlay that includes it', () => {
    expect(names(['base/app/configmap.yaml'])).toEqual(['overlays/dev', 'overlays/prod']);
  });

  it('maps a changed component file to the overlays that use the component only', () => {
    expect(names(['base/components/extra/cm.yaml'])).toEqual(['overlays/dev']);
  });

  it('rechecks compose files when a Dockerfile they may build changes', () => {
    expect(names(['base/app/Dockerfile'])).toEqual(['base/app/Dockerfile', 'overlays/local/compose.yaml']);
  });

  it('checks everything when the gate settings or policies change, nothing for unrelated files', () => {
    expect(names(['gitops.yaml'])).toHaveLength(4);
    expect(names(['policies/main.rego'])).toHaveLength(4);
    expect(names(['README.md'])).toEqual([]);
  });
});
