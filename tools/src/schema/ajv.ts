/**
 * In-process schema validation with ajv, tuned to agree with kubeconform on the same schemas:
 * draft-07, all errors, unknown keywords ignored, formats asserted only where kubeconform's
 * validator (santhosh-tekuri/jsonschema v6, draft-07) asserts them, and `duration` accepting Go
 * durations (`1h30m`) as kubeconform does. Patterns are compiled without the `u` flag, since
 * Kubernetes patterns are written for Go's RE2 and escapes like `\-` are invalid in unicode mode.
 *
 * Errors come back as `SchemaError` with a dotted path (`spec.template.spec.containers[0].image`)
 * and a message for humans; ajv's oneOf/anyOf cascades are collapsed into one message per location.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from './convert.js';

// ajv itself (about a hundred modules) is loaded only to compile a schema: a run whose validators
// all come from the on-disk cache (ajv-cache.ts) needs only the runtime below.
const require = createRequire(import.meta.url);

export interface SchemaError {
  /** Dotted path into the object: `spec.template.spec.containers[0].image`; '' for the root. */
  instancePath: string;
  message: string;
  /** The JSON Schema keyword that failed (`additionalProperties`, `type`, `required`, `oneOf` ...). */
  keyword: string;
}

const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const ISO_DURATION = /^P(?!$)(\d+W|(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?)$/;

/** Formats kubeconform asserts (see santhosh-tekuri/jsonschema v6 format.go) that ajv-formats has. */
const ASSERTED_FORMATS = [
  'date',
  'time',
  'date-time',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'uri-template',
  'uuid',
  'json-pointer',
  'relative-json-pointer',
  'regex',
];

/**
 * Patterns in Kubernetes schemas are RE2 (Go). JavaScript lacks RE2's inline flags: `(?i)` is
 * applied to the whole pattern (an approximation when RE2 scopes it to a group), `(?P<n>` becomes
 * `(?<n>`, `\\z` becomes `$`.
 */
function re2Compatible(pattern: string, flags: string): RegExp {
  let src = pattern;
  let extra = '';
  if (src.includes('(?i)')) {
    src = src.split('(?i)').join('');
    extra = 'i';
  }
  src = src.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$');
  return new RegExp(src, flags + extra);
}
// Standalone code (the on-disk validator cache, ajv-cache.ts) calls this same function.
re2Compatible.code = 'require("gitops:ajv-runtime").re2Compatible';

const goOrIsoDuration = (s: string): boolean => GO_DURATION.test(s) || ISO_DURATION.test(s);

/**
 * What standalone validator code needs at run time: the pattern constructor and the formats, the
 * same definitions createAjv gives ajv (ajv-formats' full formats, which need no ajv).
 */
export const ajvRuntime = {
  re2Compatible,
  formats: {} as Record<string, unknown>,
};
{
  const { fullFormats } = require('ajv-formats/dist/formats') as { fullFormats: Record<string, unknown> };
  for (const name of ASSERTED_FORMATS) ajvRuntime.formats[name] = fullFormats[name];
  ajvRuntime.formats.duration = goOrIsoDuration;
}


/** A new ajv instance configured for the vendored schemas. */
export function createAjv(): Ajv {
  const { Ajv, _ } = require('ajv') as typeof import('ajv');
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    logger: false,
    unicodeRegExp: false,
    validateSchema: false,
    addUsedSchema: false,
    // parentSchema in errors: the known properties for "did you mean".
    verbose: true,
    // Compile a referenced definition as its own function unless it is tiny: inlining every
    // ref-free definition (ajv's default) multiplies the generated code of large schemas.
    inlineRefs: false,
    // source: standalone code for the on-disk cache; formats: where that code finds them.
    code: { regExp: re2Compatible, source: true, formats: _`require("gitops:ajv-runtime").formats` },
  });
  // The same definitions the standalone code finds at run time (ajvRuntime): a run that compiles
  // a schema and a run that reads its cached code check formats alike.
  for (const [name, format] of Object.entries(ajvRuntime.formats)) ajv.addFormat(name, format as Parameters<Ajv['addFormat']>[1]);
  // Formats kubeconform knows but ajv-formats does not; accepted as any string here.
  for (const name of ['iri', 'iri-reference', 'period', 'semver']) ajv.addFormat(name, true);
  return ajv;
}

let shared: Ajv | undefined;
/** One ajv instance per process; compiled validators are cached by the store. */
export function sharedAjv(): Ajv {
  shared ??= createAjv();
  return shared;
}

export function compileSchema(schema: JsonSchema, ajv: Ajv = sharedAjv()): ValidateFunction {
  return ajv.compile(schema);
}

/** Validates one object with a compiled validator; [] when valid. */
export function validateWithValidator(validate: ValidateFunction, object: unknown): SchemaError[] {
  if (validate(object)) return [];
  return formatAjvErrors(validate.errors ?? [], object);
}

/** Compiles (uncached) and validates: for one-off checks such as a compose file. */
export function validateObject(schema: JsonSchema, object: unknown, ajv: Ajv = sharedAjv()): SchemaError[] {
  return validateWithValidator(ajv.compile(schema), object);
}

// ---------------------------------------------------------------------------------------------
// Paths and values

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** JSON pointer → dotted path, with [i] for array indexes and ["..."] for keys that need quoting. */
export function pointerToPath(pointer: string, data: unknown, extra?: string): string {
  const segs = pointerSegments(pointer);
  if (extra !== undefined) segs.push(extra);
  let out = '';
  let cur: unknown = data;
  for (const seg of segs) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out += `[${seg}]`;
      cur = cur[Number(seg)];
      continue;
    }
    out += IDENT.test(seg) ? (out === '' ? seg : `.${seg}`) : `[${JSON.stringify(seg)}]`;
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

function valueAt(pointer: string, data: unknown): unknown {
  let cur = data;
  for (const seg of pointerSegments(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(seg)] : (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** `string "3"`, `integer 3`, `boolean true`, `null`, `object`, `array`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 60 ? value.slice(0, 57) + '...' : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case 'number':
      return Number.isInteger(value) ? `integer ${value}` : `number ${value}`;
    case 'boolean':
      return `boolean ${value}`;
    case 'object':
      return 'object';
    default:
      return typeof value;
  }
}

function typeList(t: unknown): string[] {
  const list = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? t.split(',') : [];
  return list.filter((x) => x !== 'null');
}

function joinOr(items: string[]): string {
  const uniq = [...new Set(items)];
  if (uniq.length <= 1) return uniq[0] ?? '';
  return `${uniq.slice(0, -1).join(', ')} or ${uniq[uniq.length - 1]}`;
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** The closest known field name, if it is plausibly what was meant. */
export function suggestField(unknown: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const lower = unknown.toLowerCase();
  for (const k of known) {
    if (k.toLowerCase() === lower) return k;
    const d = levenshtein(lower, k.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = k;
    }
  }
  const limit = unknown.length <= 4 ? 1 : unknown.length <= 8 ? 2 : 3;
  if (best !== undefined && bestScore <= limit) return best;
  // Singular/plural and similar endings: `retry` for `retries`, `toleration` for `tolerations`.
  const stem = lower.slice(0, -1);
  if (stem.length >= 4) {
    const byStem = known.filter((k) => k.toLowerCase().startsWith(stem) && Math.abs(k.length - unknown.length) <= 3);
    if (byStem.length === 1) return byStem[0];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Messages

function formatOne(e: ErrorObject, data: unknown): SchemaError {
  const value = valueAt(e.instancePath, data);
  const path = pointerToPath(e.instancePath, data);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = String(p.additionalProperty ?? p.unevaluatedProperty);
      const props = (e.parentSchema as JsonSchema | undefined)?.properties;
      const known = props && typeof props === 'object' ? Object.keys(props) : [];
      const guess = suggestField(field, known);
      return {
        instancePath: pointerToPath(e.instancePath, data, field),
        message: `unknown field '${field}'` + (guess ? ` (did you mean '${guess}'?)` : ''),
        keyword: 'additionalProperties',
      };
    }
    case 'required':
      return { instancePath: path, message: `missing required field '${String(p.missingProperty)}'`, keyword: e.keyword };
    case 'type': {
      const want = typeList(p.type);
      const nullable = String(p.type).includes('null');
      return {
        instancePath: path,
        message: `must be ${joinOr(want.length ? want : ['null'])}${nullable && want.length ? ' or null' : ''}, found ${describeValue(value)}`,
        keyword: e.keyword,
      };
    }
    case 'enum': {
      const allowed = ((p.allowedValues as unknown[]) ?? []).filter((v) => v !== null).map((v) => JSON.stringify(v));
      const shown = allowed.length > 12 ? [...allowed.slice(0, 12), '...'] : allowed;
      return { instancePath: path, message: `must be one of ${shown.join(', ')}, found ${describeValue(value)}`, keyword: e.keyword };
    }
    case 'pattern':
      return { instancePath: path, message: `must match pattern ${String(p.pattern)}, found ${describeValue(value)}`, keyword: e.keyword };
    case 'format':
      return { instancePath: path, message: `must be a valid ${String(p.format)}, found ${describeValue(value)}`, keyword: e.keyword };
    case 'const':
      return { instancePath: path, message: `must be ${JSON.stringify(p.allowedValue)}, found ${describeValue(value)}`, keyword: e.keyword };
    default:
      return { instancePath: path, message: `${e.message ?? 'is invalid'}${isScalar(value) ? `, found ${describeValue(value)}` : ''}`, keyword: e.keyword };
  }
}

function isScalar(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

const JUNCTOR = new Set(['oneOf', 'anyOf']);

function inBranchOf(e: ErrorObject, j: ErrorObject): boolean {
  return (
    e !== j &&
    e.schemaPath.startsWith(j.schemaPath + '/') &&
    (e.instancePath === j.instancePath || e.instancePath.startsWith(j.instancePath + '/'))
  );
}

function branchIndex(e: ErrorObject, j: ErrorObject): number {
  const rest = e.schemaPath.slice(j.schemaPath.length + 1);
  return Number(rest.split('/')[0]);
}

/** Turns ajv's flat error list into one message per problem, collapsing oneOf/anyOf cascades. */
export function formatAjvErrors(errors: ErrorObject[], data: unknown): SchemaError[] {
  const out: SchemaError[] = [];
  collapse(errors, data, out);
  const seen = new Set<string>();
  return out
    .filter((e) => {
      const key = `${e.instancePath}\u0000${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.instancePath < b.instancePath ? -1 : a.instancePath > b.instancePath ? 1 : 0));
}

function collapse(errors: ErrorObject[], data: unknown, out: SchemaError[]): void {
  const junctors = errors.filter((e) => JUNCTOR.has(e.keyword));
  const outer = junctors.filter((j) => !junctors.some((k) => k !== j && inBranchOf(j, k)));
  const consumed = new Set<ErrorObject>();
  const collapsed: SchemaError[] = [];
  for (const j of outer) {
    consumed.add(j);
    const inside = errors.filter((e) => inBranchOf(e, j));
    inside.forEach((e) => consumed.add(e));
    const path = pointerToPath(j.instancePath, data);
    const value = valueAt(j.instancePath, data);
    const passing = (j.params as { passingSchemas?: unknown }).passingSchemas;
    if (j.keyword === 'oneOf' && Array.isArray(passing)) {
      collapsed.push({
        instancePath: path,
        message: value === null ? 'must not be null (leave the field out instead)' : 'matches more than one of the allowed forms; set only one of the alternatives',
        keyword: 'oneOf',
      });
      continue;
    }
    const branches = new Map<number, ErrorObject[]>();
    for (const e of inside) {
      const i = branchIndex(e, j);
      if (!branches.has(i)) branches.set(i, []);
      branches.get(i)!.push(e);
    }
    const typeMismatch = (errs: ErrorObject[]) =>
      errs.some((e) => e.keyword === 'type' && e.instancePath === j.instancePath);
    const relevant = [...branches.values()].filter((errs) => !typeMismatch(errs));
    if (relevant.length === 0) {
      const types = [...branches.values()].flatMap((errs) =>
        errs.filter((e) => e.keyword === 'type' && e.instancePath === j.instancePath).flatMap((e) => typeList((e.params as { type: unknown }).type)),
      );
      collapsed.push({
        instancePath: path,
        message: types.length ? `must be ${joinOr(types)}, found ${describeValue(value)}` : `does not match any allowed form, found ${describeValue(value)}`,
        keyword: j.keyword,
      });
      continue;
    }
    const onlyRequired = relevant.every(
      (errs) => errs.length === 1 && errs[0]!.keyword === 'required' && errs[0]!.instancePath === j.instancePath,
    );
    if (onlyRequired && relevant.length > 1) {
      const fields = relevant.map((errs) => `'${String((errs[0]!.params as { missingProperty: unknown }).missingProperty)}'`);
      collapsed.push({ instancePath: path, message: `must set one of ${joinOr(fields)}`, keyword: j.keyword });
      continue;
    }
    // The branch that got furthest (fewest errors) is the form the author most likely meant.
    const best = relevant.reduce((a, b) => (b.length < a.length ? b : a));
    collapse(best, data, collapsed);
  }
  for (const e of errors) {
    if (consumed.has(e) || JUNCTOR.has(e.keyword)) continue;
    // `if`/`then` wrappers and `not` carry no detail of their own beyond the message.
    out.push(formatOne(e, data));
  }
  // After the plain errors, so that a plain `type` error wins the de-duplication.
  out.push(...collapsed);
}
