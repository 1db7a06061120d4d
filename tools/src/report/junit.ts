/**
 * `--format junit`: JUnit XML for CI test reporters. One testsuite per target, one testcase per
 * (target, rule) that produced findings:
 * - a rule whose findings include one at or above `failOn` fails (`<failure>`), listing every
 *   finding of it as `file:line:col severity message`;
 * - `tool/...` and `input/...` findings mean a check could not run: the testcase carries
 *   `<error>` instead, as JUnit uses it for a test that could not be executed;
 * - a rule with only findings below `failOn` passes and lists them in `<system-out>`;
 * - a target without any finding gets one passing testcase `all checks`.
 * The report names only the targets that have findings, so the caller passes the names of all
 * targets it checked (`targets`) for the passing ones to appear.
 */
import type { Finding, Report, Severity } from '../pipeline/types.js';
import { SEVERITY_RANK } from '../pipeline/types.js';
import { plural, sortFindings } from './order.js';
import { displayPath } from '../util/paths.js';
import { isIncompleteRule } from './catalogue.js';

/** Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXmlText(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** For attribute values: also quotes, and whitespace as character references so parsers keep it. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

export interface JunitOptions {
  repoRoot: string;
  failOn: 'error' | 'warning';
  targets: readonly string[];
}

function highest(findings: readonly Finding[]): Severity {
  let top: Severity = 'info';
  for (const f of findings) if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[top]) top = f.severity;
  return top;
}

function findingLine(f: Finding, repoRoot: string): string {
  const where =
    f.location === null ? f.target : `${displayPath(repoRoot, f.location.file)}:${f.location.line}:${f.location.column}`;
  return `${where} ${f.severity} ${f.message}`;
}

interface Case {
  name: string;
  outcome: 'pass' | 'failure' | 'error';
  xml: string;
}

function testcase(target: string, ruleId: string, findings: readonly Finding[], opts: JunitOptions): Case {
  const open = `    <testcase classname="${escapeXmlAttr(target)}" name="${escapeXmlAttr(ruleId)}"`;
  const body = findings.map((f) => findingLine(f, opts.repoRoot)).join('\n');
  const top = highest(findings);
  const fails = top !== 'info' && SEVERITY_RANK[top] >= SEVERITY_RANK[opts.failOn];
  const first = findings[0];
  const headline = findings.length === 1 && first !== undefined ? first.message : `${plural(findings.length, 'finding')} of ${ruleId}`;
  if (isIncompleteRule(ruleId) || fails) {
    const element = isIncompleteRule(ruleId) ? 'error' : 'failure';
    return {
      name: ruleId,
      outcome: element,
      xml:
        `${open}>\n` +
        `      <${element} type="${top}" message="${escapeXmlAttr(headline)}">${escapeXmlText(body)}</${element}>\n` +
        `    </testcase>`,
    };
  }
  return {
    name: ruleId,
    outcome: 'pass',
    xml: `${open}>\n      <system-out>${escapeXmlText(body)}</system-out>\n    </testcase>`,
  };
}

export function formatJunit(report: Report, opts: JunitOptions): string {
  const byTarget = new Map<string, Map<string, Finding[]>>();
  for (const t of opts.targets) byTarget.set(t, new Map());
  for (const f of sortFindings(report.findings)) {
    let rules = byTarget.get(f.target);
    if (rules === undefined) {
      rules = new Map();
      byTarget.set(f.target, rules);
    }
    const list = rules.get(f.ruleId);
    if (list === undefined) rules.set(f.ruleId, [f]);
    else list.push(f);
  }

  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const target of [...byTarget.keys()].sort()) {
    const rules = byTarget.get(target) ?? new Map<string, Finding[]>();
    const cases: Case[] =
      rules.size === 0
        ? [{ name: 'all checks', outcome: 'pass', xml: `    <testcase classname="${escapeXmlAttr(target)}" name="all checks"/>` }]
        : [...rules.keys()].sort().map((ruleId) => testcase(target, ruleId, rules.get(ruleId) ?? [], opts));
    const suiteFailures = cases.filter((c) => c.outcome === 'failure').length;
    const suiteErrors = cases.filter((c) => c.outcome === 'error').length;
    tests += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
    suites.push(
      `  <testsuite name="${escapeXmlAttr(target)}" tests="${cases.length}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="0">\n` +
        `${cases.map((c) => c.xml).join('\n')}\n` +
        `  </testsuite>`,
    );
  }

  const time = (report.summary.durationMs / 1000).toFixed(3);
  const head =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="gitops validate" tests="${tests}" failures="${failures}" errors="${errors}" time="${time}">`;
  return `${[head, ...suites, '</testsuites>'].join('\n')}\n`;
}
