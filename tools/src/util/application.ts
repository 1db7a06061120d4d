/** The shape of an Argo CD Application that both the repository facts and the cluster renderer read. */
import { asObject } from './yaml.js';

export interface SourceEntry {
  source: Record<string, unknown>;
  /** Field path of the source: spec.source or spec.sources[i]. */
  field: string;
}

/** An Application's sources (spec.sources, else spec.source), each with its field path. */
export function sourcesOf(app: Record<string, unknown>): SourceEntry[] {
  const spec = asObject(app.spec) ?? {};
  if (Array.isArray(spec.sources) && spec.sources.length > 0) {
    return spec.sources.flatMap((s, i) => {
      const o = asObject(s);
      return o ? [{ source: o, field: `spec.sources[${i}]` }] : [];
    });
  }
  const single = asObject(spec.source);
  return single ? [{ source: single, field: 'spec.source' }] : [];
}
