/**
 * Report formatters of `gitops validate` and the exit code: pure functions over the `Report`
 * (../shared/design/REPORT.md). They never print and never read the environment; the command
 * decides colour (NO_COLOR, TTY), passes the repository root and prints what comes back.
 */
import type { Finding, OutputFormat, Report, ReportSummary } from '../pipeline/types.js';
import { SEVERITY_RANK } from '../pipeline/types.js';
import { isIncompleteRule } from './catalogue.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import type { RuleInfo } from './sarif.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

export type { RuleInfo } from './sarif.js';
export { ruleAnchor } from './sarif.js';
export { compareFindings, sortFindings } from './order.js';

export interface FormatOptions {
  /** Colour the text format (the caller honours NO_COLOR and checks for a terminal). */
  color: boolean;
  /** Absolute path of the repository root; locations are relative to it. */
  repoRoot: string;
  /** The rule catalogue, for SARIF's rule descriptors (policies' METADATA). */
  rules?: readonly RuleInfo[];
  /** Absolute base URI for SARIF helpUri (see SarifOptions.helpBaseUri). */
  helpBaseUri?: string;
  /** Version of the gate, for SARIF. */
  toolVersion?: string;
  /** `--fail-on`: which findings fail a JUnit testcase. Default `error`. */
  failOn?: 'error' | 'warning';
  /** Names of every target checked, so JUnit lists the ones without findings as passing. */
  targets?: readonly string[];
  /** Text format: only the findings that fail the run (at or above failOn) and the summary line. */
  brief?: boolean;
}

export function formatReport(report: Report, format: OutputFormat, opts: FormatOptions): string {
  switch (format) {
    case 'text':
      return formatText(report, opts.color, opts.repoRoot, opts.brief === true ? { only: (f) => failsRun(f, opts.failOn ?? 'error') } : {});
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, {
        repoRoot: opts.repoRoot,
        ...(opts.rules !== undefined ? { rules: opts.rules } : {}),
        ...(opts.helpBaseUri !== undefined ? { helpBaseUri: opts.helpBaseUri } : {}),
        ...(opts.toolVersion !== undefined ? { toolVersion: opts.toolVersion } : {}),
      });
    case 'junit':
      return formatJunit(report, { repoRoot: opts.repoRoot, failOn: opts.failOn ?? 'error', targets: opts.targets ?? [] });
    case 'github':
      return formatGithub(report, opts.repoRoot);
  }
}

/**
 * 2 when the run is incomplete (wins over findings), 1 when a finding is at or above `failOn`
 * (info never counts), else 0. Waived findings are not in the report, so they never count.
 */
export function exitCode(report: { summary: Pick<Report['summary'], 'incomplete'>; findings: Finding[] }, failOn: 'error' | 'warning'): 0 | 1 | 2 {
  if (report.summary.incomplete) return 2;
  return report.findings.some((f) => failsRun(f, failOn)) ? 1 : 0;
}

/** A finding at or above `failOn` (info never): one that makes the run exit non-zero. */
export function failsRun(f: Finding, failOn: 'error' | 'warning'): boolean {
  return f.severity !== 'info' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn];
}

/** True for a finding that says a check could not run (REPORT.md: `input/...`, `tool/...`, severity error). */
export function isIncompleteFinding(f: Finding): boolean {
  return f.severity === 'error' && isIncompleteRule(f.ruleId);
}

/**
 * The summary of a report, keys in REPORT.md's order. Errors and warnings are counted, info is
 * not. The run is incomplete when the caller says so or when a finding says a check could not
 * run, so an `input/` or `tool/` error can never end in a green run by accident.
 */
export function summarize(
  findings: Finding[],
  waived: number,
  targets: number,
  resources: number,
  durationMs: number,
  tools: Record<string, string>,
  incomplete: boolean,
): ReportSummary {
  return {
    targets,
    resources,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    waived,
    incomplete: incomplete || findings.some(isIncompleteFinding),
    durationMs,
    tools: { ...tools },
  };
}
