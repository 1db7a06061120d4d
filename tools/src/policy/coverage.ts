/**
 * What `policy test` demands of each rule beyond passing: its own tests (a policy_test.rego beside
 * policy.rego, in package rules.<namespace>.<name>_test, with at least one test_ rule) and a line
 * coverage of its policy.rego of at least MIN_POLICY_COVERAGE, from `opa test --coverage`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES_PACKAGE, type RuleMeta } from './bundle.js';

/** Percent of the lines of all policy files (tests excluded) that the tests must cover. */
export const MIN_COVERAGE = 90;
/** Percent of the lines of each rule's own policy.rego that the tests must cover. */
export const MIN_POLICY_COVERAGE = 80;

export interface CoverageFile {
  covered_lines?: number;
  not_covered_lines?: number;
}

export interface CoverageVerdict {
  /** Over every policy file, tests excluded. */
  totalPercent: number;
  /** One line per rule without its own tests or below the floor. */
  problems: string[];
}

function percent(c: CoverageFile | undefined): number {
  const covered = c?.covered_lines ?? 0;
  const total = covered + (c?.not_covered_lines ?? 0);
  return total === 0 ? 0 : (covered / total) * 100;
}

export function judgeCoverage(repoRoot: string, rules: RuleMeta[], files: Record<string, CoverageFile>): CoverageVerdict {
  let covered = 0;
  let total = 0;
  for (const [file, c] of Object.entries(files)) {
    if (file.endsWith('_test.rego')) continue;
    covered += c.covered_lines ?? 0;
    total += (c.covered_lines ?? 0) + (c.not_covered_lines ?? 0);
  }
  const problems: string[] = [];
  for (const rule of rules) {
    const testFile = path.join(path.dirname(rule.file), 'policy_test.rego');
    const testText = existsSync(path.join(repoRoot, testFile)) ? readFileSync(path.join(repoRoot, testFile), 'utf8') : null;
    const pkg = `${RULES_PACKAGE}.${rule.policy}_test`;
    if (testText === null || !new RegExp(`^package ${pkg.replace(/\./g, '\\.')}\\s*$`, 'm').test(testText) || !/^test_\w+/m.test(testText)) {
      problems.push(`${rule.id}: needs its own tests: ${testFile} with package ${pkg} and at least one test_ rule`);
      continue;
    }
    const pct = percent(files[rule.file]);
    if (pct < MIN_POLICY_COVERAGE) problems.push(`${rule.id}: tests cover ${pct.toFixed(1)}% of ${rule.file} < ${MIN_POLICY_COVERAGE}%`);
  }
  return { totalPercent: total === 0 ? 0 : (covered / total) * 100, problems };
}
