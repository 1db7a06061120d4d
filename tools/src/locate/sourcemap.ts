/**
 * Source map: from a finding on a rendered resource to the file and line a person must edit.
 * The origin annotation names the source file; the file is re-parsed with positions to find the
 * field. A field set by an overlay patch points at the patch; a field nobody set points at the
 * nearest part of the resource that exists, with the overlay as a related location.
 */
import path from 'node:path';
import type { Document } from 'yaml';
import type { LineCounter } from 'yaml';
import { FileCache } from '../util/cache.js';
import { displayPath } from '../util/paths.js';
import { asObject, parseYaml, locateField, splitFieldPath, type ParsedYaml, type FieldLocation, type YamlDoc } from '../util/yaml.js';
import type { Location, RelatedLocation, Resource } from '../pipeline/types.js';

export interface Mapped {
  location: Location;
  related: RelatedLocation[];
}

interface DocMatch {
  doc: Document.Parsed;
  parsed: ParsedYaml;
  value: Record<string, unknown>;
}

/** The document of `file` that declares the resource (kind equal; name equal or contained, for prefixes/suffixes). */
function findDoc(parsed: ParsedYaml, resource: Resource): DocMatch | null {
  if (resource.origin.docIndex !== null) {
    const d = parsed.docs.find((x) => x.index === resource.origin.docIndex);
    const value = asObject(d?.value);
    if (d && value) return { doc: d.doc, parsed, value };
  }
  const candidates = parsed.docs
    .map((d) => ({ d, value: asObject(d.value) }))
    .filter((c) => c.value !== null && c.value.kind === resource.ref.kind) as Array<{ d: (typeof parsed.docs)[number]; value: Record<string, unknown> }>;
  const nameOf = (v: Record<string, unknown>) => String((asObject(v.metadata) ?? {}).name ?? '');
  const exact = candidates.find((c) => nameOf(c.value) === resource.ref.name);
  const contained = candidates.filter((c) => nameOf(c.value) !== '' && resource.ref.name.includes(nameOf(c.value)));
  const pick = exact ?? (contained.length === 1 ? contained[0] : undefined) ?? (candidates.length === 1 ? candidates[0] : undefined);
  return pick ? { doc: pick.d.doc, parsed, value: pick.value } : null;
}

function fieldIn(match: DocMatch, field: string | null, listItem?: number): FieldLocation {
  const prefix = listItem === undefined ? '' : `items[${listItem}]`;
  const full = field === null ? (prefix || null) : prefix ? `${prefix}.${field}` : field;
  return locateField(match.doc, match.parsed.lineCounter, full);
}

/** Does a patch document target this resource? */
function patchTargets(patch: Record<string, unknown>, resource: Resource, target: Record<string, unknown> | null): boolean {
  if (target) {
    if (typeof target.kind === 'string' && target.kind !== resource.ref.kind) return false;
    // Target names are anchored regexes over the name before this overlay's prefix/suffix.
    if (typeof target.name === 'string' && !new RegExp(`(^|-)(${target.name})(-|$)`).test(resource.ref.name)) return false;
    return true;
  }
  const name = String((asObject(patch.metadata) ?? {}).name ?? '');
  return patch.kind === resource.ref.kind && name !== '' && resource.ref.name.includes(name);
}

interface PatchHit {
  file: string;
  loc: FieldLocation;
}

/** Looks for the field in the patches of the kustomizations that transformed the resource. */
/** A dotted field path as the JSON pointer a JSON 6902 patch would use: a.b[0] -> /a/b/0. */
function toPointer(field: string): string {
  return splitFieldPath(field).map((seg) => `/${String(seg).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * The field inside one patch document, when the patch sets it: a strategic-merge patch (a mapping
 * naming the resource) or a JSON 6902 patch (a list of operations; the entry's target names the
 * resource) whose add/replace operation writes the field or one of its parents.
 */
function fieldInPatchDoc(d: YamlDoc, lc: LineCounter, resource: Resource, target: Record<string, unknown> | null, field: string): FieldLocation | null {
  if (Array.isArray(d.value)) {
    if (!target || !patchTargets({}, resource, target)) return null;
    const pointer = toPointer(field);
    for (let i = (d.value as unknown[]).length - 1; i >= 0; i -= 1) {
      const op = asObject((d.value as unknown[])[i]);
      if (!op || typeof op.path !== 'string' || !['add', 'replace', 'copy', 'move'].includes(String(op.op))) continue;
      if (pointer === op.path) return locateField(d.doc, lc, `[${i}].value`);
      if (pointer.startsWith(`${op.path}/`)) {
        const below = locateField(d.doc, lc, `[${i}].value${fieldTail(field, op.path)}`);
        return below.exact ? below : locateField(d.doc, lc, `[${i}].value`);
      }
    }
    return null;
  }
  const v = asObject(d.value);
  if (!v || !patchTargets(v, resource, target)) return null;
  const loc = locateField(d.doc, lc, field);
  return loc.exact ? loc : null;
}

/** The part of a dotted field below a JSON pointer prefix, as a field suffix (".c[0]"). */
function fieldTail(field: string, pointer: string): string {
  const depth = pointer.split('/').length - 1;
  const segs = splitFieldPath(field).slice(depth);
  return segs.map((seg) => (typeof seg === 'number' ? `[${seg}]` : `.${seg}`)).join('');
}

/** Looks for the field in the patches of the kustomizations that transformed the resource. */
function findInPatches(cache: FileCache, resource: Resource, field: string): PatchHit | null {
  for (const kfile of [...resource.origin.transformedBy].reverse()) {
    const kparsed = cache.get(kfile);
    const k = asObject(kparsed?.docs[0]?.value);
    if (!k || !kparsed) continue;
    const entries: Array<{ path?: string; patch?: string; target: Record<string, unknown> | null; index: number; key: string }> = [];
    for (const key of ['patches', 'patchesJson6902']) {
      (Array.isArray(k[key]) ? (k[key] as unknown[]) : []).forEach((p, index) => {
        const o = asObject(p);
        if (o) entries.push({ path: typeof o.path === 'string' ? o.path : undefined, patch: typeof o.patch === 'string' ? o.patch : undefined, target: asObject(o.target), index, key });
      });
    }
    (Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : []).forEach((p: unknown, index: number) => {
      if (typeof p === 'string') entries.push(p.includes('\n') ? { patch: p, target: null, index, key: 'patchesStrategicMerge' } : { path: p, target: null, index, key: 'patchesStrategicMerge' });
    });
    // Later patches win, as kustomize applies them in order.
    for (const e of entries.reverse()) {
      if (e.path) {
        const abs = path.resolve(path.dirname(kfile), e.path);
        const parsed = cache.get(abs);
        if (!parsed) continue;
        for (const d of parsed.docs) {
          const loc = fieldInPatchDoc(d, parsed.lineCounter, resource, e.target, field);
          if (loc) return { file: abs, loc };
        }
      } else if (e.patch) {
        const inline = parseYaml(e.patch);
        for (const d of inline.docs) {
          if (fieldInPatchDoc(d, inline.lineCounter, resource, e.target, field)) {
            return { file: kfile, loc: locateField(kparsed.docs[0]!.doc, kparsed.lineCounter, `${e.key}[${e.index}]`) };
          }
        }
      }
    }
  }
  return null;
}

/** Line of a generator entry (`configMapGenerator: - name: X`) in a kustomization. */
function generatorLocation(cache: FileCache, kfile: string, kind: string, name: string): FieldLocation | null {
  const parsed = cache.get(kfile);
  const k = asObject(parsed?.docs[0]?.value);
  if (!parsed || !k) return null;
  const key = /Secret/.test(kind) ? 'secretGenerator' : 'configMapGenerator';
  const list = Array.isArray(k[key]) ? (k[key] as unknown[]) : [];
  let best = -1;
  list.forEach((g, i) => {
    const n = String(asObject(g)?.name ?? '');
    if (n !== '' && name.includes(n) && (best === -1 || n.length > String(asObject(list[best])?.name ?? '').length)) best = i;
  });
  return locateField(parsed.docs[0]!.doc, parsed.lineCounter, best >= 0 ? `${key}[${best}].name` : key);
}

/**
 * Where to point a finding about `field` of `resource` (field null: the resource itself).
 * `targetFile` is the target's kustomization (or null for plain files): named as "rendered by"
 * when the location lies outside the target.
 */
export function mapLocation(repoRoot: string, cache: FileCache, resource: Resource, field: string | null, targetFile: string | null): Mapped {
  const related: RelatedLocation[] = [];
  const rel = (abs: string) => displayPath(repoRoot, abs);
  const renderedBy = (): void => {
    if (targetFile !== null && targetFile !== resource.origin.file) {
      related.push({ file: rel(targetFile), line: 1, column: 1, message: 'rendered by' });
    }
  };
  const origin = resource.origin;
  if (origin.generator) {
    const loc = generatorLocation(cache, origin.file, origin.generator.kind, resource.ref.name);
    renderedBy();
    return { location: { file: rel(origin.file), line: loc?.line ?? 1, column: loc?.column ?? 1 }, related };
  }
  const parsed = cache.get(origin.file);
  const match = parsed ? findDoc(parsed, resource) : null;
  if (!match) {
    renderedBy();
    return { location: { file: rel(origin.file), line: 1, column: 1 }, related };
  }
  const loc = fieldIn(match, field, origin.listItem);
  if (loc.exact || field === null) {
    if (origin.transformedBy.length > 0 && field !== null) {
      // The base has the field; an overlay patch may still have changed its value.
      const hit = findInPatches(cache, resource, field);
      if (hit) {
        related.push({ file: rel(origin.file), line: loc.line, column: loc.column, message: 'field declared in base' });
        renderedBy();
        return { location: { file: rel(hit.file), line: hit.loc.line, column: hit.loc.column }, related };
      }
    }
    renderedBy();
    return { location: { file: rel(origin.file), line: loc.line, column: loc.column }, related };
  }
  // The field is not in the resource's own file: an overlay patch set it, or nobody did.
  const hit = field !== null ? findInPatches(cache, resource, field) : null;
  if (hit) {
    const resLoc = fieldIn(match, null, origin.listItem);
    related.push({ file: rel(origin.file), line: resLoc.line, column: resLoc.column, message: 'resource defined here' });
    renderedBy();
    return { location: { file: rel(hit.file), line: hit.loc.line, column: hit.loc.column }, related };
  }
  for (const k of origin.transformedBy) {
    if (k !== targetFile) related.push({ file: rel(k), line: 1, column: 1, message: 'transformed by' });
  }
  renderedBy();
  return { location: { file: rel(origin.file), line: loc.line, column: loc.column }, related };
}
