/**
 * Source map for chart-rendered objects: a finding on a field of an object a Helm chart produced
 * points at the values line that configures it (the Application's valuesObject/values, a value
 * file, a parameter), else at the Application's `chart:` line; the chart template is related.
 *
 * Which value configures a field is not recorded by helm, so it is matched by name: the value
 * whose key path shares the longest suffix with the field (`resources.limits.cpu` for
 * `spec.template.spec.containers[0].resources.limits.cpu`), ties broken by equal value, then by
 * the later layer (the one helm lets win). A field nobody configured is looked up by its nearest
 * specific ancestor (`securityContext` for a missing `securityContext.runAsNonRoot`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Mapped } from '../locate/sourcemap.js';
import type { FileCache } from '../util/cache.js';
import { mapLocation } from '../locate/sourcemap.js';
import { displayPath } from '../util/paths.js';
import type { Location, RelatedLocation, Resource } from '../pipeline/types.js';
import { asObject, locateField, parseYaml, splitFieldPath } from '../util/yaml.js';
import type { ChartOrigin, ValuesLayer } from './helm.js';

/** Field names too general to say which value configures them. */
const GENERIC = new Set(['spec', 'metadata', 'template', 'containers', 'initContainers', 'name', 'items', 'data', 'status', 'value', 'values', 'enabled', 'type', 'labels', 'annotations']);

interface ValueNode {
  path: Array<string | number>;
  value: unknown;
  layer: number;
}

function nodesOf(values: unknown, layer: number, prefix: Array<string | number> = [], out: ValueNode[] = []): ValueNode[] {
  if (Array.isArray(values)) values.forEach((v, i) => nodesOf(v, layer, [...prefix, i], out));
  else if (asObject(values)) for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
    out.push({ path: [...prefix, k], value: v, layer });
    nodesOf(v, layer, [...prefix, k], out);
  }
  return out;
}

function keysOnly(segs: Array<string | number>): string[] {
  return segs.filter((s): s is string => typeof s === 'string');
}

function commonSuffix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n += 1;
  return n;
}

function valueAt(obj: unknown, segs: Array<string | number>): unknown {
  let cur: unknown = obj;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

/** A dotted field path, keys with dots in brackets (the form splitFieldPath reads). */
export function fieldPath(segs: Array<string | number>): string {
  return segs
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /[.[\]]/.test(s) ? `["${s}"]` : i === 0 ? s : `.${s}`))
    .join('')
    .replace(/^\./, '');
}

/** String leaves of a value (itself when it is a string), with their paths. */
function stringLeaves(node: ValueNode): ValueNode[] {
  if (typeof node.value === 'string') return [node];
  return nodesOf(node.value, node.layer, node.path).filter((n) => typeof n.value === 'string');
}

/**
 * The value node that configures `field`, or null. Evidence, besides the key path: the rendered
 * value equals the value, or contains one of its strings (an image built from repository and tag).
 */
export function configuringValue(layers: ValuesLayer[], object: Record<string, unknown>, field: string): ValueNode | null {
  const nodes = layers.flatMap((l, i) => nodesOf(l.values, i));
  const segs = splitFieldPath(field);
  for (let depth = segs.length; depth > 0; depth -= 1) {
    const ancestor = segs.slice(0, depth);
    const keys = keysOnly(ancestor);
    const last = keys[keys.length - 1];
    if (last === undefined || typeof ancestor[ancestor.length - 1] === 'number') continue;
    if (depth < segs.length && GENERIC.has(last)) continue;
    const rendered = valueAt(object, ancestor);
    let best: { node: ValueNode; rank: number } | null = null;
    for (const node of nodes) {
      const nkeys = keysOnly(node.path);
      if (nkeys[nkeys.length - 1] !== last || typeof node.path[node.path.length - 1] === 'number') continue;
      const score = commonSuffix(nkeys, keys);
      const equal = JSON.stringify(node.value) === JSON.stringify(rendered);
      const contained = typeof rendered === 'string' ? stringLeaves(node).find((l) => String(l.value).length >= 3 && rendered.includes(String(l.value))) ?? null : null;
      // Without evidence a one-key match (`cpu` of requests for a finding on limits) says nothing.
      if (score < Math.min(2, keys.length) && !equal && contained === null) continue;
      const rank = score * 4 + (equal ? 2 : 0) + (contained ? 1 : 0);
      const pick = contained ?? node;
      if (!best || rank > best.rank || (rank === best.rank && node.layer >= best.node.layer)) best = { node: pick, rank };
    }
    if (best) return best.node;
  }
  // No key matches: a distinctive string value that the rendered field contains (global.hub in an image).
  const rendered = valueAt(object, segs);
  if (typeof rendered !== 'string') return null;
  const hits = nodes.filter((n) => typeof n.value === 'string' && n.value.length >= 8 && rendered.includes(n.value));
  hits.sort((x, y) => String(y.value).length - String(x.value).length || y.layer - x.layer);
  return hits[0] ?? null;
}

/** Where a values node is written: the Application's inline values, a value file, a parameter. */
function locateValue(repoRoot: string, cache: FileCache, chart: ChartOrigin, node: ValueNode): Mapped {
  const layer = chart.layers[node.layer]!;
  const sub = fieldPath(node.path);
  if (layer.kind === 'valuesObject') return mapLocation(repoRoot, cache, chart.app, `${layer.field}.${sub}`, null);
  if (layer.kind === 'parameter') return mapLocation(repoRoot, cache, chart.app, layer.field, null);
  if (layer.kind === 'valueFile') {
    const parsed = cache.get(layer.file);
    const doc = parsed?.docs[0];
    const loc = doc ? locateField(doc.doc, parsed!.lineCounter, sub) : { line: 1, column: 1 };
    return { location: { file: displayPath(repoRoot, layer.file), line: loc.line, column: loc.column }, related: [] };
  }
  // `values: |` (a YAML string): the line inside the block, counted from the line after `values:`.
  const at = mapLocation(repoRoot, cache, chart.app, layer.field, null);
  const app = chart.app.object;
  const text = String(valueAt(app, splitFieldPath(layer.field)) ?? '');
  const inner = parseYaml(text);
  const d = inner.docs[0];
  if (!d) return at;
  const loc = locateField(d.doc, inner.lineCounter, sub);
  return { location: { ...at.location, line: at.location.line + loc.line, column: at.location.column + loc.column + 1 }, related: at.related };
}

function templateLocation(repoRoot: string, chart: ChartOrigin, field: string | null): RelatedLocation | null {
  if (!chart.template) return null;
  const abs = path.join(path.dirname(chart.chartDir), chart.template);
  let line = 1;
  let column = 1;
  if (field !== null) {
    const keys = keysOnly(splitFieldPath(field));
    const last = keys[keys.length - 1];
    try {
      const lines = readFileSync(abs, 'utf8').split('\n');
      const i = lines.findIndex((l) => new RegExp(`^\\s*-?\\s*${last!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`).test(l));
      if (i >= 0) {
        line = i + 1;
        column = lines[i]!.search(/\S/) + 1;
      }
    } catch {
      /* the template is named at line 1 */
    }
  }
  return { file: displayPath(repoRoot, abs), line, column, message: `chart template (${chart.chart} ${chart.version})` };
}

/** Where to point a finding about `field` of an object rendered from a chart. */
export function mapChartLocation(repoRoot: string, cache: FileCache, resource: Resource, field: string | null): Mapped {
  const chart = resource.origin.chart!;
  const related: RelatedLocation[] = [];
  const tpl = templateLocation(repoRoot, chart, field);
  const chartLine = mapLocation(repoRoot, cache, chart.app, `${chart.sourceField}.chart`, null).location;
  const node = field === null ? null : configuringValue(chart.layers, resource.object, field);
  let location: Location;
  if (node !== null) {
    const m = locateValue(repoRoot, cache, chart, node);
    location = m.location;
    related.push({ ...chartLine, message: `chart ${chart.chart} ${chart.version} of Application/${chart.app.ref.name}` });
    related.push(...m.related.filter((r) => r.message !== 'rendered by'));
  } else {
    location = chartLine;
  }
  if (tpl) related.push(tpl);
  return { location, related };
}
