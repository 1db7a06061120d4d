/**
 * Facts the wasm runtime cannot compute, prepared in TypeScript and handed to the policies as
 * data: quantities (no units.parse* in wasm) and PromQL parse results.
 */
import { analyzePromql, type PromqlFacts } from './promql.js';

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

const SCALE: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

/** A Kubernetes quantity in base units ("250m" -> 0.25, "1Gi" -> 1073741824), or null. */
export function parseQuantity(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const m = QUANTITY.exec(value.trim());
  if (!m) return null;
  return Number(m[1]) * SCALE[m[2] ?? '']!;
}

export interface Units {
  cpu: Record<string, number>;
  memory: Record<string, number>;
}

/** Every quantity-like scalar in the objects, as CPU millicores and as bytes. */
export function collectUnits(objects: unknown[]): Units {
  const units: Units = { cpu: {}, memory: {} };
  const visit = (v: unknown): void => {
    if (typeof v === 'string' || typeof v === 'number') {
      const key = String(v);
      if (key in units.cpu) return;
      const q = parseQuantity(v);
      if (q === null) return;
      units.cpu[key] = Math.round(q * 1000 * 1000) / 1000;
      units.memory[key] = Math.ceil(q);
      return;
    }
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  objects.forEach(visit);
  return units;
}

/** What data.promql[expr] holds (tools/src/policy/promql.ts). */
export type PromqlResult = PromqlFacts;

/** Parses a PromQL expression; the error names the offset of the first syntax error. */
export function parsePromql(expr: string): PromqlResult {
  return analyzePromql(expr);
}

/** Every "expr" string anywhere in a JSON value (Grafana dashboard panels and targets). */
function exprStrings(value: unknown, out: string[]): void {
  if (Array.isArray(value)) value.forEach((v) => exprStrings(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'expr' && typeof v === 'string') out.push(v);
      else exprStrings(v, out);
    }
  }
}

/** PromQL facts for every rule expression of the PrometheusRules and every dashboard expr of the ConfigMaps. */
export function collectPromql(objects: Array<Record<string, unknown>>, parse: (expr: string) => PromqlResult = parsePromql): Record<string, PromqlResult> {
  const out: Record<string, PromqlResult> = {};
  const add = (expr: string): void => {
    if (!(expr in out)) out[expr] = parse(expr);
  };
  for (const obj of objects) {
    if (obj.kind === 'ConfigMap') {
      for (const [key, text] of Object.entries((obj.data ?? {}) as Record<string, unknown>)) {
        if (!key.endsWith('.json') || typeof text !== 'string') continue;
        const exprs: string[] = [];
        try {
          exprStrings(JSON.parse(text), exprs);
        } catch {
          continue;
        }
        exprs.forEach(add);
      }
      continue;
    }
    if (obj.kind !== 'PrometheusRule') continue;
    const groups = ((obj.spec as { groups?: unknown[] } | undefined)?.groups ?? []) as Array<{ rules?: Array<{ expr?: unknown }> }>;
    for (const g of groups) {
      for (const r of g?.rules ?? []) {
        const expr = r?.expr;
        if (typeof expr === 'string') add(expr);
        if (typeof expr === 'number') out[String(expr)] = { ok: true, error: '', typeErrors: [], histogramQuantile: [] };
      }
    }
  }
  return out;
}
