/** What the benches (bench.ts, bench-scale.ts, bench-hook.ts) share. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../util/errors.js';
import { failureReason, runTool, withTempDir } from '../util/process.js';

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

/** A run with no budget of its own (the gate, kubeconform) is still killed after this long. */
const BACKSTOP_SECONDS = 60 * 60;

/**
 * Runs a command under sh (through util/process: own process group, killed with the bench) and
 * returns the CPU seconds of everything it waited for, and the wall time of the run.
 */
export async function cpuOf(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutSeconds?: number } = {}): Promise<{ cpu: number; wallMs: number; stdout: string; exitCode: number; stderr: string; timedOut: boolean }> {
  // The command's output goes to files in a temp folder of the process runner's (removed also
  // when the bench is interrupted): the shell's own stdout carries only `times`.
  return withTempDir('gitops-bench-out-', async (dir) => {
    const out = path.join(dir, 'out');
    // coreutils timeout stops the command itself (and the shell still reports the CPU it used);
    // --foreground keeps it in the shell's process group, so the whole run dies with the bench.
    const limit = opts.timeoutSeconds === undefined ? [] : ['timeout', '--foreground', String(opts.timeoutSeconds)];
    // The process runner's timeout is a backstop past the budget: the budget itself is coreutils'.
    const backstop = (opts.timeoutSeconds ?? BACKSTOP_SECONDS) + 120;
    const t0 = process.hrtime.bigint();
    const r = await runTool('/bin/sh', ['-c', '"$@" > "$BENCH_OUT" 2>"$BENCH_OUT.err"; code=$?; times; exit $code', 'sh', ...limit, cmd, ...args], {
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}), env: { ...opts.env, BENCH_OUT: out }, maxBuffer: 64 * 1024 * 1024, timeoutMs: backstop * 1000,
    });
    if (r.timedOut || r.startError !== null) {
      throw new ToolError(path.basename(cmd), `bench: ${path.basename(cmd)} ${failureReason(r, backstop * 1000)}`);
    }
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const children = String(r.stdout).trim().split('\n').at(-1) ?? '';
    const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((n, m) => n + Number(m[1]) * 60 + Number(m[2]), 0);
    const exitCode = r.exitCode ?? -1;
    return {
      cpu: seconds, wallMs, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(`${out}.err`, 'utf8'), exitCode,
      timedOut: opts.timeoutSeconds !== undefined && exitCode === 124,
    };
  });
}
