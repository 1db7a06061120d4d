/**
 * Rules register themselves: a throwaway rule in a namespace the gate has never seen, added to a
 * temporary copy of the repository's policies and nothing else, is built, tested, documented and
 * evaluated by validate. And what METADATA declares is enforced at build and test time.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitops, makeRepo, REPO, type FixtureRepo } from './helpers.js';

const RULE_DIR = 'policies/scratch/team-label';

const POLICY = `# METADATA
# title: Namespaces name their team
# description: Every Namespace carries a team label.
# scope: package
# custom:
#   id: scratch/team-label
#   input: kubernetes
#   severity: warning
#   kinds: [Namespace]
#   rationale: Whoever is paged for a namespace must be found from the namespace itself.
#   baseline: Platform convention (throwaway rule of the registration test)
package rules.scratch.team_label

import rego.v1

violation contains {"msg": msg, "field": "metadata.labels.team"} if {
	input.kind == "kubernetes"
	input.resource.kind == "Namespace"
	not input.resource.metadata.labels.team
	msg := sprintf("Namespace/%s: has no team label; add metadata.labels.team", [input.resource.metadata.name])
}
`;

const POLICY_TEST = `package rules.scratch.team_label_test

import rego.v1

import data.rules.scratch.team_label

ns(labels) := {"kind": "kubernetes", "resource": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": labels}}}

test_labelled_allowed if {
	count(team_label.violation) == 0 with input as ns({"team": "core"})
}

test_unlabelled_denied if {
	count(team_label.violation) == 1 with input as ns({})
}
`;

const namespace = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: ${labels}\n`;

let repo: FixtureRepo;

beforeAll(() => {
  repo = makeRepo({}, { copyPolicies: true, tools: ['opa', 'kustomize'] });
  // The rest of the repository, which the policies' fixtures refer to (Argo CD source paths).
  for (const dir of ['apps', 'overlays']) symlinkSync(path.join(REPO, dir), path.join(repo.root, dir));
  // Copied, not linked: 'policy build' writes the Gatekeeper policies into them.
  for (const dir of ['base', 'clusters']) cpSync(path.join(REPO, dir), path.join(repo.root, dir), { recursive: true });
  repo.write(`${RULE_DIR}/policy.rego`, POLICY);
  repo.write(`${RULE_DIR}/policy_test.rego`, POLICY_TEST);
  repo.write(`${RULE_DIR}/fixtures/allowed/labelled.yaml`, namespace('{team: core, pod-security.kubernetes.io/enforce: restricted}'));
  repo.write(`${RULE_DIR}/fixtures/denied/unlabelled.yaml`, namespace('{pod-security.kubernetes.io/enforce: restricted}'));
  repo.write('manifests/namespace.yaml', namespace('{pod-security.kubernetes.io/enforce: restricted}'));
});

afterAll(() => repo.cleanup());

describe('a rule in a new namespace, with no edit outside its folder', () => {
  it('is built into the bundle, passes policy test, is documented and is evaluated by validate', async () => {
    const build = await gitops(repo.root, ['policy', 'build']);
    expect(build.exitCode, build.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(repo.root, 'policies/build/manifest.json'), 'utf8')) as { rules: Array<{ id: string; input: string }> };
    expect(manifest.rules.find((r) => r.id === 'scratch/team-label')).toMatchObject({ input: 'kubernetes' });

    const test = await gitops(repo.root, ['policy', 'test']);
    expect(test.stdout).not.toMatch(/^FAIL/m);
    expect(test.stdout).toMatch(/^ok {3}wasm fixtures: (\d+)\/\1 as expected/m);
    expect(test.exitCode).toBe(0);

    mkdirSync(path.join(repo.root, 'docs'), { recursive: true });
    const docs = await gitops(repo.root, ['docs']);
    expect(docs.exitCode, docs.stderr).toBe(0);
    const doc = readFileSync(path.join(repo.root, 'docs/POLICIES.md'), 'utf8');
    expect(doc).toContain('## scratch');
    expect(doc).toContain('### scratch/team-label');

    const run = await gitops(repo.root, ['validate', 'manifests/namespace.yaml', '--format', 'json', '--quiet']);
    const hits = run.json().findings.filter((f) => f.ruleId === 'scratch/team-label');
    expect(hits).toEqual([expect.objectContaining({
      severity: 'warning',
      message: 'Namespace/shop: has no team label; add metadata.labels.team',
      location: { file: 'manifests/namespace.yaml', line: 5, column: 3 }, // the labels it should be in
    })]);
  });

  it('fails policy test when the rule has no tests of its own', async () => {
    const testFile = path.join(repo.root, RULE_DIR, 'policy_test.rego');
    rmSync(testFile);
    try {
      const test = await gitops(repo.root, ['policy', 'test']);
      expect(test.stdout).toMatch(/^FAIL scratch\/team-label: needs its own tests: policies\/scratch\/team-label\/policy_test\.rego/m);
      expect(test.exitCode).toBe(1);
    } finally {
      writeFileSync(testFile, POLICY_TEST);
    }
  });

  it('fails the build when METADATA declares no input kind, or another than the rule reads', async () => {
    const file = path.join(repo.root, RULE_DIR, 'policy.rego');
    try {
      writeFileSync(file, POLICY.replace('#   input: kubernetes\n', ''));
      const missing = await gitops(repo.root, ['policy', 'build']);
      expect(missing.stderr).toContain("policies/scratch/team-label/policy.rego: METADATA custom.input must name the input kind the rule reads (kubernetes, dockerfile, compose, repository), found ''");
      expect(missing.exitCode).toBe(2);
      writeFileSync(file, POLICY.replace('input: kubernetes', 'input: compose'));
      const wrong = await gitops(repo.root, ['policy', 'build']);
      expect(wrong.stderr).toContain('policies/scratch/team-label/policy.rego: tests input.kind == "kubernetes" but its METADATA declares input: compose');
      expect(wrong.exitCode).toBe(2);
    } finally {
      writeFileSync(file, POLICY);
    }
  });
});
