/**
 * `--format json`: the report document of ../shared/design/REPORT.md, keys in the order shown
 * there, findings in the one deterministic order, `related` left out when empty.
 */
import type { Finding, Report } from '../pipeline/types.js';
import { sortFindings } from './order.js';

function findingJson(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    target: f.target,
    resource:
      f.resource === null
        ? null
        : { apiVersion: f.resource.apiVersion, kind: f.resource.kind, namespace: f.resource.namespace, name: f.resource.name },
    location: f.location === null ? null : { file: f.location.file, line: f.location.line, column: f.location.column },
    field: f.field,
  };
  if (f.related !== undefined && f.related.length > 0) {
    out.related = f.related.map((r) => ({ file: r.file, line: r.line, column: r.column, message: r.message }));
  }
  return out;
}

export function formatJson(report: Report): string {
  const s = report.summary;
  const doc = {
    version: report.version,
    summary: {
      targets: s.targets,
      resources: s.resources,
      errors: s.errors,
      warnings: s.warnings,
      waived: s.waived,
      incomplete: s.incomplete,
      durationMs: s.durationMs,
      tools: { ...s.tools },
    },
    findings: sortFindings(report.findings).map(findingJson),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
