/**
 * Rule scopes, for the per-object result cache: which documents a rule's findings can depend on,
 * derived at build time from the compiler's dependency analysis (`opa deps`, which follows the
 * rule's whole closure through lib functions), never declared by hand.
 *
 * - `object`: the findings of one document depend only on the document itself (`input`, but not
 *   `input.index`, its position in the target, which moves when an object is added before it), the
 *   settings (`data.config`), the memo tables of pure functions of strings of the input and the
 *   settings (`data.units`, `data.promql`), and the target's name and environment. They can be
 *   cached per object between runs.
 * - `target`: anything else (`data.target.resources`, `data.index`, `data.environment`,
 *   `data.repository`, `input.index`, the whole `input` or `data`, a dynamic reference, output
 *   opa deps gave that is not understood): the
 *   findings must be recomputed whenever the target changes.
 *
 * The bundle gets two more entrypoints (SCOPE_ENTRYPOINTS), written into the build's temporary
 * sources only: the union of the object-scoped rules' findings and that of the target-scoped ones,
 * in the shape main/findings has. main/findings itself stays as policies/main.rego defines it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../util/errors.js';
import { mapLimit } from '../util/pool.js';
import { runTool } from '../util/process.js';

export type RuleScope = 'object' | 'target';

/** What `PolicyEngine.evaluate` can be asked for: every rule (main/findings) or the rules of one scope. */
export type EvaluationScope = 'all' | RuleScope;

/** The package of the generated entrypoints; policies/ must not define it. */
export const SCOPE_PACKAGE = 'gate';

/** The wasm entrypoints of the two scopes (opa names an entrypoint by its path with slashes). */
export const SCOPE_ENTRYPOINTS: Record<RuleScope, string> = {
  object: `${SCOPE_PACKAGE}/object_findings`,
  target: `${SCOPE_PACKAGE}/target_findings`,
};

/** Base documents an object-scoped rule may read, each with everything below it (but INPUT_POSITION). */
export const OBJECT_SCOPE_DOCUMENTS: readonly string[][] = [
  ['input'],
  ['data', 'config'],
  ['data', 'units'],
  ['data', 'promql'],
  ['data', 'target', 'name'],
  ['data', 'target', 'env'],
];

/** input.index: where the document sits in data.target.resources, a fact of the target. */
export const INPUT_POSITION = 'index';

export interface ScopeVerdict {
  scope: RuleScope;
  /** Why it is target-scoped: the base documents it reads outside object scope (empty for object). */
  targetReads: string[];
}

interface Term {
  type?: unknown;
  value?: unknown;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `data.rules.k8s.foo.violation`, with brackets for a segment that is no identifier. */
export function refText(segments: readonly string[]): string {
  return segments.map((s, i) => (i === 0 ? s : IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/** The reference to a rule's violations: `k8s.run_as_non_root` -> data.rules.k8s.run_as_non_root.violation. */
export function violationRef(policy: string): string[] {
  return ['data', 'rules', ...policy.split('.'), 'violation'];
}

/** A reference term list as text; non-string terms (variables, calls) as `[_]`: the rest is dynamic. */
function termsText(ref: Term[]): string {
  const head = String(ref[0]?.value ?? '?');
  return head + ref.slice(1).map((t) => (t.type === 'string' && typeof t.value === 'string'
    ? (IDENTIFIER.test(t.value) ? `.${t.value}` : `[${JSON.stringify(t.value)}]`)
    : '[_]')).join('');
}

function isRef(value: unknown): value is Term[] {
  return Array.isArray(value) && value.length > 0 && value.every((t) => t !== null && typeof t === 'object');
}

/** Whether a base reference lies inside one of the object-scope documents (its ground prefix covers one). */
function inObjectScope(ref: Term[]): boolean {
  const head = ref[0]!;
  if (head.type !== 'var' || (head.value !== 'input' && head.value !== 'data')) return false;
  // The input, but neither the whole of it nor a key that may be its position.
  if (head.value === 'input' && (ref.length < 2 || ref[1]!.type !== 'string' || ref[1]!.value === INPUT_POSITION)) return false;
  return OBJECT_SCOPE_DOCUMENTS.some((doc) => doc.length <= ref.length
    && doc.every((seg, i) => (i === 0 ? ref[0]!.value === seg : ref[i]!.type === 'string' && ref[i]!.value === seg)));
}

/**
 * The scope of a rule from `opa deps --format json` of its violation reference (`query`, as
 * violationRef gives it). Pure. Anything not understood is target scope, the safe side: output
 * that is no JSON object, a `base` or `virtual` that is no list of references, or a `virtual` that
 * does not hold the rule itself (a rule the compiler does not know).
 */
export function scopeFromDeps(output: string, query: readonly string[]): ScopeVerdict {
  const unknown = (why: string): ScopeVerdict => ({ scope: 'target', targetReads: [`(${why})`] });
  let deps: unknown;
  try {
    deps = JSON.parse(output);
  } catch {
    return unknown('opa deps output is not JSON');
  }
  if (deps === null || typeof deps !== 'object' || Array.isArray(deps)) return unknown('opa deps output is not an object');
  const { base = [], virtual = [] } = deps as { base?: unknown; virtual?: unknown };
  if (!Array.isArray(base) || !base.every(isRef) || !Array.isArray(virtual) || !virtual.every(isRef)) {
    return unknown('opa deps output has no list of references');
  }
  const wanted = refText(query);
  if (!virtual.some((r) => r.length === query.length && r.every((t, i) => (i === 0 ? t.type === 'var' : t.type === 'string') && t.value === query[i]))) {
    return unknown(`${wanted} is not a rule opa deps knows`);
  }
  const outside = [...new Set(base.filter((r) => !inObjectScope(r)).map(termsText))].sort();
  return outside.length === 0 ? { scope: 'object', targetReads: [] } : { scope: 'target', targetReads: outside };
}

/**
 * Classifies every rule (`policy` names such as k8s.run_as_non_root) with `opa deps`, in `srcDir`
 * (the bundle's sources without tests; `namespaces` as opa inspect lists them: package -> files).
 * A call loads the rule's own package and every module outside data.rules (the library), which
 * keeps it about 5x cheaper than loading every rule; a rule whose closure reaches into another
 * rule's package (a base reference below data.rules then) is asked again over all the sources.
 * Calls run in parallel, one per core; a failing call is a ToolError (never a silent object scope).
 * With `cache`, opa's output is kept on disk under the sha256 of the opa version, the query and
 * the path and text of every module loaded, so a rebuild after editing one rule asks opa about
 * that rule only (and about every rule after a library change).
 */
export async function ruleScopes(
  opa: string,
  srcDir: string,
  namespaces: Record<string, string[]>,
  policies: readonly string[],
  cache: DepsCache | null = null,
): Promise<Map<string, ScopeVerdict>> {
  const shared = [...new Set(Object.entries(namespaces).filter(([ns]) => ns !== 'data.rules' && !ns.startsWith('data.rules.')).flatMap(([, files]) => files))].sort();
  const everything = [...new Set(Object.values(namespaces).flat())].sort();
  const deps = async (query: string[], files: string[] | null): Promise<string> => {
    const key = cache === null ? null : depsKey(cache.opaVersion, srcDir, query, files ?? everything);
    const cached = key === null ? null : readCached(cache!.dir, key);
    if (cached !== null) return cached;
    const load = files === null ? ['-d', '.'] : files.flatMap((f) => ['-d', f]);
    const r = await runTool(opa, ['deps', '--format', 'json', ...load, refText(query)], { cwd: srcDir, timeoutMs: 120_000 });
    if (r.failed) {
      const why = [r.startError ?? '', r.timedOut ? 'timed out' : '', r.stderr.trim(), r.stdout.trim()].filter(Boolean).join('\n');
      throw new ToolError('opa', `opa deps ${refText(query)} failed (the rule's scope cannot be derived):\n${why}`, r.stderr);
    }
    if (key !== null) writeCached(cache!.dir, key, r.stdout);
    return r.stdout;
  };
  const verdicts = await mapLimit(policies, os.availableParallelism(), async (policy) => {
    const query = violationRef(policy);
    const own = namespaces[`data.rules.${policy}`];
    let verdict = own === undefined ? null : scopeFromDeps(await deps(query, [...shared, ...own]), query);
    if (verdict === null || verdict.targetReads.some((r) => r === 'data.rules' || r.startsWith('data.rules.') || r.startsWith('data.rules['))) {
      verdict = scopeFromDeps(await deps(query, null), query);
    }
    return [policy, verdict] as const;
  });
  return new Map(verdicts);
}

/** Where ruleScopes keeps opa deps output: `<repo>/.cache/opa-deps` (git-ignored), for this opa version. */
export interface DepsCache {
  dir: string;
  opaVersion: string;
}

function depsKey(opaVersion: string, srcDir: string, query: readonly string[], files: readonly string[]): string {
  const h = createHash('sha256').update(`opa ${opaVersion}\0${refText(query)}\0`);
  for (const f of files) h.update(f).update('\0').update(readFileSync(path.join(srcDir, f))).update('\0');
  return h.digest('hex');
}

/** A cached output, when it is there and JSON (a truncated or foreign file is asked again). */
function readCached(dir: string, key: string): string | null {
  try {
    const text = readFileSync(path.join(dir, `${key}.json`), 'utf8');
    JSON.parse(text);
    return text;
  } catch {
    return null;
  }
}

function writeCached(dir: string, key: string, text: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `${key}.json.${process.pid}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, path.join(dir, `${key}.json`));
  } catch {
    // A cache that cannot be written (read-only checkout) only costs the next build the call.
  }
}

/**
 * The Rego of the scope entrypoints: for each scope, the union of the named rules' violations,
 * each tagged with its policy as main/findings tags it. Each rule is written out, so the planner
 * evaluates exactly those. A scope with no rule is the empty set.
 */
export function scopeEntrypointsRego(rules: ReadonlyArray<{ policy: string; scope: RuleScope }>): string {
  const lines = [
    '# Generated by gitops policy build (tools/src/policy/scope.ts) into the temporary build sources:',
    '# the findings of main/findings split by rule scope. Not part of the repository.',
    `package ${SCOPE_PACKAGE}`,
    '',
    'import rego.v1',
  ];
  for (const scope of ['object', 'target'] as const) {
    const name = SCOPE_ENTRYPOINTS[scope].split('/')[1]!;
    const members = rules.filter((r) => r.scope === scope).map((r) => r.policy).sort();
    if (members.length === 0) lines.push('', `${name} := set()`);
    for (const policy of members) {
      lines.push('', `${name} contains object.union(v, {"policy": ${JSON.stringify(policy)}}) if {`, `\tsome v in ${refText(violationRef(policy))}`, '}');
    }
  }
  return `${lines.join('\n')}\n`;
}
