/**
 * Shared helpers of the report formatters: one deterministic order of findings, paths as shown to
 * people and tools, and the plural forms of the summary line.
 */
import path from 'node:path';
import type { Finding, Report, ResourceRef } from '../pipeline/types.js';

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function resourceKey(r: ResourceRef | null): string {
  return r === null ? '' : `${r.apiVersion}\u0000${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name}`;
}

/**
 * The one order every format uses: by location file, line, column, ruleId, message; findings
 * without a location last. Ties are broken by target, resource, field and severity so that the
 * same findings always print the same way, whatever order the checks produced them in.
 */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.location === null || b.location === null) {
    if (a.location !== b.location) return a.location === null ? 1 : -1;
  } else {
    const byLocation =
      compareText(a.location.file, b.location.file) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column;
    if (byLocation !== 0) return byLocation;
  }
  return (
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.message, b.message) ||
    compareText(a.target, b.target) ||
    compareText(resourceKey(a.resource), resourceKey(b.resource)) ||
    compareText(a.field ?? '', b.field ?? '') ||
    compareText(a.severity, b.severity)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** True for a path that stays outside the repository (absolute after displayPath). */
export function isOutside(file: string): boolean {
  return path.isAbsolute(file);
}

export function plural(n: number, one: string, many: string = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Info findings are listed but not counted in the summary; the summary line counts them from the list. */
export function countInfo(report: Report): number {
  return report.findings.filter((f) => f.severity === 'info').length;
}

/**
 * `2 errors, 1 warning, 0 info, 0 waived in 3 targets (57 resources)`, with ` — incomplete` when
 * some check could not run. Shared by the text and github formats.
 */
export function summaryLine(report: Report): string {
  const s = report.summary;
  const line =
    `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${countInfo(report)} info, ` +
    `${s.waived} waived in ${plural(s.targets, 'target')} (${plural(s.resources, 'resource')})`;
  return s.incomplete ? `${line} — incomplete: some checks could not run (see the tool/ and input/ findings)` : line;
}

/** `Deployment/funlynk/backend`, or `Namespace/funlynk` when the object names no namespace. */
export function resourceLabel(r: ResourceRef): string {
  return r.namespace === null ? `${r.kind}/${r.name}` : `${r.kind}/${r.namespace}/${r.name}`;
}
