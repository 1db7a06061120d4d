/**
 * `--format github`: GitHub Actions workflow commands, one annotation per finding
 * (`::error file=...,line=...,col=...,title=<ruleId>::<message>`), then the summary as a plain line.
 *
 * Escaping follows the runner's command parser (as implemented by @actions/core): in the message
 * `%`, `\r` and `\n` become `%25`, `%0D`, `%0A`; in property values `:` and `,` become `%3A` and
 * `%2C` as well. Annotations attach only to files in the workspace, so a finding in a file outside
 * the repository names that file in its message instead.
 */
import type { Finding, Report, Severity } from '../pipeline/types.js';
import { isOutside, sortFindings, summaryLine } from './order.js';
import { displayPath } from '../util/paths.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(f: Finding, repoRoot: string): string {
  const props: string[] = [];
  let message = f.message;
  if (f.location === null) {
    // Name the target, unless it is the repository as a whole.
    if (f.target !== '.' && f.target !== '') message = `${f.target}: ${message}`;
  } else {
    const file = displayPath(repoRoot, f.location.file);
    if (isOutside(file)) {
      message = `${file}:${f.location.line}:${f.location.column}: ${message}`;
    } else {
      props.push(`file=${escapeProperty(file)}`, `line=${f.location.line}`, `col=${f.location.column}`);
    }
  }
  props.push(`title=${escapeProperty(f.ruleId)}`);
  for (const r of f.related ?? []) {
    message += `\n  ${displayPath(repoRoot, r.file)}:${r.line}:${r.column}: ${r.message}`;
  }
  return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(message)}`;
}

export function formatGithub(report: Report, repoRoot: string): string {
  const lines = sortFindings(report.findings).map((f) => annotation(f, repoRoot));
  lines.push(`gitops validate: ${summaryLine(report)}`);
  return `${lines.join('\n')}\n`;
}
