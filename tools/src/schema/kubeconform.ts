/**
 * Runs the real kubeconform on a set of objects against the vendored schemas only (never its
 * default remote location), and maps its JSON output back to each object.
 *
 * Every object is written as its own JSON file in a temporary folder outside the repository, so
 * a result maps back by file name. CRD schemas not in the store (CRDs defined in the target) are
 * written to a temporary schema folder with the same layout and given as an extra location.
 */
import { KubeconformError } from '../util/errors.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { failureReason, removeTempDir, runTool, tempDir } from '../util/process.js';
import type { CrdVersionSchema } from './convert.js';
import { crdSchemaRelPath } from './convert.js';
import { describeValue, pointerToPath, type SchemaError } from './ajv.js';
import { sha256, stableStringify } from './json.js';

export interface KubeconformDocument {
  /** Caller's key for the object (e.g. its index in the target); results come back under it. */
  id: string;
  object: Record<string, unknown>;
}

export interface KubeconformOptions {
  /** Path of the kubeconform binary (the engine resolves `.tools/bin/kubeconform`). */
  bin: string;
  /** Repository root; schemas are read from `<repoRoot>/schemas`. */
  repoRoot: string;
  /** e.g. "1.35.0" */
  kubernetesVersion: string;
  /** Schemas of CRDs defined in the validated target (converted by the store). */
  extraCrdSchemas?: CrdVersionSchema[];
  /** Worker goroutines (kubeconform -n). */
  workers?: number;
  timeoutMs?: number;
}

export type KubeconformStatus = 'valid' | 'invalid' | 'error' | 'missing-schema' | 'skipped';

export interface KubeconformObjectResult {
  id: string;
  status: KubeconformStatus;
  /** Empty when valid. For `missing-schema` one error with keyword `unknown-kind`. */
  errors: SchemaError[];
}

interface RawResult {
  filename: string;
  kind?: string;
  name?: string;
  version?: string;
  status: string;
  msg?: string;
  validationErrors?: Array<{ path: string; msg: string }>;
}

/** The `-schema-location` templates for the vendored schemas (core first, then CRDs). */
export function schemaLocations(repoRoot: string): string[] {
  const root = path.join(path.resolve(repoRoot), 'schemas');
  return [
    `${root}/kubernetes/{{.NormalizedKubernetesVersion}}-standalone-strict/{{.ResourceKind}}{{.KindSuffix}}.json`,
    `${root}/crds/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`,
  ];
}

/**
 * The kubeconform version, e.g. "v0.7.0". A binary built with `go install` says "development" to
 * `-v`; its module version is then read from the Go build info (`go version -m`). Throws
 * KubeconformError when the binary cannot run.
 */
export async function kubeconformVersion(bin: string): Promise<string> {
  const r = await runTool(bin, ['-v']);
  if (r.failed || r.exitCode !== 0) {
    throw new KubeconformError(`kubeconform at ${bin} cannot run: ${failureReason(r)}`, String(r.stderr ?? ''));
  }
  const said = String(r.stdout).trim();
  if (/^v\d/.test(said)) return said;
  const info = await runTool('go', ['version', '-m', bin]);
  const mod = String(info.stdout ?? '').match(/^\s*mod\s+github\.com\/yannh\/kubeconform\s+(v\S+)/m);
  return mod?.[1] ?? said;
}

const STATUS: Record<string, KubeconformStatus> = {
  statusValid: 'valid',
  statusInvalid: 'invalid',
  statusError: 'error',
  statusSkipped: 'skipped',
  statusEmpty: 'skipped',
};

/** Validates every document; one result per document id. */
export async function runKubeconform(
  docs: KubeconformDocument[],
  opts: KubeconformOptions,
): Promise<Map<string, KubeconformObjectResult>> {
  const results = new Map<string, KubeconformObjectResult>();
  if (docs.length === 0) return results;
  // Written synchronously up to the spawn, so the process starts before this function first
  // yields: the caller's own work (policy evaluation) then overlaps with kubeconform's.
  const work = tempDir('gitops-kubeconform-');
  try {
    const byFile = new Map<string, KubeconformDocument>();
    const docDir = path.join(work, 'objects');
    mkdirSync(docDir);
    // One file per object, so a result maps back by name; the folder is passed, not each file,
    // so the command line stays short at any number of objects.
    docs.forEach((doc, i) => {
      const file = path.join(docDir, `${i}.json`);
      writeFileSync(file, JSON.stringify(doc.object));
      byFile.set(file, doc);
    });
    const locations = schemaLocations(opts.repoRoot);
    if (opts.extraCrdSchemas && opts.extraCrdSchemas.length > 0) {
      const extra = path.join(work, 'crds');
      for (const s of opts.extraCrdSchemas) {
        const file = path.join(extra, crdSchemaRelPath(s.group, s.kind, s.version));
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, stableStringify(s.schema));
      }
      locations.push(`${extra}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`);
    }
    const args = [
      '-strict',
      '-summary',
      '-verbose',
      '-output',
      'json',
      '-kubernetes-version',
      opts.kubernetesVersion,
      '-n',
      String(opts.workers ?? availableParallelism()),
      ...locations.flatMap((l) => ['-schema-location', l]),
      docDir,
    ];
    const r = await runTool(opts.bin, args, {
      timeoutMs: opts.timeoutMs ?? 120_000,
      maxBuffer: 256 * 1024 * 1024,
      batchGo: true,
    });
    const stderr = String(r.stderr ?? '');
    if (r.timedOut) throw new KubeconformError(`kubeconform timed out after ${opts.timeoutMs ?? 120_000} ms and was stopped with every process it started`, stderr);
    if (r.exitCode === null) {
      throw new KubeconformError(`kubeconform could not run (${opts.bin}): ${failureReason(r)}`, stderr);
    }
    let parsed: { resources?: RawResult[] };
    try {
      parsed = JSON.parse(String(r.stdout)) as { resources?: RawResult[] };
    } catch {
      throw new KubeconformError(
        `kubeconform exited ${r.exitCode} without JSON output: ${(stderr || String(r.stdout)).trim().slice(0, 500)}`,
        stderr,
      );
    }
    for (const raw of parsed.resources ?? []) {
      const doc = byFile.get(raw.filename) ?? byFile.get(path.resolve(raw.filename));
      if (!doc) continue;
      results.set(doc.id, toResult(doc, raw));
    }
    for (const doc of docs) {
      if (!results.has(doc.id)) {
        throw new KubeconformError(`kubeconform returned no result for object ${doc.id}`, stderr);
      }
    }
    return results;
  } finally {
    removeTempDir(work);
  }
}

/** The objects of one target (or any set) with the CRD schemas defined among them. */
export interface KubeconformSet {
  docs: KubeconformDocument[];
  extraCrdSchemas: CrdVersionSchema[];
}

export type KubeconformSetOutcome = { ok: true; results: Map<string, KubeconformObjectResult> } | { ok: false; error: Error };

/**
 * Validates several sets (e.g. every target of a run) in as few kubeconform processes as the
 * schemas allow: sets whose own CRD schemas are the same (usually none) share one process, since
 * kubeconform's schema locations hold for a whole run. Document ids must be unique across sets.
 * One outcome per set, in order.
 */
export async function runKubeconformSets(sets: KubeconformSet[], opts: Omit<KubeconformOptions, 'extraCrdSchemas'>): Promise<KubeconformSetOutcome[]> {
  const groups = new Map<string, { crds: CrdVersionSchema[]; members: number[] }>();
  sets.forEach((set, i) => {
    if (set.docs.length === 0) return;
    const crds = [...set.extraCrdSchemas].sort((a, b) => crdSchemaRelPath(a.group, a.kind, a.version).localeCompare(crdSchemaRelPath(b.group, b.kind, b.version)));
    const key = sha256(stableStringify(crds));
    const g = groups.get(key) ?? { crds, members: [] };
    g.members.push(i);
    groups.set(key, g);
  });
  const outcomes: KubeconformSetOutcome[] = sets.map(() => ({ ok: true, results: new Map() }));
  for (const g of groups.values()) {
    try {
      const results = await runKubeconform(g.members.flatMap((i) => sets[i]!.docs), { ...opts, extraCrdSchemas: g.crds });
      for (const i of g.members) {
        outcomes[i] = { ok: true, results: new Map(sets[i]!.docs.map((d) => [d.id, results.get(d.id)!])) };
      }
    } catch (err) {
      for (const i of g.members) outcomes[i] = { ok: false, error: err as Error };
    }
  }
  return outcomes;
}

function toResult(doc: KubeconformDocument, raw: RawResult): KubeconformObjectResult {
  const status = STATUS[raw.status] ?? 'error';
  if (status === 'valid' || status === 'skipped') return { id: doc.id, status, errors: [] };
  if (status === 'error') {
    const msg = raw.msg ?? 'kubeconform error';
    if (/^could not find schema for /.test(msg)) {
      return {
        id: doc.id,
        status: 'missing-schema',
        errors: [{ instancePath: '', message: `no schema for ${raw.version ?? '?'} ${raw.kind ?? '?'}`, keyword: 'unknown-kind' }],
      };
    }
    return { id: doc.id, status, errors: [{ instancePath: '', message: msg, keyword: 'kubeconform' }] };
  }
  return { id: doc.id, status, errors: invalidErrors(doc.object, raw) };
}

interface Segment {
  depth: number;
  pointer: string;
  msg: string;
}

/**
 * kubeconform lists only the top-level causes in `validationErrors`; a cause reached through a
 * `$ref` shows up there as "validation failed" and its detail only in `msg`, which carries the
 * validator's indented error tree flattened onto one line (`- at '<pointer>': <message>`).
 */
function treeSegments(msg: string): Segment[] {
  const out: Segment[] = [];
  const re = /( *)- at '([^']*)': (.*?)(?= +- at '|$)/g;
  for (const m of msg.matchAll(re)) {
    out.push({ depth: (m[1] ?? '').length, pointer: m[2] ?? '', msg: (m[3] ?? '').trim() });
  }
  return out;
}

function leafMessages(raw: RawResult): Array<{ path: string; msg: string }> {
  const top = raw.validationErrors ?? [];
  if (!top.some((e) => e.msg === 'validation failed') || !raw.msg) return top;
  const segs = treeSegments(raw.msg);
  const leaves: Array<{ path: string; msg: string }> = [];
  let skipBelow: number | undefined;
  for (const s of segs) {
    if (skipBelow !== undefined && s.depth > skipBelow) continue;
    skipBelow = undefined;
    if (s.msg === 'validation failed') continue;
    // A failed oneOf/anyOf keeps its own message; the per-branch noise below it is dropped.
    if (/(oneOf|anyOf)/.test(s.msg)) skipBelow = s.depth;
    leaves.push({ path: s.pointer, msg: s.msg });
  }
  return leaves.length > 0 ? leaves : top;
}

function valueAt(pointer: string, data: unknown): unknown {
  let cur = data;
  for (const seg of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(seg)] : (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function quotedList(s: string): string[] {
  return [...s.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
}

/** Rewrites kubeconform's messages into the same wording as ajv.ts where the meaning is the same. */
function invalidErrors(object: Record<string, unknown>, raw: RawResult): SchemaError[] {
  const out: SchemaError[] = [];
  for (const { path: pointer, msg } of leafMessages(raw)) {
    const at = pointerToPath(pointer, object);
    let m: RegExpMatchArray | null;
    if ((m = msg.match(/^additional propert(?:y|ies) (.*) not allowed$/))) {
      for (const field of quotedList(m[1] ?? '')) {
        out.push({ instancePath: pointerToPath(pointer, object, field), message: `unknown field '${field}'`, keyword: 'additionalProperties' });
      }
    } else if ((m = msg.match(/^got (\S+), want (.+)$/))) {
      const want = (m[2] ?? '').split(/, | or /).filter((t) => t !== 'null');
      out.push({ instancePath: at, message: `must be ${want.join(' or ')}, found ${describeValue(valueAt(pointer, object))}`, keyword: 'type' });
    } else if ((m = msg.match(/^missing propert(?:y|ies) (.*)$/))) {
      for (const field of quotedList(m[1] ?? '')) {
        out.push({ instancePath: at, message: `missing required field '${field}'`, keyword: 'required' });
      }
    } else if ((m = msg.match(/^value must be (?:one of )?(.*)$/)) && !/^(one of )?value$/.test(m[1] ?? '')) {
      const items = (m[1] ?? '').split(', ').filter((i) => i !== '<nil>');
      const shown = items.map((i) => (/^'.*'$/.test(i) ? JSON.stringify(i.slice(1, -1).replace(/\\'/g, "'")) : i));
      out.push({ instancePath: at, message: `must be one of ${shown.join(', ')}, found ${describeValue(valueAt(pointer, object))}`, keyword: 'enum' });
    } else {
      out.push({ instancePath: at, message: msg, keyword: 'kubeconform' });
    }
  }
  return out.sort((a, b) => (a.instancePath < b.instancePath ? -1 : a.instancePath > b.instancePath ? 1 : 0));
}

