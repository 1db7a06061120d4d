import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeTempDir, runTool, tempDir } from '../util/process.js';
import { findRepoRoot, loadConfig, policyConfig } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { buildBundle, readBundle } from '../policy/bundle.js';
import { PolicyEngine } from '../policy/evaluate.js';
import { runFixtures } from '../policy/fixtures.js';
import { judgeCoverage, MIN_COVERAGE, type CoverageFile } from '../policy/coverage.js';
import { requireBinary } from '../maintain/tools.js';
import { writeGatekeeper } from './policy-gatekeeper.js';
import { parse } from './args.js';

const HELP = `Usage: gitops policy build | gitops policy test | gitops policy gatekeeper

build   compiles policies/ (every .rego but tests) with the pinned opa into
        policies/build/policy.wasm and policies/build/manifest.json (opa version, sha256 of the
        sources, rule metadata with each rule's scope, object or target, derived with opa deps).
        Commit both; validate refuses a stale bundle. Then runs 'policy gatekeeper'.
gatekeeper
        writes the Gatekeeper ConstraintTemplates of every admission rule (base/gatekeeper-policies)
        and each cluster's Constraints (clusters/<env>/gatekeeper-policies, enforcement from
        gitops.yaml) from the built bundle's rule metadata. Commit them; CI fails when stale.
test    opa fmt (no diff), opa check --strict, opa test --coverage (>= 90% of policy lines,
        tests excluded; every rule has its own policy_test.rego and >= 80% of its policy.rego
        covered), then every fixture through the built wasm bundle: fixtures/allowed/*
        must produce no violation of their policy, fixtures/denied/* at least one, and every
        policy needs both.
`;

/** Fixtures (YAML would load as data), the built bundle and waivers are not Rego inputs. */
const IGNORE = ['--ignore', 'fixtures', '--ignore', 'build', '--ignore', '*.yaml'];

export async function run(args: string[], cwd: string): Promise<number> {
  const { values, positionals } = parse(args, { help: { type: 'boolean', short: 'h' } });
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const repoRoot = findRepoRoot(cwd);
  if (sub === 'build') {
    const manifest = await buildBundle(repoRoot);
    const objectScoped = manifest.rules.filter((r) => r.scope === 'object').length;
    process.stderr.write(`policy: built ${manifest.rules.length} rules with opa ${manifest.opaVersion} (${manifest.sourcesSha256.slice(0, 19)}…; scopes: ${objectScoped} object, ${manifest.rules.length - objectScoped} target)\n`);
    writeGatekeeper(repoRoot, manifest.rules);
    return 0;
  }
  if (sub === 'gatekeeper') {
    writeGatekeeper(repoRoot, readBundle(repoRoot).manifest.rules);
    return 0;
  }
  if (sub !== 'test') throw new UsageError(`unknown 'policy' subcommand '${sub}': try build, test or gatekeeper`);
  const opa = requireBinary(repoRoot, 'opa');
  let failed = false;
  const say = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const fmt = await runTool(opa, ['fmt', '-l', 'policies'], { cwd: repoRoot });
  if (fmt.stdout.trim() !== '') {
    failed = true;
    say(`FAIL opa fmt: not formatted (run 'opa fmt -w policies'):\n${fmt.stdout}`);
  } else say('ok   opa fmt');
  const check = await runTool(opa, ['check', '--strict', ...IGNORE, 'policies'], { cwd: repoRoot });
  if (check.exitCode !== 0) {
    failed = true;
    say(`FAIL opa check --strict\n${check.stderr || check.stdout}`);
  } else say('ok   opa check --strict');
  // The tests see gitops.yaml's policy section as data.config, as the gate's policies do (one place
  // for settings such as this repository's URLs).
  const config = loadConfig(repoRoot);
  const dataDir = tempDir('gitops-policy-test-');
  const dataFile = path.join(dataDir, 'data.json');
  writeFileSync(dataFile, JSON.stringify({ config: policyConfig(config) }));
  try {
    failed = (await opaTest(opa, repoRoot, dataFile, say)) || failed;
  } finally {
    removeTempDir(dataDir);
  }
  const bundle = readBundle(repoRoot);
  const engine = await PolicyEngine.load(bundle, policyConfig(config));
  const { results, coverage } = await runFixtures(repoRoot, engine, bundle.manifest.rules);
  for (const r of results.filter((x) => !x.ok)) {
    failed = true;
    say(`FAIL ${r.ruleId} ${r.expect} fixture ${r.file}: ${r.problem ?? (r.expect === 'allowed' ? `violations: ${r.violations.map((v) => v.message).join(' | ')}` : 'no violation')}`);
  }
  for (const c of coverage.filter((x) => x.allowed === 0 || x.denied === 0)) {
    failed = true;
    say(`FAIL ${c.ruleId}: needs at least one allowed and one denied fixture (has ${c.allowed} allowed, ${c.denied} denied)`);
  }
  say(`${failed ? 'FAIL' : 'ok  '} wasm fixtures: ${results.filter((r) => r.ok).length}/${results.length} as expected over ${coverage.length} rules`);
  return failed ? 1 : 0;
}

/** opa test with coverage, judged over the library and rule by rule; true when it failed. */
async function opaTest(opa: string, repoRoot: string, dataFile: string, say: (line: string) => void): Promise<boolean> {
  let failed = false;
  const test = await runTool(opa, ['test', ...IGNORE, 'policies', dataFile, '--coverage', '--format', 'json'], { cwd: repoRoot });
  if (test.exitCode !== 0) {
    failed = true;
    const verbose = await runTool(opa, ['test', ...IGNORE, 'policies', dataFile], { cwd: repoRoot });
    say(`FAIL opa test\n${verbose.stdout}\n${verbose.stderr}`);
  } else {
    const files = (JSON.parse(test.stdout) as { files?: Record<string, CoverageFile> }).files ?? {};
    const verdict = judgeCoverage(repoRoot, readBundle(repoRoot).manifest.rules, files);
    const pct = verdict.totalPercent;
    if (pct < MIN_COVERAGE) {
      failed = true;
      say(`FAIL opa test coverage ${pct.toFixed(1)}% of policy lines < ${MIN_COVERAGE}%`);
    } else say(`ok   opa test (coverage ${pct.toFixed(1)}% of policy lines, tests excluded)`);
    for (const p of verdict.problems) {
      failed = true;
      say(`FAIL ${p}`);
    }
  }
  return failed;
}
