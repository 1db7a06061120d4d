/**
 * Rule scopes (tools/src/policy/scope.ts): the compiler's dependencies (opa deps) decide whether a
 * rule's findings depend on the object alone or on the target, and the bundle gets an entrypoint
 * per scope. Checked on the pure classification, on a throwaway policy tree built by the real opa
 * (what each kind of reference makes a rule), and on the committed bundle.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, copyPolicySources, extractFromTarGz, readBundle, wasmCapabilities, type BundleManifest } from '../src/policy/bundle.js';
import { PolicyEngine } from '../src/policy/evaluate.js';
import { ruleScopes, scopeEntrypointsRego, scopeFromDeps, violationRef } from '../src/policy/scope.js';
import { ToolError } from '../src/util/errors.js';
import { runTool } from '../src/util/process.js';
import { makeRepo, REPO, type FixtureRepo } from './helpers.js';

const OPA = path.join(REPO, '.tools/bin/opa');

/** A reference term list as opa deps prints it: a head variable, then strings (or `{var}` for a variable). */
const ref = (...parts: Array<string | { var: string }>): Array<{ type: string; value: string }> =>
  parts.map((p, i) => (typeof p === 'string' ? { type: i === 0 ? 'var' : 'string', value: p } : { type: 'var', value: p.var }));
const QUERY = violationRef('k8s.probe');
const deps = (base: unknown[], virtual: unknown[] = [ref(...QUERY)]): string => JSON.stringify({ base, virtual });

describe('scopeFromDeps', () => {
  it('is object scope when every base document is the input, the settings, the memo tables or the target name and env', () => {
    expect(scopeFromDeps(deps([
      ref('input', 'kind'), ref('input', 'resource', { var: 'x' }), ref('input', 'dockerfiles'), ref('data', 'config', 'trustedRegistries'), ref('data', 'config'),
      ref('data', 'units', 'cpu'), ref('data', 'promql'), ref('data', 'target', 'name'), ref('data', 'target', 'env'),
    ]), QUERY)).toEqual({ scope: 'object', targetReads: [] });
    // A rule with no base document at all (opa deps then prints no `base`).
    expect(scopeFromDeps(JSON.stringify({ virtual: [ref(...QUERY)] }), QUERY)).toEqual({ scope: 'object', targetReads: [] });
  });

  it('is target scope for any other document, naming what it reads', () => {
    expect(scopeFromDeps(deps([ref('input', 'kind'), ref('data', 'target', 'resources'), ref('data', 'index', 'namespace_at'), ref('data', 'index', 'namespace_at')]), QUERY))
      .toEqual({ scope: 'target', targetReads: ['data.index.namespace_at', 'data.target.resources'] });
    expect(scopeFromDeps(deps([ref('data', 'environment', 'resources')]), QUERY).scope).toBe('target');
    expect(scopeFromDeps(deps([ref('data', 'repository', 'applications')]), QUERY).scope).toBe('target');
    // A shorter or a dynamic prefix of an allowed document covers more than it.
    expect(scopeFromDeps(deps([ref('data', 'target')]), QUERY)).toEqual({ scope: 'target', targetReads: ['data.target'] });
    expect(scopeFromDeps(deps([ref('data', 'target', { var: 'k' })]), QUERY)).toEqual({ scope: 'target', targetReads: ['data.target[_]'] });
    expect(scopeFromDeps(deps([ref('data')]), QUERY).scope).toBe('target');
    expect(scopeFromDeps(deps([ref('data', 'target', 'names')]), QUERY).scope).toBe('target');
    expect(scopeFromDeps(deps([ref('data', 'configuration')]), QUERY).scope).toBe('target');
    // The input's position in the target, the whole input, or a computed key of it (which may be the position).
    expect(scopeFromDeps(deps([ref('input', 'index')]), QUERY)).toEqual({ scope: 'target', targetReads: ['input.index'] });
    expect(scopeFromDeps(deps([ref('input')]), QUERY).scope).toBe('target');
    expect(scopeFromDeps(deps([ref('input', { var: 'k' })]), QUERY)).toEqual({ scope: 'target', targetReads: ['input[_]'] });
  });

  it('is target scope for output it does not understand', () => {
    for (const output of ['', 'not json', 'null', '[]', '{"base": {}}', '{"base": [1]}', '{"base": [[]]}', '{"virtual": "x"}']) {
      expect(scopeFromDeps(output, QUERY).scope, output).toBe('target');
    }
    // The rule itself missing from `virtual`: not a rule the compiler knows (opa then lists it as a base document).
    expect(scopeFromDeps(deps([ref(...QUERY)], []), QUERY)).toEqual({ scope: 'target', targetReads: ['(data.rules.k8s.probe.violation is not a rule opa deps knows)'] });
    expect(scopeFromDeps(deps([], [ref('data', 'rules', 'k8s', 'other', 'violation')]), QUERY).scope).toBe('target');
  });

  it('writes one entrypoint rule per named rule, and the empty set for a scope without rules', () => {
    const rego = scopeEntrypointsRego([{ policy: 'k8s.a', scope: 'object' }, { policy: 'x.b-c', scope: 'object' }]);
    expect(rego).toContain('object_findings contains object.union(v, {"policy": "k8s.a"}) if {\n\tsome v in data.rules.k8s.a.violation\n}');
    expect(rego).toContain('some v in data.rules.x["b-c"].violation');
    expect(rego).toContain('\ntarget_findings := set()\n');
  });
});

const header = (id: string, title: string): string => `# METADATA
# title: ${title}
# description: ${title} (throwaway rule of the scope test).
# scope: package
# custom:
#   id: scratch/${id}
#   input: kubernetes
#   severity: warning
#   kinds: [Deployment]
#   rationale: Exercises one kind of reference.
#   baseline: none
`;

/** name -> [title, body]: each rule fires on the Deployment below, each reads one kind of document. */
const RULES: Record<string, [string, string]> = {
  input_only: ['Reads only its input', `violation contains {"msg": "no team label", "field": "metadata.labels"} if {
	input.kind == "kubernetes"
	not input.resource.metadata.labels.team
}`],
  reads_resources: ['Reads the target resources directly', `violation contains {"msg": sprintf("one of %d objects", [count(data.target.resources)])} if {
	input.kind == "kubernetes"
	count(data.target.resources) > 0
}`],
  index_via_lib: ['Reaches data.index through a lib function', `import data.lib.probe

violation contains {"msg": "namespace not declared in the target"} if {
	input.kind == "kubernetes"
	not probe.declared(input.resource.metadata.namespace)
}`],
  reads_units: ['Reads data.units', `violation contains {"msg": "more than 100m CPU"} if {
	input.kind == "kubernetes"
	some c in input.resource.spec.template.spec.containers
	data.units.cpu[c.resources.requests.cpu] > 100
}`],
  reads_target_name: ['Reads the target name and env', `violation contains {"msg": sprintf("in %s (%s)", [data.target.name, data.target.env])} if {
	input.kind == "kubernetes"
	data.target.env == "prod"
}`],
  dynamic_target: ['Reads data.target through a variable key', `violation contains {"msg": "dynamic"} if {
	input.kind == "kubernetes"
	some key
	data.target[key]
	key == "name"
}`],
};

const LIB = `package lib.probe

import rego.v1

# declared(ns): the target declares Namespace ns (read from the target index).
declared(ns) if data.index.namespace_at[ns]
`;

const DEPLOYMENT = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' },
  spec: { template: { spec: { containers: [{ name: 'api', image: 'x:1', resources: { requests: { cpu: '250m' } } }] } } },
};

describe('a throwaway policy tree built by the real opa', () => {
  let repo: FixtureRepo;
  let manifest: BundleManifest;

  beforeAll(async () => {
    repo = makeRepo({}, { tools: ['opa'] });
    rmSync(path.join(repo.root, 'policies')); // the link to the repository's policies
    repo.write('policies/main.rego', readFileSync(path.join(REPO, 'policies/main.rego'), 'utf8'));
    repo.write('policies/lib/probe.rego', LIB);
    for (const [name, [title, body]] of Object.entries(RULES)) {
      const id = name.replace(/_/g, '-');
      repo.write(`policies/scratch/${id}/policy.rego`, `${header(id, title)}package rules.scratch.${name}\n\nimport rego.v1\n\n${body}\n`);
    }
    manifest = await buildBundle(repo.root);
  }, 120_000);

  afterAll(() => repo.cleanup());

  it('classifies each rule by what its closure reads', () => {
    const scopes = Object.fromEntries(manifest.rules.map((r) => [r.policy, { scope: r.scope, targetReads: r.targetReads }]));
    expect(scopes).toEqual({
      'scratch.input_only': { scope: 'object', targetReads: [] },
      'scratch.reads_resources': { scope: 'target', targetReads: ['data.target.resources'] },
      'scratch.index_via_lib': { scope: 'target', targetReads: ['data.index.namespace_at'] },
      'scratch.reads_units': { scope: 'object', targetReads: [] },
      'scratch.reads_target_name': { scope: 'object', targetReads: [] },
      'scratch.dynamic_target': { scope: 'target', targetReads: ['data.target'] },
    });
    expect(manifest.entrypoints).toEqual({ all: 'main/findings', object: 'gate/object_findings', target: 'gate/target_findings' });
    // Nothing generated lands in the repository: only the bundle.
    expect(readFileSync(path.join(repo.root, 'policies/build/manifest.json'), 'utf8')).toBe(`${JSON.stringify(manifest, null, 2)}\n`);
    expect(() => readFileSync(path.join(repo.root, 'policies/gate.gen.rego'))).toThrow();
  });

  it('evaluates each scope through its own entrypoint; together they are main/findings', async () => {
    const engine = await PolicyEngine.load(readBundle(repo.root), {});
    expect(engine.scopes).toEqual(['all', 'object', 'target']);
    expect(engine.hasScopes).toBe(true);
    engine.setTarget({ name: 'overlays/prod', env: 'prod', resources: [DEPLOYMENT] });
    const input = { kind: 'kubernetes', index: 0, resource: DEPLOYMENT };
    const ids = (scope: 'all' | 'object' | 'target') => engine.evaluate(input, scope).map((v) => v.ruleId).sort();
    expect(ids('object')).toEqual(['scratch/input-only', 'scratch/reads-target-name', 'scratch/reads-units']);
    expect(ids('target')).toEqual(['scratch/dynamic-target', 'scratch/index-via-lib', 'scratch/reads-resources']);
    expect(ids('all')).toEqual([...ids('object'), ...ids('target')].sort());
    expect(engine.evaluate(input)).toEqual(engine.evaluate(input, 'all'));
    const named = engine.evaluate(input, 'object').find((v) => v.ruleId === 'scratch/reads-target-name');
    expect(named).toMatchObject({ severity: 'warning', message: 'in overlays/prod (prod)', field: null });
  });

  it('refuses the scopes of a bundle built without them, with what to run', async () => {
    // The bundle as the gate built it before scopes: main/findings only, no scope in the manifest.
    const work = mkdtempSync(path.join(os.tmpdir(), 'gitops-scope-old-'));
    try {
      copyPolicySources(repo.root, path.join(work, 'src'));
      writeFileSync(path.join(work, 'caps.json'), JSON.stringify(await wasmCapabilities(OPA)));
      const build = await runTool(OPA, ['build', '-t', 'wasm', '-e', 'main/findings', '--capabilities', path.join(work, 'caps.json'), '-o', path.join(work, 'b.tar.gz'), '.'], { cwd: path.join(work, 'src') });
      expect(build.exitCode, build.stdout).toBe(0);
      const wasm = extractFromTarGz(readFileSync(path.join(work, 'b.tar.gz')), '/policy.wasm')!;
      const { entrypoints: _e, ...old } = manifest;
      const oldManifest = { ...old, rules: manifest.rules.map(({ scope: _s, targetReads: _t, ...r }) => r) };
      const engine = await PolicyEngine.load({ manifest: oldManifest, wasm }, {});
      expect(engine.scopes).toEqual(['all']);
      expect(engine.hasScopes).toBe(false);
      engine.setTarget({ name: 'overlays/prod', env: 'prod', resources: [DEPLOYMENT] });
      const input = { kind: 'kubernetes', index: 0, resource: DEPLOYMENT };
      expect(engine.evaluate(input)).toHaveLength(6);
      expect(() => engine.evaluate(input, 'object')).toThrow(ToolError);
      expect(() => engine.evaluate(input, 'target')).toThrow("the policy bundle has no 'target' scope entrypoint (built by an older gitops): run 'npx gitops policy build'");
      // A manifest that names the entrypoints over a wasm without them is no better.
      const mismatched = await PolicyEngine.load({ manifest, wasm }, {});
      expect(mismatched.scopes).toEqual(['all']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('fails the build on a package named like the generated one', async () => {
    const file = repo.write('policies/gate.rego', 'package gate\n\nimport rego.v1\n\nx := 1\n');
    try {
      await expect(buildBundle(repo.root)).rejects.toThrow('policy build: policies/gate.rego: package gate is reserved for the entrypoints the build generates; rename it');
    } finally {
      rmSync(file);
    }
  });

  it('keeps opa deps output in .cache/opa-deps, keyed by the modules loaded: an edited rule is asked again', async () => {
    const cacheDir = path.join(repo.root, '.cache/opa-deps');
    const entries = () => readdirSync(cacheDir).filter((f) => f.endsWith('.json')).length;
    expect(entries()).toBe(Object.keys(RULES).length);
    const file = path.join(repo.root, 'policies/scratch/input-only/policy.rego');
    const original = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, original.replace('not input.resource.metadata.labels.team', 'not input.resource.metadata.labels.team\n\tcount(data.target.resources) > 1'));
      const edited = await buildBundle(repo.root);
      expect(edited.rules.find((r) => r.policy === 'scratch.input_only')).toMatchObject({ scope: 'target', targetReads: ['data.target.resources'] });
      expect(entries()).toBe(Object.keys(RULES).length + 1);
    } finally {
      writeFileSync(file, original);
    }
    const again = await buildBundle(repo.root);
    expect(again.rules.find((r) => r.policy === 'scratch.input_only')?.scope).toBe('object');
    expect(entries()).toBe(Object.keys(RULES).length + 1);
    expect(again.rules.map((r) => [r.policy, r.scope])).toEqual(manifest.rules.map((r) => [r.policy, r.scope]));
  }, 120_000);

  it('makes a failing opa deps call a ToolError, never an object scope', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-scope-broken-'));
    try {
      writeFileSync(path.join(dir, 'x.rego'), 'package rules.x.y\n\nviolation contains {"msg": 1} if {\n');
      await expect(ruleScopes(OPA, dir, { 'data.rules.x.y': ['x.rego'] }, ['x.y'])).rejects.toThrow(/^opa deps data\.rules\.x\.y\.violation failed \(the rule's scope cannot be derived\):\n.*x\.rego/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the committed bundle', () => {
  it('lists a scope for every rule, the one the compiler derives from the sources now', async () => {
    const { manifest } = readBundle(REPO);
    expect(manifest.entrypoints).toEqual({ all: 'main/findings', object: 'gate/object_findings', target: 'gate/target_findings' });
    expect(manifest.rules.length).toBeGreaterThan(100);
    for (const r of manifest.rules) {
      expect(['object', 'target'], r.id).toContain(r.scope);
      expect(r.targetReads!.length > 0, r.id).toBe(r.scope === 'target');
    }
    const work = mkdtempSync(path.join(os.tmpdir(), 'gitops-scope-committed-'));
    try {
      copyPolicySources(REPO, work);
      const inspect = await runTool(OPA, ['inspect', '--format', 'json', '.'], { cwd: work });
      const { namespaces } = JSON.parse(inspect.stdout) as { namespaces: Record<string, string[]> };
      const derived = await ruleScopes(OPA, work, namespaces, manifest.rules.map((r) => r.policy));
      expect(Object.fromEntries(manifest.rules.map((r) => [r.policy, { scope: r.scope, targetReads: r.targetReads }])))
        .toEqual(Object.fromEntries(derived));
      // Both scopes hold rules of the repository (the cache has something to keep, and something to redo).
      expect(manifest.rules.filter((r) => r.scope === 'object').length).toBeGreaterThan(10);
      expect(manifest.rules.filter((r) => r.scope === 'target').length).toBeGreaterThan(10);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
