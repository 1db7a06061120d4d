/**
 * `--format text`: for people. Findings grouped by target, then by file, one line each
 * (`file:line:col  severity  ruleId  message`, so terminals and editors can jump to it), related
 * locations indented below, and a summary line. Colour only when the caller says so (it decides
 * from NO_COLOR and whether stdout is a terminal); without colour the output is plain ASCII apart
 * from the summary's dash.
 *
 * Brief (`--brief`, what the pre-commit hook prints): only the findings that fail the run (at or
 * above --fail-on; incomplete-run errors are errors) and the summary line, which then also says
 * how many findings below --fail-on were left out. A passing run is that one line.
 */
import type { Finding, Report, Severity } from '../pipeline/types.js';
import { sortFindings, summaryLine } from './order.js';
import { displayPath } from '../util/paths.js';

const ESC = '\u001b[';
const RESET = `${ESC}0m`;
const STYLE = {
  bold: `${ESC}1m`,
  dim: `${ESC}2m`,
  red: `${ESC}1;31m`,
  yellow: `${ESC}33m`,
  cyan: `${ESC}36m`,
  green: `${ESC}32m`,
} as const;

const SEVERITY_STYLE: Record<Severity, string> = { error: STYLE.red, warning: STYLE.yellow, info: STYLE.cyan };
const SEVERITY_WIDTH = 'warning'.length;

export interface TextOptions {
  /** Only the findings for which this is true, and a count of the rest in the summary line. */
  only?: (f: Finding) => boolean;
}

export function formatText(report: Report, color: boolean, repoRoot: string, opts: TextOptions = {}): string {
  const paint = (style: string, s: string): string => (color ? `${style}${s}${RESET}` : s);

  const shown = opts.only === undefined ? report.findings : report.findings.filter(opts.only);
  const byTarget = new Map<string, Finding[]>();
  for (const f of sortFindings(shown)) {
    const list = byTarget.get(f.target);
    if (list === undefined) byTarget.set(f.target, [f]);
    else list.push(f);
  }

  const out: string[] = [];
  for (const target of [...byTarget.keys()].sort()) {
    out.push(paint(STYLE.bold, target));
    let previousFile: string | undefined;
    for (const f of byTarget.get(target) ?? []) {
      const file = f.location === null ? null : displayPath(repoRoot, f.location.file);
      const fileKey = file ?? '';
      if (previousFile !== undefined && fileKey !== previousFile) out.push('');
      previousFile = fileKey;
      const where = f.location === null ? target : `${file}:${f.location.line}:${f.location.column}`;
      const severity = paint(SEVERITY_STYLE[f.severity], f.severity) + ' '.repeat(SEVERITY_WIDTH - f.severity.length);
      // A message of several lines keeps its further lines indented under the finding.
      const message = f.message.replace(/\r?\n/g, '\n        ');
      out.push(`  ${where}  ${severity}  ${f.ruleId}  ${message}`);
      for (const r of f.related ?? []) {
        out.push(paint(STYLE.dim, `      ${displayPath(repoRoot, r.file)}:${r.line}:${r.column}  ${r.message}`));
      }
    }
    out.push('');
  }

  const s = report.summary;
  const summaryStyle = s.incomplete || s.errors > 0 ? STYLE.red : s.warnings > 0 ? STYLE.yellow : STYLE.green;
  const hidden = report.findings.length - shown.length;
  const left = hidden === 0 ? '' : `; ${hidden} below --fail-on not listed (run without --brief to see ${hidden === 1 ? 'it' : 'them'})`;
  out.push(paint(summaryStyle, `${summaryLine(report)}${left}`));
  return `${out.join('\n')}\n`;
}
