/**
 * The policy bundle: Rego under policies/ compiled by the real opa into wasm, committed with a
 * manifest (opa version, sha256 of the sources, rule metadata). Validate refuses a stale bundle.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { removeTempDir, runTool, tempDir, type ToolRun } from '../util/process.js';
import { ToolError } from '../util/errors.js';
import type { ResultCache } from '../util/results.js';
import { readPins, requireBinary } from '../maintain/tools.js';
import type { Severity } from '../pipeline/types.js';
import { ruleScopes, SCOPE_ENTRYPOINTS, SCOPE_PACKAGE, scopeEntrypointsRego, type EvaluationScope, type RuleScope } from './scope.js';

export const POLICY_DIR = 'policies';
export const BUILD_DIR = 'policies/build';
export const ENTRYPOINT = 'main/findings';
/** Every rule is a package below this one (rules.<namespace>.<name>); main.rego collects them all. */
export const RULES_PACKAGE = 'rules';

/**
 * The kinds of input document a rule can read (`input.kind`), declared as `input:` in its METADATA.
 * `repository` is evaluated once per run, with data.repository: for rules about the repository as a whole.
 */
export const INPUT_KINDS = ['kubernetes', 'dockerfile', 'compose', 'repository'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export interface RuleMeta {
  /** Rule id as reported: k8s/run-as-non-root. */
  id: string;
  /** Rego package below data.rules: k8s.run_as_non_root. */
  policy: string;
  /** The input document kind the rule reads (METADATA `input:`). */
  input: InputKind;
  title: string;
  description: string;
  severity: Severity;
  kinds: string[];
  rationale: string;
  baseline: string;
  file: string;
  /** Why the rule runs in CI only (METADATA custom.ci_only); null: Gatekeeper enforces it at admission too. */
  ciOnly?: string | null;
  /** Kinds of other objects the rule reads at admission (METADATA custom.reads): Gatekeeper's sync set. */
  reads?: string[];
  /**
   * What the rule's findings depend on, derived by `opa deps` at build time (policy/scope.ts):
   * `object` (the document, the settings, data.units/promql, the target's name and env: cacheable
   * per object) or `target`. Absent in a bundle built before scopes existed.
   */
  scope?: RuleScope;
  /** For a target-scoped rule: the documents outside object scope it reads (data.index, ...). */
  targetReads?: string[];
}

export interface BundleManifest {
  opaVersion: string;
  entrypoint: string;
  /** The wasm entrypoint of each evaluation scope (`all` is `entrypoint`). Absent in a bundle built before scopes existed. */
  entrypoints?: Record<EvaluationScope, string>;
  sourcesSha256: string;
  wasmSha256: string;
  rules: RuleMeta[];
}

/** Policy sources that go into the bundle: every .rego but tests, sorted, repository-relative. */
export function policySources(repoRoot: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'fixtures' && entry.name !== 'build') walk(abs);
      } else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
        out.push(path.relative(repoRoot, abs).split(path.sep).join('/'));
      }
    }
  };
  walk(path.join(repoRoot, POLICY_DIR));
  return out.sort();
}

/** Copies the bundle's sources into `dest`, keeping their layout below policies/. */
export function copyPolicySources(repoRoot: string, dest: string): void {
  for (const rel of policySources(repoRoot)) {
    const to = path.join(dest, path.relative(POLICY_DIR, rel));
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(path.join(repoRoot, rel), to);
  }
}

/** The digest of the bundle's sources (their paths and bytes); `results`: kept while their stamps hold. */
export function sourcesHash(repoRoot: string, results?: ResultCache): string {
  const sources = policySources(repoRoot);
  const compute = (): string => {
    const h = createHash('sha256');
    for (const rel of sources) h.update(rel).update('\0').update(readFileSync(path.join(repoRoot, rel))).update('\0');
    return `sha256:${h.digest('hex')}`;
  };
  return results === undefined ? compute() : results.stamped('policy-sources', sources.map((rel) => path.join(repoRoot, rel)), compute);
}

/** opa-wasm's capabilities plus the language features of the pinned opa (rego.v1 needs them). */
export async function wasmCapabilities(opa: string): Promise<Record<string, unknown>> {
  // The package exports no subpath for capabilities.json: find it beside the package's entry.
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('@open-policy-agent/opa-wasm'));
  while (!existsSync(path.join(dir, 'capabilities.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const caps = JSON.parse(readFileSync(path.join(dir, 'capabilities.json'), 'utf8')) as Record<string, unknown>;
  const current = await runTool(opa, ['capabilities', '--current']);
  if (current.exitCode !== 0) throw new ToolError('opa', 'opa capabilities --current failed', current.stderr);
  const features = (JSON.parse(current.stdout) as { features?: string[] }).features ?? [];
  return { ...caps, features };
}

/** Extracts one file from a .tar.gz (ustar), enough for opa's bundle. */
export function extractFromTarGz(archive: Buffer, wanted: string): Buffer | null {
  const tar = gunzipSync(archive);
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (name === '') return null;
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const body = tar.subarray(off + 512, off + 512 + size);
    if (name.replace(/^\.?\//, '') === wanted.replace(/^\//, '')) return Buffer.from(body);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return null;
}

function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

interface InspectAnnotation {
  annotations: { title?: string; description?: string; scope?: string; custom?: Record<string, unknown> };
  location: { file: string };
  path: Array<{ value: string }>;
}

function compileError(r: ToolRun): ToolError {
  // opa prints compile errors on stdout.
  const why = [r.stdout.trim(), r.stderr.trim()].filter(Boolean).join('\n');
  return new ToolError('opa', `opa build failed:\n${why}`, '');
}

/** Compiles policies/ into policies/build/{policy.wasm,manifest.json}. */
export async function buildBundle(repoRoot: string): Promise<BundleManifest> {
  const opa = requireBinary(repoRoot, 'opa');
  const work = tempDir('gitops-policy-');
  try {
    const src = path.join(work, 'src');
    copyPolicySources(repoRoot, src);
    const capsFile = path.join(work, 'capabilities.json');
    writeFileSync(capsFile, JSON.stringify(await wasmCapabilities(opa)));
    // Compile errors first (as opa build would report them), before METADATA and scopes are read.
    const check = await runTool(opa, ['check', '--capabilities', capsFile, '.'], { cwd: src });
    if (check.exitCode !== 0) throw compileError(check);
    const inspect = await runTool(opa, ['inspect', '-a', '--format', 'json', '.'], { cwd: src });
    if (inspect.exitCode !== 0) throw new ToolError('opa', 'opa inspect failed', inspect.stderr);
    const inspected = JSON.parse(inspect.stdout) as { annotations?: InspectAnnotation[]; namespaces?: Record<string, string[]> };
    const annotations = (inspected.annotations ?? [])
      .filter((a) => a.annotations.scope === 'package');
    const problems: string[] = [];
    const rejected = new Set<string>();
    const rules: RuleMeta[] = annotations.flatMap((a) => {
      const segments = a.path.slice(1).map((p) => p.value);
      const file = `${POLICY_DIR}/${a.location.file}`;
      if (segments[0] !== RULES_PACKAGE || segments.length !== 3) {
        problems.push(`${file}: package ${segments.join('.')} has rule METADATA but is not rules.<namespace>.<name>`);
        return [];
      }
      const policy = segments.slice(1).join('.');
      const custom = a.annotations.custom ?? {};
      const severity = String(custom.severity ?? 'error');
      const input = String(custom.input ?? '');
      if (!(INPUT_KINDS as readonly string[]).includes(input)) {
        problems.push(`${file}: METADATA custom.input must name the input kind the rule reads (${INPUT_KINDS.join(', ')}), found '${input}'`);
        rejected.add(policy);
        return [];
      }
      return [{
        id: String(custom.id ?? ruleIdOf(policy)),
        policy,
        input: input as InputKind,
        title: a.annotations.title ?? policy,
        description: a.annotations.description ?? '',
        severity: (['error', 'warning', 'info'].includes(severity) ? severity : 'error') as Severity,
        kinds: Array.isArray(custom.kinds) ? custom.kinds.map(String) : [],
        rationale: String(custom.rationale ?? ''),
        baseline: String(custom.baseline ?? ''),
        file,
        ciOnly: custom.ci_only === undefined ? null : String(custom.ci_only),
        reads: Array.isArray(custom.reads) ? custom.reads.map(String) : [],
      }];
    }).sort((x, y) => x.id.localeCompare(y.id));
    problems.push(...undeclaredRules(src, inspected.namespaces ?? {}, rules, rejected));
    if (problems.length > 0) throw new ToolError('opa', `policy build: ${problems.length} rule(s) without valid METADATA:\n${problems.join('\n')}`);
    const reserved = inspected.namespaces?.[`data.${SCOPE_PACKAGE}`];
    if (reserved !== undefined) {
      throw new ToolError('opa', `policy build: ${reserved.map((f) => `${POLICY_DIR}/${f}`).join(', ')}: package ${SCOPE_PACKAGE} is reserved for the entrypoints the build generates; rename it`);
    }
    // Each rule's scope, from the compiler's dependencies of its whole closure (before the
    // generated entrypoints join the sources).
    const opaVersion = readPins(repoRoot).opa.version;
    const scopes = await ruleScopes(opa, src, inspected.namespaces ?? {}, rules.map((r) => r.policy), { dir: path.join(repoRoot, '.cache', 'opa-deps'), opaVersion });
    for (const r of rules) {
      const verdict = scopes.get(r.policy)!;
      r.scope = verdict.scope;
      r.targetReads = verdict.targetReads;
    }
    writeFileSync(path.join(src, `${SCOPE_PACKAGE}.gen.rego`), scopeEntrypointsRego(rules.map((r) => ({ policy: r.policy, scope: r.scope! }))));
    const out = path.join(work, 'bundle.tar.gz');
    const entrypoints: Record<EvaluationScope, string> = { all: ENTRYPOINT, ...SCOPE_ENTRYPOINTS };
    const build = await runTool(opa, ['build', '-t', 'wasm', ...Object.values(entrypoints).flatMap((e) => ['-e', e]), '--capabilities', capsFile, '-o', out, '.'], { cwd: src });
    if (build.exitCode !== 0) throw compileError(build);
    const wasm = extractFromTarGz(readFileSync(out), '/policy.wasm');
    if (wasm === null) throw new ToolError('opa', 'opa build produced no policy.wasm');
    const manifest: BundleManifest = {
      opaVersion,
      entrypoint: ENTRYPOINT,
      entrypoints,
      sourcesSha256: sourcesHash(repoRoot),
      wasmSha256: sha256(wasm),
      rules,
    };
    const dir = path.join(repoRoot, BUILD_DIR);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'policy.wasm'), wasm);
    writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    removeTempDir(work);
  }
}

/**
 * Build-time checks of what METADATA declares: every package below data.rules is a rule with
 * METADATA (else it would be evaluated but undocumented), and a rule that tests input.kind tests
 * the kind it declares.
 */
function undeclaredRules(src: string, namespaces: Record<string, string[]>, rules: RuleMeta[], rejected: Set<string>): string[] {
  const problems: string[] = [];
  const byPolicy = new Map(rules.map((r) => [r.policy, r]));
  for (const [ns, files] of Object.entries(namespaces)) {
    if (!ns.startsWith(`data.${RULES_PACKAGE}.`)) continue;
    const policy = ns.slice(`data.${RULES_PACKAGE}.`.length);
    const rule = byPolicy.get(policy);
    if (rejected.has(policy)) continue;
    if (rule === undefined) {
      problems.push(`${files.map((f) => `${POLICY_DIR}/${f}`).join(', ')}: package ${ns.slice(5)} has no '# METADATA' block with scope: package`);
      continue;
    }
    for (const f of files) {
      const text = readFileSync(path.join(src, f), 'utf8');
      for (const m of text.matchAll(/input\.kind\s*==\s*"([^"]+)"/g)) {
        if (m[1] !== rule.input) problems.push(`${POLICY_DIR}/${f}: tests input.kind == "${m[1]}" but its METADATA declares input: ${rule.input}`);
      }
    }
  }
  return problems;
}

/** `k8s.run_as_non_root` -> `k8s/run-as-non-root`. */
export function ruleIdOf(policy: string): string {
  const [ns, ...rest] = policy.split('.');
  return `${ns}/${rest.join('.').replace(/_/g, '-')}`;
}

export interface LoadedBundle {
  manifest: BundleManifest;
  wasm: Buffer;
}

/**
 * Reads the committed bundle; a missing, corrupt or stale one is a ToolError (run incomplete).
 * `results`: the sources digest is kept while the sources' stamps hold (ResultCache.stamped).
 */
export function readBundle(repoRoot: string, results?: ResultCache): LoadedBundle {
  const dir = path.join(repoRoot, BUILD_DIR);
  const manifestFile = path.join(dir, 'manifest.json');
  const wasmFile = path.join(dir, 'policy.wasm');
  if (!existsSync(manifestFile) || !existsSync(wasmFile)) {
    throw new ToolError('policy-bundle', `no policy bundle in ${BUILD_DIR}: run 'npx gitops policy build'`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BundleManifest;
  const wasm = readFileSync(wasmFile);
  // Hashed on every run: the bytes are read anyway, and hashing them takes about a millisecond.
  if (sha256(wasm) !== manifest.wasmSha256) {
    throw new ToolError('policy-bundle', `${BUILD_DIR}/policy.wasm does not match its manifest: run 'npx gitops policy build'`);
  }
  const current = sourcesHash(repoRoot, results);
  if (current !== manifest.sourcesSha256) {
    throw new ToolError('policy-bundle', `the policy bundle is stale: policies/ changed since it was built (${manifest.sourcesSha256.slice(0, 19)}… != ${current.slice(0, 19)}…): run 'npx gitops policy build' and commit ${BUILD_DIR}`);
  }
  return { manifest, wasm };
}
