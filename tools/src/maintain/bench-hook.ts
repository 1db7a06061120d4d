/**
 * The pre-commit benchmark: what the husky hook runs (the command of .husky/pre-commit) for a
 * one-line change to one base file, against a whole-repository run with the same change, both on
 * the same warm caches, in one run. Works on a temporary copy of the committed tree outside the
 * repository (its own git repository with one commit, so `--changed --staged` sees exactly the
 * staged edit); the pinned tools, node_modules, the built gate and the pinned charts are linked
 * from the repository. Reports medians of wall and CPU time, their ratios and the verdicts of the
 * acceptance thresholds; never asserted by a test.
 *
 * Warm state: everything under the copy's `.cache/` except `.cache/charts` (the pinned charts, an
 * input) is the gate's own cache. It is filled by one untimed whole run before the edit,
 * snapshotted, and restored before every measured run, so each run starts from the same state.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolError, UsageError } from '../util/errors.js';
import { failureReason, removeTempDir, runTool, tempDir } from '../util/process.js';
import { exportRevision, removeRevision } from '../util/revision.js';
import { FileCache } from '../util/cache.js';
import { discoverTargets, targetsForChanges } from '../discover/targets.js';
import { cpuOf, median, round } from './bench-common.js';
import { exitCode, isIncompleteFinding } from '../report/index.js';
import type { Finding, Report } from '../pipeline/types.js';
import { SETTLED_MS } from '../util/results.js';

/** The acceptance thresholds of the pre-commit path (issue 14). */
export const HOOK_MAX_RATIO = 0.25;
export const HOOK_MAX_WALL_MS = 1000;

export const DEFAULT_HOOK_FILE = 'base/backend/deployment.yaml';

/** The acceptance verdicts of measured ratios (hook / whole) and the hook's median wall time. */
export function hookAcceptance(ratios: { wall: number; cpu: number }, hookWallMs: number): HookBenchResult['acceptance'] {
  const verdict = (value: number, threshold: number, ok: boolean): Verdict => ({ value, threshold, verdict: ok ? 'met' : 'not met' });
  return {
    cpuRatio: verdict(ratios.cpu, HOOK_MAX_RATIO, ratios.cpu <= HOOK_MAX_RATIO),
    wallRatio: verdict(ratios.wall, HOOK_MAX_RATIO, ratios.wall <= HOOK_MAX_RATIO),
    hookWallMs: verdict(hookWallMs, HOOK_MAX_WALL_MS, hookWallMs < HOOK_MAX_WALL_MS),
  };
}

/** A one-line change: line `line` (1-based) of `file` becomes `text`. */
export interface HookEdit {
  /** Repository-relative path of the file. */
  file: string;
  /** Default: the first `periodSeconds: N` line of the file. */
  line?: number;
  /** Default: that line with N + 1 (still a valid probe). */
  text?: string;
}

export interface HookSide {
  /** The gate's arguments (after `gitops`). */
  command: string;
  /** The options node is started with (before the gate's script), as .husky/pre-commit gives them. */
  nodeOptions: string[];
  targets: number;
  resources: number;
  exitCode: number;
  errors: number;
  warnings: number;
  findings: number;
  /** Per measured run, in order. */
  wallMs: number[];
  cpuSeconds: number[];
  medianWallMs: number;
  medianCpuSeconds: number;
}

export interface Verdict {
  value: number;
  threshold: number;
  verdict: 'met' | 'not met';
}

export interface HookBenchResult {
  date: string;
  cpus: number;
  node: string;
  runs: number;
  change: { file: string; line: number; before: string; after: string };
  /** What of the copy's .cache/ was snapshotted after the warming run and restored before each measured run. */
  warmState: string[];
  /** The targets the staged change feeds (what the hook checked). */
  hookTargets: string[];
  hook: HookSide;
  whole: HookSide;
  /**
   * The whole run with node started as the hook starts it (its options of .husky/pre-commit),
   * when the hook gives node options: whether the ratios rest on those options. Not an
   * acceptance figure: a whole run is `gitops validate` as `npm run validate` starts it.
   */
  wholeWithHookOptions: HookSide | null;
  /** hook / whole, of the medians. */
  ratios: { wall: number; cpu: number };
  /** hook / wholeWithHookOptions, of the medians (null without hook options). */
  ratiosWithHookOptions: { wall: number; cpu: number } | null;
  /**
   * The hook's findings against the whole run's findings on the same targets and the run-wide
   * ones (ruleId, severity, message, target, resource, location, field). `notInWhole` non-empty,
   * an exit code those findings do not imply, or a whole run with the hook's node options that
   * judges otherwise, is a gate bug.
   */
  findings: {
    hook: number;
    /** The whole run's findings the hook must report too: those on its targets and the run-wide ones. */
    wholeOnHookTargets: number;
    notInWhole: string[];
    notInHook: string[];
    /** Whether the whole run started with the hook's node options judged exactly as the plain one (null: no options). */
    sameWithHookOptions: boolean | null;
    consistent: boolean;
  };
  sameExitCode: boolean;
  acceptance: { cpuRatio: Verdict; wallRatio: Verdict; hookWallMs: Verdict };
}

export interface HookBenchOptions {
  runs?: number;
  edit?: HookEdit;
  log?: (line: string) => void;
}

const PROGRESS_EVERY_MS = 5000;

/** Runs `fn`, logging `label` with the elapsed seconds every 5 s while it runs. */
async function ticking<T>(log: (line: string) => void, label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => log(`${label}: ${Math.round((Date.now() - started) / 1000)} s`), PROGRESS_EVERY_MS);
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/** The line to change and its new text: the given one, or the first periodSeconds + 1. */
export function planEdit(text: string, edit: HookEdit): { line: number; before: string; after: string } {
  const lines = text.split('\n');
  let line = edit.line;
  if (line === undefined) {
    const i = lines.findIndex((l) => /^\s*periodSeconds:\s*\d+\s*$/.test(l));
    if (i < 0) throw new UsageError(`bench --hook: ${edit.file} has no 'periodSeconds: N' line to change: give --hook-edit LINE=TEXT`);
    line = i + 1;
  }
  if (!Number.isInteger(line) || line < 1 || line > lines.length) throw new UsageError(`bench --hook: ${edit.file} has no line ${line} (${lines.length} lines)`);
  const before = lines[line - 1]!;
  const after = edit.text ?? before.replace(/(periodSeconds:\s*)(\d+)/, (_, k: string, n: string) => `${k}${Number(n) + 1}`);
  if (after === before) throw new UsageError(`bench --hook: the edit leaves ${edit.file}:${line} as it is: give --hook-edit LINE=TEXT`);
  if (after.includes('\n')) throw new UsageError('bench --hook: the edit must be one line');
  return { line, before, after };
}

function findingKey(f: Finding): string {
  return JSON.stringify([f.ruleId, f.severity, f.target, f.resource ?? null, f.location ?? null, f.field ?? null, f.message]);
}

/**
 * What a run of only the hook's targets shares with the whole run: the hook's targets, its
 * `--fail-on`, and the whole run's targets (a finding on anything else, such as `.` or
 * `policies/waivers.yaml`, is run-wide: both runs report it).
 */
export interface HookScope {
  hookTargets: string[];
  runTargets: string[];
  failOn: 'error' | 'warning';
}

/** The whole run's findings a run of only the hook's targets must report too: theirs and the run-wide ones. */
function inScope(scope: HookScope): (f: Finding) => boolean {
  const hook = new Set(scope.hookTargets);
  const run = new Set(scope.runTargets);
  return (f) => hook.has(f.target) || !run.has(f.target);
}

/**
 * The hook's runs against the whole runs, pair by pair: the hook's findings the whole run lacks
 * (a gate bug), the whole run's findings in the hook's scope the hook lacks, and whether every
 * hook run exited as those findings imply (`sameExitCode`: report/index.ts exitCode of them;
 * the whole run's own exit code also answers for the targets the hook does not check).
 */
export function compareRuns(pairs: Array<[{ exitCode: number; report: { findings: Finding[] } }, { exitCode: number; report: { findings: Finding[] } }]>, scope: HookScope): { notInWhole: string[]; notInHook: string[]; sameExitCode: boolean } {
  const keep = inScope(scope);
  const notInWhole = new Set<string>();
  const notInHook = new Set<string>();
  let sameExitCode = true;
  for (const [h, w] of pairs) {
    const expected = w.report.findings.filter(keep);
    const implied = exitCode({ summary: { incomplete: expected.some(isIncompleteFinding) }, findings: expected }, scope.failOn);
    if (h.exitCode !== implied) sameExitCode = false;
    const hookKeys = new Set(h.report.findings.map(findingKey));
    const wholeKeys = new Set(expected.map(findingKey));
    for (const k of hookKeys) if (!wholeKeys.has(k)) notInWhole.add(k);
    for (const k of wholeKeys) if (!hookKeys.has(k)) notInHook.add(k);
  }
  return { notInWhole: [...notInWhole], notInHook: [...notInHook], sameExitCode };
}

/** The `--fail-on` of the gate's arguments (default error). */
export function failOnOf(args: string[]): 'error' | 'warning' {
  const i = args.findIndex((a) => a === '--fail-on' || a.startsWith('--fail-on='));
  const value = i < 0 ? 'error' : args[i]!.includes('=') ? args[i]!.slice('--fail-on='.length) : args[i + 1];
  return value === 'warning' ? 'warning' : 'error';
}

async function git(cwd: string, args: string[]): Promise<void> {
  const r = await runTool('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', '-c', 'user.name=gitops bench', '-c', 'user.email=bench@localhost', ...args], { cwd, timeoutMs: 120_000 });
  if (r.failed) throw new ToolError('git', `bench --hook: git ${args.join(' ')} failed: ${failureReason(r, 120_000)}`, r.stderr);
}

/** The copy's cache entries that are the gate's warm state (all of .cache/ but the pinned charts). */
function warmEntries(cacheDir: string): string[] {
  return existsSync(cacheDir) ? readdirSync(cacheDir).filter((e) => e !== 'charts') : [];
}

export async function runHookBench(repoRoot: string, opts: HookBenchOptions = {}): Promise<HookBenchResult> {
  const runs = opts.runs ?? 3;
  const log = opts.log ?? (() => {});
  const edit: HookEdit = opts.edit ?? { file: DEFAULT_HOOK_FILE };
  const source = path.join(repoRoot, edit.file);
  if (!existsSync(source)) throw new UsageError(`bench --hook: ${edit.file} does not exist`);

  log('bench --hook: copying the committed tree (HEAD) to a temporary repository');
  const revision = await ticking(log, 'bench --hook: copying', () => exportRevision(repoRoot, 'HEAD'));
  if (!revision.ok) throw new ToolError('git', `bench --hook: ${revision.error}`);
  const copy = revision.dir;
  const snapshot = tempDir('gitops-bench-hook-cache-');
  try {
    const file = path.join(copy, edit.file);
    if (!existsSync(file)) throw new UsageError(`bench --hook: ${edit.file} is not committed (the bench works on HEAD)`);
    const text = readFileSync(file, 'utf8');
    const change = planEdit(text, edit);
    // What the copy takes from the repository: the pinned tools, the installed packages, the
    // built gate and the pinned charts (an input, not the gate's cache).
    const links = ['.tools', 'node_modules', path.join('tools', 'dist'), path.join('.cache', 'charts')];
    for (const link of links) {
      if (!existsSync(path.join(repoRoot, link))) continue;
      mkdirSync(path.dirname(path.join(copy, link)), { recursive: true });
      symlinkSync(path.join(repoRoot, link), path.join(copy, link), 'dir');
    }
    if (!existsSync(path.join(copy, 'tools', 'dist', 'cli.js'))) throw new UsageError("bench --hook: the gate is not built (tools/dist/cli.js): run 'npm run build'");
    const written = Date.now();
    await git(copy, ['init', '-q']);
    writeFileSync(path.join(copy, '.git', 'info', 'exclude'), links.map((link) => `/${link.split(path.sep).join('/')}\n`).join(''));
    await ticking(log, 'bench --hook: committing the copy', async () => {
      await git(copy, ['add', '-A']);
      await git(copy, ['commit', '-q', '--no-verify', '-m', 'bench base']);
    });

    const cli = path.join(copy, 'tools', 'bin', 'gitops.js');
    const gate = async (args: string[], label: string, nodeOptions: string[] = []) => {
      const r = await ticking(log, label, () => cpuOf('node', [...nodeOptions, cli, ...args], { cwd: copy }));
      let report: Report;
      try {
        report = JSON.parse(r.stdout) as Report;
      } catch {
        throw new ToolError('gitops', `bench --hook: gitops ${args.join(' ')} gave no report (exit ${r.exitCode})`, r.stderr);
      }
      return { ...r, report };
    };

    // Warm: one untimed whole run before the edit fills the gate's caches. On a warm machine the
    // repository's files are older than the racy window of the file stamps (util/results.ts); the
    // copy's are brand new, so the bench waits the window out first. Otherwise no digest of the
    // copy's files would be kept, and every measured run would read and hash them all again.
    // The hook's arguments with the JSON report instead of `--brief`, so that the findings can be
    // compared: the bench measures exactly what a commit runs.
    const { nodeOptions: hookNode, args: hookArgs } = hookCommand(copy);
    const shown = { hook: hookArgs.filter((w) => w !== '--brief' && w !== '--quiet'), whole: ['validate'] };
    const asJson = (args: string[]) => [...args, '--format', 'json', '--quiet'];
    const [hook, whole] = [asJson(shown.hook), asJson(shown.whole)];
    const settle = written + SETTLED_MS + 100 - Date.now();
    if (settle > 0) {
      log(`bench --hook: letting the copy's files settle (${(settle / 1000).toFixed(1)} s, the file stamps' racy window)`);
      await new Promise((resolve) => setTimeout(resolve, settle));
    }
    log('bench --hook: warming the caches (one untimed whole run)');
    const warm = await gate(whole, 'bench --hook: warming');
    if (warm.exitCode !== 0 && warm.exitCode !== 1) throw new ToolError('gitops', `bench --hook: the warming run exited ${warm.exitCode}`, warm.stderr);
    const cacheDir = path.join(copy, '.cache');
    const warmState = warmEntries(cacheDir).sort();
    for (const e of warmState) cpSync(path.join(cacheDir, e), path.join(snapshot, e), { recursive: true });
    log(`bench --hook: warm state .cache/{${warmState.join(',')}} kept for every measured run`);
    const restore = () => {
      for (const e of warmEntries(cacheDir)) rmSync(path.join(cacheDir, e), { recursive: true, force: true });
      for (const e of readdirSync(snapshot)) cpSync(path.join(snapshot, e), path.join(cacheDir, e), { recursive: true });
    };

    // The one-line change, staged.
    const lines = text.split('\n');
    lines[change.line - 1] = change.after;
    writeFileSync(file, lines.join('\n'));
    await git(copy, ['add', '--', edit.file]);
    log(`bench --hook: ${edit.file}:${change.line} '${change.before.trim()}' -> '${change.after.trim()}', staged`);
    const runTargets = discoverTargets(copy);
    const hookTargets = targetsForChanges(copy, runTargets, [file], new FileCache()).map((t) => t.name);
    const scope: HookScope = { hookTargets, runTargets: runTargets.map((t) => t.name), failOn: failOnOf(hookArgs) };

    type Sample = Awaited<ReturnType<typeof gate>>;
    const samples = { hook: [] as Sample[], whole: [] as Sample[], wholeWithHookOptions: [] as Sample[] };
    for (let r = 1; r <= runs; r += 1) {
      restore();
      samples.hook.push(await gate(hook, `bench --hook: run ${r}/${runs}, the hook`, hookNode));
      restore();
      samples.whole.push(await gate(whole, `bench --hook: run ${r}/${runs}, the whole repository`));
      const [h, w] = [samples.hook.at(-1)!, samples.whole.at(-1)!];
      let line = `bench --hook run ${r}/${runs}: hook ${h.wallMs.toFixed(0)} ms (${h.cpu.toFixed(2)} CPU s), whole ${w.wallMs.toFixed(0)} ms (${w.cpu.toFixed(2)} CPU s)`;
      if (hookNode.length > 0) {
        restore();
        const o = await gate(whole, `bench --hook: run ${r}/${runs}, the whole repository with the hook's node options`, hookNode);
        samples.wholeWithHookOptions.push(o);
        line += `, whole with the hook's node options ${o.wallMs.toFixed(0)} ms (${o.cpu.toFixed(2)} CPU s)`;
      }
      log(line);
    }

    const { notInWhole, notInHook, sameExitCode } = compareRuns(samples.hook.map((x, i) => [x, samples.whole[i]!]), scope);
    // The whole run started with the hook's options must judge exactly as the plain one.
    const sameWithHookOptions = hookNode.length === 0 ? null : samples.wholeWithHookOptions.every((x, i) => {
      const w = samples.whole[i]!;
      const keys = (f: Finding[]) => JSON.stringify(f.map(findingKey).sort());
      return x.exitCode === w.exitCode && keys(x.report.findings) === keys(w.report.findings);
    });
    const side = (xs: typeof samples.hook, command: string[], nodeOptions: string[]): HookSide => {
      const s = xs[0]!.report.summary;
      return {
        command: command.join(' '),
        nodeOptions,
        targets: s.targets, resources: s.resources, exitCode: xs[0]!.exitCode, errors: s.errors, warnings: s.warnings,
        findings: xs[0]!.report.findings.length,
        wallMs: xs.map((x) => Math.round(x.wallMs)), cpuSeconds: xs.map((x) => round(x.cpu)),
        medianWallMs: Math.round(median(xs.map((x) => x.wallMs))), medianCpuSeconds: round(median(xs.map((x) => x.cpu))),
      };
    };
    const h = side(samples.hook, shown.hook, hookNode);
    const w = side(samples.whole, shown.whole, []);
    const o = samples.wholeWithHookOptions.length > 0 ? side(samples.wholeWithHookOptions, shown.whole, hookNode) : null;
    if (h.targets !== hookTargets.length) {
      throw new ToolError('gitops', `bench --hook: the hook checked ${h.targets} targets, the change feeds ${hookTargets.length} (${hookTargets.join(', ')})`);
    }
    const ratioOf = (x: HookSide) => ({ wall: round(h.medianWallMs / Math.max(x.medianWallMs, 1), 3), cpu: round(h.medianCpuSeconds / Math.max(x.medianCpuSeconds, 0.01), 3) });
    const ratios = ratioOf(w);
    const consistent = notInWhole.length === 0 && sameExitCode && sameWithHookOptions !== false;
    if (!consistent) {
      log(`bench --hook: MISMATCH (a gate bug): ${sameExitCode ? '' : `the hook exited ${h.exitCode}, not as the whole run's findings on its targets imply; `}${sameWithHookOptions === false ? "the whole run with the hook's node options judged otherwise; " : ''}${notInWhole.length} hook finding(s) not in the whole run`);
      for (const k of notInWhole.slice(0, 10)) log(`  not in the whole run: ${k}`);
    }
    return {
      date: new Date().toISOString().slice(0, 10), cpus: os.availableParallelism(), node: process.version, runs,
      change: { file: edit.file, ...change },
      warmState, hookTargets,
      hook: h, whole: w, wholeWithHookOptions: o, ratios, ratiosWithHookOptions: o === null ? null : ratioOf(o),
      findings: {
        hook: h.findings,
        wholeOnHookTargets: samples.whole[0]!.report.findings.filter(inScope(scope)).length,
        notInWhole, notInHook, sameWithHookOptions, consistent,
      },
      sameExitCode,
      acceptance: hookAcceptance(ratios, h.medianWallMs),
    };
  } finally {
    removeTempDir(snapshot);
    removeRevision(copy);
  }
}

export function formatHookBench(r: HookBenchResult): string {
  const node = (s: HookSide) => (s.nodeOptions.length > 0 ? ` (node ${s.nodeOptions.join(' ')})` : '');
  const row = (name: string, s: HookSide) => `| ${name} | \`gitops ${s.command}\`${node(s)} | ${s.targets} | ${s.resources} | ${s.exitCode} | ${s.findings} | ${s.medianWallMs} | ${s.medianCpuSeconds} |`;
  const a = r.acceptance;
  return [
    `One-line change: ${r.change.file}:${r.change.line} '${r.change.before.trim()}' -> '${r.change.after.trim()}' (staged); warm caches, median of ${r.runs} runs; ${r.cpus} cores, ${r.node}, ${r.date}.`,
    `The change feeds: ${r.hookTargets.join(', ') || '(no target)'}. Warm state restored before each run: .cache/{${r.warmState.join(',')}}.`,
    '',
    '| run | command | targets | objects | exit | findings | median wall ms | median CPU s |',
    '|---|---|---|---|---|---|---|---|',
    row('pre-commit hook', r.hook),
    row('whole repository', r.whole),
    ...(r.wholeWithHookOptions === null ? [] : [row("whole repository, node started as the hook starts it", r.wholeWithHookOptions)]),
    '',
    `hook / whole: wall ${r.ratios.wall}, CPU ${r.ratios.cpu}.`,
    ...(r.ratiosWithHookOptions === null ? [] : [`hook / whole with the hook's node options (for comparison, not the acceptance figure): wall ${r.ratiosWithHookOptions.wall}, CPU ${r.ratiosWithHookOptions.cpu}.`]),
    `Findings: hook ${r.findings.hook}, whole run on the same targets ${r.findings.wholeOnHookTargets}; ${r.findings.consistent ? 'the hook\'s are all in the whole run, and the hook exits as those imply' : `MISMATCH (a gate bug): ${r.findings.notInWhole.length} hook finding(s) not in the whole run${r.sameExitCode ? '' : ', and its exit code is not the one the whole run implies'}`}.`,
    '',
    `- CPU ratio ${a.cpuRatio.value} (at most ${a.cpuRatio.threshold}): **${a.cpuRatio.verdict}**`,
    `- wall ratio ${a.wallRatio.value} (at most ${a.wallRatio.threshold}): **${a.wallRatio.verdict}**`,
    `- hook median wall ${a.hookWallMs.value} ms (under ${a.hookWallMs.threshold} ms): **${a.hookWallMs.verdict}**`,
    '',
  ].join('\n');
}

/** Writes hook.json into `dir` (docs/performance by default). */
export function writeHookBench(r: HookBenchResult, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'hook.json');
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  return json;
}

/**
 * The command of .husky/pre-commit: its one line is `node [V8/node options] tools/bin/gitops.js
 * validate ...`. `nodeOptions` are the options before the script (each starts with `--`), `args`
 * the gate's arguments from `validate` on.
 */
export function hookCommand(repoRoot: string): { nodeOptions: string[]; args: string[] } {
  const file = path.join(repoRoot, '.husky', 'pre-commit');
  const commands = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const words = commands.length === 1 ? commands[0]!.split(/\s+/) : [];
  const script = words.indexOf('tools/bin/gitops.js');
  const nodeOptions = script > 0 ? words.slice(1, script) : [];
  if (words[0] !== 'node' || script < 0 || words[script + 1] !== 'validate' || !nodeOptions.every((w) => w.startsWith('--'))) {
    throw new ToolError('gitops', `bench --hook: .husky/pre-commit should run one 'node [--option ...] tools/bin/gitops.js validate ...' command`, '');
  }
  return { nodeOptions, args: words.slice(script + 1) };
}
