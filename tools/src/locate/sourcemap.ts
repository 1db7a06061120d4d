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
import { deletionIn, findListItem, generatorKeyHit, inlineToFile, sourceField, transformerHit } from './mechanisms.js';
import { mapChartLocation } from '../render/helm-map.js';
import type { ResultCache } from '../util/results.js';
import { locationKey } from '../pipeline/verdicts.js';

export interface Mapped {
  location: Location;
  related: RelatedLocation[];
}

interface DocMatch {
  doc: Document.Parsed;
  parsed: ParsedYaml;
  value: Record<string, unknown>;
  /** Index of the item in a `kind: *List` document that declares the resource. */
  listItem?: number;
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
  if (pick && exact) return { doc: pick.d.doc, parsed, value: pick.value };
  // Items of a List file rendered through kustomize carry no item index: find them by kind and name.
  const item = findListItem(parsed, resource.ref.kind, resource.ref.name);
  if (item) return { doc: item.doc.doc, parsed, value: item.value, listItem: item.item };
  return pick ? { doc: pick.d.doc, parsed, value: pick.value } : null;
}

function fieldIn(match: DocMatch, field: string | null, listItem?: number, rendered?: Record<string, unknown>): FieldLocation {
  const item = listItem ?? match.listItem;
  const prefix = item === undefined ? '' : `items[${item}]`;
  // List indexes of the rendered object, translated by merge key to the source's.
  const translated = field !== null && rendered ? sourceField(rendered, match.value, field) : field;
  if (field !== null && translated === null) {
    const parent = locateField(match.doc, match.parsed.lineCounter, prefix || null);
    return { ...parent, exact: false };
  }
  const full = translated === null ? (prefix || null) : prefix ? `${prefix}.${translated}` : translated;
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
      // An append (`/-`) wrote the last item of the rendered list.
      let opPath = op.path;
      if (opPath.endsWith('/-')) {
        const listPointer = opPath.slice(0, -2);
        const list = pointerGet(resource.object, listPointer);
        if (Array.isArray(list) && list.length > 0) opPath = `${listPointer}/${list.length - 1}`;
      }
      if (pointer === opPath) return locateField(d.doc, lc, `[${i}].value`);
      if (pointer.startsWith(`${opPath}/`)) {
        const below = locateField(d.doc, lc, `[${i}].value${fieldTail(field, opPath)}`);
        return below.exact ? below : locateField(d.doc, lc, `[${i}].value`);
      }
    }
    return null;
  }
  const v = asObject(d.value);
  if (!v || !patchTargets(v, resource, target)) return null;
  const translated = sourceField(resource.object, v, field);
  if (translated === null) return null;
  const loc = locateField(d.doc, lc, translated);
  return loc.exact ? loc : null;
}

/** The value at a JSON pointer. */
function pointerGet(value: unknown, pointer: string): unknown {
  let v = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A deleting patch document that targets the resource and removed the field or a parent. */
function deletionInPatchDoc(d: YamlDoc, lc: LineCounter, resource: Resource, target: Record<string, unknown> | null, field: string): FieldLocation | null {
  if (Array.isArray(d.value)) {
    if (!target || !patchTargets({}, resource, target)) return null;
  } else {
    const v = asObject(d.value);
    if (!v || !patchTargets(v, resource, target)) return null;
  }
  return deletionIn(d, lc, field, toPointer(field), resource.object);
}

/** The part of a dotted field below a JSON pointer prefix, as a field suffix (".c[0]"). */
function fieldTail(field: string, pointer: string): string {
  const depth = pointer.split('/').length - 1;
  const segs = splitFieldPath(field).slice(depth);
  return segs.map((seg) => (typeof seg === 'number' ? `[${seg}]` : `.${seg}`)).join('');
}

/**
 * Looks for what set (or removed) the field in the kustomizations that transformed the resource,
 * outermost first: its transformers (images, replicas, namePrefix ..., which run after its
 * patches), then its patches, later ones first as kustomize applies them in order.
 */
function findInPatches(cache: FileCache, resource: Resource, field: string, baseValue?: unknown): PatchHit | null {
  for (const kfile of [...resource.origin.transformedBy].reverse()) {
    const kparsed = cache.get(kfile);
    const k = asObject(kparsed?.docs[0]?.value);
    if (!k || !kparsed) continue;
    const kdoc = kparsed.docs[0]!.doc;
    const t = transformerHit(kfile, k, kdoc, kparsed.lineCounter, resource.object, resource.ref.name, field, baseValue);
    if (t) return t;
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
    const inDoc = (d: YamlDoc, lc: LineCounter, e: (typeof entries)[number]): FieldLocation | null =>
      fieldInPatchDoc(d, lc, resource, e.target, field) ?? deletionInPatchDoc(d, lc, resource, e.target, field);
    // Later patches win, as kustomize applies them in order.
    for (const e of entries.reverse()) {
      if (e.path) {
        const abs = path.resolve(path.dirname(kfile), e.path);
        const parsed = cache.get(abs);
        if (!parsed) continue;
        for (const d of parsed.docs) {
          const loc = inDoc(d, parsed.lineCounter, e);
          if (loc) return { file: abs, loc };
        }
      } else if (e.patch) {
        const inline = parseYaml(e.patch);
        for (const d of inline.docs) {
          const loc = inDoc(d, inline.lineCounter, e);
          if (!loc) continue;
          // The line inside the patch text, in the kustomization that holds it.
          const entry = e.key === 'patchesStrategicMerge' ? [e.key, e.index] : [e.key, e.index, 'patch'];
          return { file: kfile, loc: inlineToFile(kfile, kdoc, kparsed.lineCounter, entry, loc, (f) => cache.text(f)) };
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
  // Objects a Helm chart rendered: the values line that configures the field (render/helm-map.ts).
  if (resource.origin.chart) return mapChartLocation(repoRoot, cache, resource, field);
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
    // A generated key: its literal, env-file line or files entry; a transformed field: the transformer.
    const hit = field === null ? null
      : findInPatches(cache, resource, field) ?? generatorKeyHit([origin.file, ...origin.transformedBy], (f) => cache.get(f), (f) => cache.text(f), origin.generator.kind, resource.ref.name, field);
    if (hit) {
      related.push({ file: rel(origin.file), line: loc?.line ?? 1, column: loc?.column ?? 1, message: 'generated here' });
      renderedBy();
      return { location: { file: rel(hit.file), line: hit.loc.line, column: hit.loc.column }, related };
    }
    renderedBy();
    return { location: { file: rel(origin.file), line: loc?.line ?? 1, column: loc?.column ?? 1 }, related };
  }
  const parsed = cache.get(origin.file);
  const match = parsed ? findDoc(parsed, resource) : null;
  if (!match) {
    renderedBy();
    return { location: { file: rel(origin.file), line: 1, column: 1 }, related };
  }
  const loc = fieldIn(match, field, origin.listItem, resource.object);
  if (loc.exact || field === null) {
    if (origin.transformedBy.length > 0 && field !== null) {
      // The base has the field; an overlay patch or transformer may still have changed its value.
      const sf = sourceField(resource.object, match.value, field);
      const baseValue = sf === null ? undefined : splitFieldPath(sf).reduce<unknown>((v, seg) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg as string] : undefined), match.value);
      const hit = findInPatches(cache, resource, field, baseValue);
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

interface KeptLocation {
  /** Every file the mapping read, with the digest of its bytes (null: it could not be read). */
  files: Array<[string, string | null]>;
  mapped: Mapped;
}

/**
 * `mapLocation` with the results of earlier runs: a location is kept with the digests of the
 * files its mapping read (FileCache.track), and taken again while each of them is unchanged, so a
 * run re-reads and re-parses only the files that changed. Chart-rendered objects (whose mapping
 * reads chart templates outside the cache) are always mapped afresh.
 */
export function rememberedLocation(results: ResultCache, repoRoot: string, cache: FileCache, resource: Resource, field: string | null, targetFile: string | null): Mapped {
  if (!results.enabled || resource.origin.chart) return mapLocation(repoRoot, cache, resource, field, targetFile);
  const key = locationKey(results, repoRoot, targetFile, resource, field);
  const known = results.get<KeptLocation>('location', key);
  if (known !== undefined && known.files.every(([file, d]) => cache.digest(file) === d)) return known.mapped;
  const { value, files } = cache.track(() => mapLocation(repoRoot, cache, resource, field, targetFile));
  const kept: KeptLocation = { files: files.map((f) => [f, cache.digest(f)]), mapped: value };
  results.set('location', key, kept);
  return value;
}
