/** What the benches (bench.ts, bench-scale.ts, bench-hook.ts) share. */

/**
 * The Rego conftest runs in the benches: the gate's own rules (copied beside it) with their
 * findings exposed under the rule name conftest looks for.
 */
export const CONFTEST_ADAPTER = `# Bench only: exposes the gate's findings under the rule name conftest looks for.
package main

import rego.v1

violation contains f.msg if some f in findings
`;

/** The middle value (the upper one of an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** `x` rounded to `digits` decimals. */
export function round(x: number, digits = 2): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}
