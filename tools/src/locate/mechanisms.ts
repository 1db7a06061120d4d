/**
 * Source map through kustomize's own mechanisms, beyond "the base file" and "a patch file":
 *   - a line inside an inline patch (`patches: - patch: |-`), mapped into the kustomization;
 *   - transformers: images, replicas, namePrefix/nameSuffix, namespace, labels/commonLabels,
 *     commonAnnotations, at the kustomization line that set the value;
 *   - generators: the literal, env-file line or files entry of a generated ConfigMap/Secret key;
 *   - deleting patches: `$patch: delete`, a null in a strategic merge patch, a JSON 6902 remove;
 *   - list items: indexes of the rendered object translated to the source's by merge key
 *     (containers by name ...), and items of `kind: *List` files;
 *   - kustomize's own errors at the kustomization entry they are about.
 * Pure functions over parsed files; sourcemap.ts strings them together.
 */
import path from 'node:path';
import { isScalar, type Document, type LineCounter, type Scalar } from 'yaml';
import { asObject, locateField, splitFieldPath, type FieldLocation, type ParsedYaml, type YamlDoc } from '../util/yaml.js';

/** A place in a file. */
export interface Hit {
  file: string;
  loc: FieldLocation;
}

type Segments = Array<string | number>;

/** Keys by which strategic merge identifies the items of a list (Kubernetes patchMergeKey). */
const MERGE_KEYS = ['name', 'containerPort', 'mountPath', 'devicePath', 'ip', 'topologyKey', 'port'];

function join(segs: Segments): string {
  return segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function getAt(value: unknown, segs: Segments): unknown {
  let v = value;
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s as never];
  }
  return v;
}

/**
 * The field of the rendered object as a path in a source value (base document or strategic merge
 * patch): list indexes are translated by merge key (a container by its name), so a patch that
 * lists only the second container, or a base whose first container a patch deleted, still
 * resolves. Null when the source does not hold that list item.
 */
export function sourceField(rendered: unknown, source: unknown, field: string): string | null {
  const segs = splitFieldPath(field);
  const out: Segments = [];
  for (let i = 0; i < segs.length; i += 1) {
    const seg = segs[i]!;
    if (typeof seg !== 'number') {
      out.push(seg);
      continue;
    }
    const item = asObject(getAt(rendered, segs.slice(0, i + 1)));
    const list = getAt(source, out);
    const keys = item ? MERGE_KEYS.filter((k) => k in item && (typeof item[k] === 'string' || typeof item[k] === 'number')) : [];
    if (!item || keys.length === 0 || !Array.isArray(list)) {
      out.push(seg);
      continue;
    }
    // Items sharing the first key (two ports named alike, which the API server rejects) are told
    // apart by the other keys they carry.
    const candidates = list.flatMap((x, j) => (asObject(x)?.[keys[0]!] === item[keys[0]!] ? [j] : []));
    if (candidates.length === 0) return null;
    const fits = (j: number): boolean => {
      const x = asObject(list[j]) ?? {};
      return keys.every((k) => !(k in x) || x[k] === item[k]);
    };
    out.push(candidates.find(fits) ?? candidates[0]!);
  }
  return join(out);
}

/** The items of `kind: *List` documents: which document and item declares the resource. */
export function findListItem(parsed: ParsedYaml, kind: string, name: string): { doc: YamlDoc; item: number; value: Record<string, unknown> } | null {
  let contained: { doc: YamlDoc; item: number; value: Record<string, unknown> } | null = null;
  for (const d of parsed.docs) {
    const v = asObject(d.value);
    if (!v || !/List$/.test(String(v.kind)) || !Array.isArray(v.items)) continue;
    for (const [i, it] of (v.items as unknown[]).entries()) {
      const o = asObject(it);
      const n = String(asObject(o?.metadata)?.name ?? '');
      if (!o || o.kind !== kind || n === '') continue;
      if (n === name) return { doc: d, item: i, value: o };
      if (name.includes(n)) contained ??= { doc: d, item: i, value: o };
    }
  }
  return contained;
}

/**
 * A location inside an inline patch, in the kustomization that holds it. Only literal block
 * scalars (`patch: |-`) map line for line; other forms point at the `patch:` value.
 */
export function inlineToFile(kfile: string, kdoc: Document.Parsed, lc: LineCounter, entry: Segments, inner: FieldLocation, readText: (file: string) => string | null): FieldLocation {
  const node = kdoc.getIn(entry, true) as Scalar | undefined;
  const fallback = locateField(kdoc, lc, join(entry));
  if (!node || !isScalar(node) || node.type !== 'BLOCK_LITERAL' || !node.range) return fallback;
  const text = readText(kfile);
  if (text === null) return fallback;
  const header = lc.linePos(node.range[0]).line;
  const lines = text.split('\n');
  const first = lines.slice(header).find((l) => l.trim() !== '');
  const indent = first ? first.length - first.trimStart().length : 0;
  return { line: header + inner.line, column: inner.column + indent, exact: inner.exact };
}

/** Is this name (after the overlays' prefixes and suffixes) the one a transformer entry names? */
function namesResource(entryName: unknown, resourceName: string): boolean {
  return typeof entryName === 'string' && entryName !== '' && new RegExp(`(^|-)(${entryName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(-|$)`).test(resourceName);
}

function imageRepo(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * The line of a kustomization's transformer that set the field, if one did: images (by the
 * image's name before or after), replicas, namePrefix/nameSuffix, namespace, commonLabels and
 * labels pairs, commonAnnotations. `baseValue` is the field's value in the resource's own file.
 */
export function transformerHit(
  kfile: string, k: Record<string, unknown>, kdoc: Document.Parsed, lc: LineCounter,
  rendered: Record<string, unknown>, resourceName: string, field: string, baseValue: unknown,
): Hit | null {
  const segs = splitFieldPath(field);
  const at = (f: string): Hit => ({ file: kfile, loc: locateField(kdoc, lc, f) });
  const last = segs[segs.length - 1];
  if (field === 'metadata.name') {
    if (typeof k.namePrefix === 'string' && k.namePrefix !== '') return at('namePrefix');
    if (typeof k.nameSuffix === 'string' && k.nameSuffix !== '') return at('nameSuffix');
    return null;
  }
  if (field === 'metadata.namespace') return typeof k.namespace === 'string' && k.namespace !== '' ? at('namespace') : null;
  if (last === 'image' && segs.some((s) => typeof s === 'string' && CONTAINER_LISTS.has(s))) {
    const now = getAt(rendered, segs);
    const images = Array.isArray(k.images) ? (k.images as unknown[]) : [];
    for (let i = images.length - 1; i >= 0; i -= 1) {
      const e = asObject(images[i]);
      if (!e || typeof e.name !== 'string') continue;
      const before = typeof baseValue === 'string' ? imageRepo(baseValue) : null;
      const after = typeof now === 'string' ? imageRepo(now) : null;
      if (before !== e.name && after !== (typeof e.newName === 'string' ? e.newName : e.name)) continue;
      const which = ['digest', 'newTag', 'newName'].find((key) => typeof e[key] === 'string' || typeof e[key] === 'number');
      return at(which ? `images[${i}].${which}` : `images[${i}]`);
    }
    return null;
  }
  if (field === 'spec.replicas') {
    const list = Array.isArray(k.replicas) ? (k.replicas as unknown[]) : [];
    for (let i = list.length - 1; i >= 0; i -= 1) {
      if (namesResource(asObject(list[i])?.name, resourceName)) return at(`replicas[${i}].count`);
    }
    return null;
  }
  // Labels and annotations: the last segment is the key (it may hold dots: app.kubernetes.io/name).
  const lastLabels = Math.max(segs.lastIndexOf('labels'), segs.lastIndexOf('matchLabels'));
  // A Service's selector is a plain map: spec.selector.<key>.
  const labelIdx = lastLabels >= 0 && lastLabels < segs.length - 1 ? lastLabels : segs[0] === 'spec' && segs[1] === 'selector' && segs.length === 3 ? 1 : -1;
  if (labelIdx >= 0) {
    const key = segs.slice(labelIdx + 1).join('.');
    const where = segs.slice(0, labelIdx + 1).join('.');
    const inMetadata = where === 'metadata.labels';
    const common = asObject(k.commonLabels);
    if (common && key in common) return at(`commonLabels.${key}`);
    const list = Array.isArray(k.labels) ? (k.labels as unknown[]) : [];
    for (let i = list.length - 1; i >= 0; i -= 1) {
      const e = asObject(list[i]);
      const pairs = asObject(e?.pairs);
      if (!e || !pairs || !(key in pairs)) continue;
      const reaches = inMetadata || e.includeSelectors === true || (e.includeTemplates === true && /template\.metadata\.labels$/.test(where));
      if (reaches) return at(`labels[${i}].pairs.${key}`);
    }
    return null;
  }
  if (segs[0] === 'metadata' && segs[1] === 'annotations' && segs.length > 2) {
    const key = segs.slice(2).join('.');
    const common = asObject(k.commonAnnotations);
    if (common && key in common) return at(`commonAnnotations.${key}`);
  }
  return null;
}

/**
 * Where a deleting patch removed the field or one of its parents: `$patch: delete` (or a null
 * value) on the way down a strategic merge patch document, or a JSON 6902 remove operation.
 */
export function deletionIn(d: YamlDoc, lc: LineCounter, field: string, pointer: string, rendered: unknown): FieldLocation | null {
  if (Array.isArray(d.value)) {
    const ops = d.value as unknown[];
    for (let i = ops.length - 1; i >= 0; i -= 1) {
      const op = asObject(ops[i]);
      if (op?.op === 'remove' && typeof op.path === 'string' && (pointer === op.path || pointer.startsWith(`${op.path}/`))) {
        return locateField(d.doc, lc, `[${i}].op`);
      }
    }
    return null;
  }
  const segs = splitFieldPath(field);
  let node: unknown = d.value;
  const walked: Segments = [];
  for (const seg of segs) {
    const o = asObject(node);
    if (o && o.$patch === 'delete') return locateField(d.doc, lc, walked.length ? `${join(walked)}.$patch` : '$patch');
    if (typeof seg === 'number') {
      const translated = sourceField(rendered, d.value, join([...walked, seg]));
      if (translated === null) return null;
      const idx = splitFieldPath(translated).at(-1);
      if (!Array.isArray(node) || typeof idx !== 'number') return null;
      walked.push(idx);
      node = node[idx];
      continue;
    }
    if (!o || !(seg in o)) return null;
    walked.push(seg);
    node = o[seg];
    if (node === null) return locateField(d.doc, lc, join(walked));
  }
  const o = asObject(node);
  return o && o.$patch === 'delete' ? locateField(d.doc, lc, `${join(walked)}.$patch`) : null;
}

/** The generator entries (configMapGenerator / secretGenerator) of a kustomization naming the object. */
function generatorEntries(k: Record<string, unknown>, kind: string, name: string): Array<{ key: string; index: number; entry: Record<string, unknown> }> {
  const key = /Secret/.test(kind) ? 'secretGenerator' : 'configMapGenerator';
  const list = Array.isArray(k[key]) ? (k[key] as unknown[]) : [];
  return list
    .map((g, index) => ({ key, index, entry: asObject(g) }))
    .filter((x): x is { key: string; index: number; entry: Record<string, unknown> } => x.entry !== null && namesResource(x.entry.name, name));
}

/**
 * The line of a generated key: `data.KEY` / `stringData.KEY` of a generated ConfigMap or Secret
 * is the `KEY=...` literal, the `KEY=` line of an env file, or the files entry that made it.
 * Later kustomizations (overlays merging into the generator) win.
 */
export function generatorKeyHit(
  kfiles: string[], read: (file: string) => ParsedYaml | null, readText: (file: string) => string | null, kind: string, name: string, field: string,
): Hit | null {
  const segs = splitFieldPath(field);
  if (segs.length < 2 || (segs[0] !== 'data' && segs[0] !== 'binaryData' && segs[0] !== 'stringData')) return null;
  const dataKey = segs.slice(1).join('.');
  for (const kfile of [...kfiles].reverse()) {
    const parsed = read(kfile);
    const kdoc = parsed?.docs[0];
    const k = asObject(kdoc?.value);
    if (!parsed || !kdoc || !k) continue;
    for (const { key, index, entry } of generatorEntries(k, kind, name).reverse()) {
      const at = (f: string): Hit => ({ file: kfile, loc: locateField(kdoc.doc, parsed.lineCounter, `${key}[${index}].${f}`) });
      const literals = Array.isArray(entry.literals) ? (entry.literals as unknown[]) : [];
      for (let i = literals.length - 1; i >= 0; i -= 1) {
        if (typeof literals[i] === 'string' && (literals[i] as string).split('=')[0]!.trim() === dataKey) return at(`literals[${i}]`);
      }
      const envs = [...(Array.isArray(entry.envs) ? (entry.envs as unknown[]) : []), entry.env].filter((e): e is string => typeof e === 'string');
      for (const env of envs.reverse()) {
        const abs = path.resolve(path.dirname(kfile), env);
        const text = readText(abs);
        if (text === null) continue;
        const lines = text.split('\n');
        const i = lines.findIndex((l) => l.replace(/^\s*export\s+/, '').split('=')[0]!.trim() === dataKey && !l.trimStart().startsWith('#'));
        if (i >= 0) return { file: abs, loc: { line: i + 1, column: lines[i]!.length - lines[i]!.trimStart().length + 1, exact: true } };
      }
      const files = Array.isArray(entry.files) ? (entry.files as unknown[]) : [];
      for (let i = files.length - 1; i >= 0; i -= 1) {
        const f = files[i];
        if (typeof f !== 'string') continue;
        const named = f.includes('=') ? f.split('=')[0]! : path.basename(f);
        if (named === dataKey) return at(`files[${i}]`);
      }
    }
  }
  return null;
}

/** A kustomize error, placed at the kustomization entry it is about. */
export interface KustomizeErrorPlace {
  file: string;
  line: number;
  column: number;
  field: string | null;
  message: string;
}

const ENTRY_KEYS = ['resources', 'bases', 'components', 'crds', 'patchesStrategicMerge', 'transformers', 'generators', 'validators'];

/** Every string entry of a kustomization with its field path (`resources[1]`, `patches[0].path`, generator files). */
function entries(k: Record<string, unknown>): Array<{ value: string; field: string }> {
  const out: Array<{ value: string; field: string }> = [];
  for (const key of ENTRY_KEYS) {
    (Array.isArray(k[key]) ? (k[key] as unknown[]) : []).forEach((v, i) => {
      if (typeof v === 'string') out.push({ value: v, field: `${key}[${i}]` });
    });
  }
  for (const key of ['patches', 'patchesJson6902', 'replacements']) {
    (Array.isArray(k[key]) ? (k[key] as unknown[]) : []).forEach((v, i) => {
      const p = asObject(v)?.path;
      if (typeof p === 'string') out.push({ value: p, field: `${key}[${i}].path` });
    });
  }
  for (const key of ['configMapGenerator', 'secretGenerator']) {
    (Array.isArray(k[key]) ? (k[key] as unknown[]) : []).forEach((v, i) => {
      const g = asObject(v);
      for (const list of ['files', 'envs']) {
        (Array.isArray(g?.[list]) ? (g![list] as unknown[]) : []).forEach((f, j) => {
          if (typeof f === 'string') out.push({ value: f.includes('=') ? f.slice(f.indexOf('=') + 1) : f, field: `${key}[${i}].${list}[${j}]` });
        });
      }
      if (typeof g?.env === 'string') out.push({ value: g.env, field: `${key}[${i}].env` });
    });
  }
  return out;
}

/** Folders kustomize names in its message, innermost last ("recursed accumulation of path '/x'"). */
function namedFolders(message: string): string[] {
  const out: string[] = [];
  const re = /(?:recursed accumulation of path|accumulating resources from|in kustomization file at|loading KV pairs from|at path) '([^']+)'/g;
  for (let m = re.exec(message); m !== null; m = re.exec(message)) out.push(m[1]!);
  return out;
}

/**
 * The innermost cause of a nested kustomize error, without the accumulation wrappers that repeat
 * every folder on the way down, and without absolute paths of the repository.
 */
export function kustomizeCause(message: string, repoRoot: string): string {
  let m = message.replace(/^Error: /, '').trim().split('\n')[0] ?? '';
  m = m.replace(/accumulating resources: accumulation err='accumulating resources from '[^']*': '[^']*' must resolve to a file': recursed accumulation of path '[^']*': /g, '');
  m = m.replace(/accumulating resources from '[^']*': '[^']*' must resolve to a file': recursed accumulation of path '[^']*': /g, '');
  // "X: must build at directory: not a valid directory: X" repeats the same cause.
  m = m.replace(/': must build at directory: not a valid directory: .*$/, "'");
  m = m.replace(/^accumulating resources: accumulation err='accumulating resources from '[^']*': '[^']*' must resolve to a file': couldn't make target for path '[^']*': /, '');
  m = m.replace(/^accumulating resources: accumulation err='accumulating resources from '([^']*)': (.*)'$/, "resource '$1': $2");
  m = m.split(`${repoRoot}/`).join('');
  return m.length > 400 ? `${m.slice(0, 400)}…` : m;
}

/**
 * Which kustomization and entry a kustomize error is about: the innermost folder it names that
 * holds a kustomization, and the entry of that kustomization quoted in the message (the last one
 * quoted wins). Falls back to the target's kustomization at its first line.
 */
export function locateKustomizeError(
  message: string, targetKustomization: string, repoRoot: string,
  kustomizationIn: (dir: string) => string | null, read: (file: string) => ParsedYaml | null,
): KustomizeErrorPlace {
  const cause = kustomizeCause(message, repoRoot);
  const folders = namedFolders(message).map((f) => (path.isAbsolute(f) ? f : path.resolve(repoRoot, f)));
  const candidates = [...new Set([...folders.reverse().map((d) => kustomizationIn(d)).filter((f): f is string => f !== null), targetKustomization])];
  for (const kfile of candidates) {
    const parsed = read(kfile);
    const kdoc = parsed?.docs[0];
    const k = asObject(kdoc?.value);
    if (!parsed || !kdoc || !k) continue;
    let best: { field: string; at: number } | null = null;
    for (const e of entries(k)) {
      const abs = path.resolve(path.dirname(kfile), e.value);
      const at = Math.max(cause.lastIndexOf(`'${e.value}'`), message.lastIndexOf(`'${e.value}'`), message.lastIndexOf(`'${abs}'`), message.lastIndexOf(`${abs}:`));
      if (at >= 0 && (best === null || at > best.at)) best = { field: e.field, at };
    }
    // A field of the wrong shape: "invalid Kustomization: json: cannot unmarshal ... field Kustomization.namePrefix".
    const struct = /Go struct field Kustomization\.([A-Za-z0-9]+)/.exec(message)?.[1];
    if (!best && struct !== undefined && struct in k) best = { field: struct, at: 0 };
    if (best) {
      const loc = locateField(kdoc.doc, parsed.lineCounter, best.field);
      return { file: kfile, line: loc.line, column: loc.column, field: best.field, message: cause };
    }
    if (kfile !== targetKustomization) return { file: kfile, line: 1, column: 1, field: null, message: cause };
  }
  return { file: targetKustomization, line: 1, column: 1, field: null, message: cause };
}
