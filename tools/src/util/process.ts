/**
 * The one way the gate runs external programs to completion (kustomize, kubeconform, opa, git,
 * go); long-running services (the loopback kube-apiserver's) start through util/services.ts,
 * which registers their groups here.
 *
 * Every program runs in its own process group (spawned detached), so a timeout, a stop or the
 * gate's own exit kills the program AND everything it started: a wrapper script's children, a
 * tool's helpers. A run settles when the program itself exits, even when a grandchild still
 * holds its stdout open (the group is killed then), so the gate never waits past a timeout.
 * Temp folders made with `tempDir` are removed when the run that owns them ends, and on exit.
 * On exit, SIGINT, SIGTERM, SIGHUP and an uncaught crash every live group is killed.
 *
 * The entry point: runTool(cmd, args, opts) resolves a ToolRun (never rejects); it takes an
 * argument array, never a shell string.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export interface ProcessOptions {
  cwd?: string;
  /** Added to (or, with extendEnv: false, replacing) the gate's environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Default true: start from process.env. */
  extendEnv?: boolean;
  /** Written to the program's stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** Bytes kept of stdout and of stderr each (default 256 MiB); beyond it the group is killed. */
  maxBuffer?: number;
  /**
   * Make network access impossible: a fresh network namespace (`unshare -rn`, where the kernel
   * allows it) plus an environment whose proxies point at a closed loopback port and whose git
   * refuses every protocol but local files. For renderers that must never fetch.
   */
  offline?: boolean;
  /**
   * Each line of output as it arrives (without its newline; a last line without one when the
   * program ends), for progress: a build that says what it compiles. The output is collected
   * into the result as well.
   */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * A short-lived Go program (kustomize, helm, kubeconform): it collects garbage less often
   * (GOGC=400 under a 512 MiB soft limit), which saves about a quarter of kustomize's CPU on our
   * overlays. A GOGC or GOMEMLIMIT of the caller's environment is kept.
   */
  batchGo?: boolean;
}

/** Garbage collection settings of short-lived Go programs (ProcessOptions.batchGo). */
const BATCH_GO_ENV = { GOGC: '400', GOMEMLIMIT: '512MiB' };

export interface ToolOptions extends ProcessOptions {
  /** Kill the whole group after this long (default: no limit). */
  timeoutMs?: number;
}

export interface ToolRun {
  command: string;
  args: string[];
  /** Exit code, or null when the program was killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The timeout fired and the group was killed. */
  timedOut: boolean;
  /** Why the program could not start (e.g. "spawn kustomize ENOENT"), else null. */
  startError: string | null;
  /** Output beyond maxBuffer: the group was killed. */
  outputTooLarge: boolean;
  /** Anything but a clean exit 0. */
  failed: boolean;
  durationMs: number;
}

/** After the leader exits, how long its pipes may stay open before the rest of the group is killed. */
const DRAIN_MS = 250;
/** After SIGTERM, how long a group has before SIGKILL. */
const KILL_GRACE_MS = 2000;

const liveGroups = new Set<number>();
const tempDirs = new Set<string>();
let hooksInstalled = false;

/** A signal to a whole process group; a group that is gone already is fine. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone */
  }
}

/** Kills every live group and removes every temp folder; synchronous, so it works in 'exit'. */
export function killAll(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  liveGroups.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  process.on('uncaughtExceptionMonitor', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // Keep the default outcome of the signal when nobody else handles it: die by it.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * A process group started elsewhere (a service with its own watchdog, util/services.ts) that
 * is killed with the gate at the latest, like every group this module starts.
 */
export function trackGroup(pid: number): void {
  installHooks();
  liveGroups.add(pid);
}

export function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}

/**
 * A fresh temp folder outside any repository (under os.tmpdir()), removed by `removeTempDir`, or
 * on exit at the latest.
 */
export function tempDir(prefix: string): string {
  installHooks();
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Runs `fn` with a temp folder that is removed afterwards, whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = tempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}

/** Port 9 (discard) on loopback: nothing listens there, so a proxied request fails at once. */
const DEAD_PROXY = 'http://127.0.0.1:9';

/** Environment that leaves a program no way out: every proxy is a dead end, git only reads files. */
export const OFFLINE_ENV: Record<string, string> = {
  HTTP_PROXY: DEAD_PROXY, HTTPS_PROXY: DEAD_PROXY, ALL_PROXY: DEAD_PROXY,
  http_proxy: DEAD_PROXY, https_proxy: DEAD_PROXY, all_proxy: DEAD_PROXY,
  NO_PROXY: '', no_proxy: '',
  GIT_ALLOW_PROTOCOL: 'file',
  GIT_TERMINAL_PROMPT: '0',
  GIT_SSH_COMMAND: 'false',
  GOPROXY: 'off',
};

let netnsAvailable: boolean | undefined;
let netnsProbe: Promise<boolean> | undefined;

/**
 * Whether `unshare -rn` can give a program a network namespace of its own here, probed once and
 * without blocking: a run starts the probe early (validate) and its offline tools wait for it.
 */
export function networkNamespaceReady(): Promise<boolean> {
  if (netnsAvailable !== undefined) return Promise.resolve(netnsAvailable);
  netnsProbe ??= new Promise<boolean>((resolve) => {
    const child = spawn('unshare', ['-rn', 'true'], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  }).then((ok) => {
    netnsAvailable ??= ok;
    return netnsAvailable;
  });
  return netnsProbe;
}

function environment(opts: ProcessOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = opts.extendEnv === false ? {} : { ...process.env };
  for (const [k, v] of Object.entries({ ...opts.env, ...(opts.offline ? OFFLINE_ENV : {}) })) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  if (opts.batchGo) for (const [k, v] of Object.entries(BATCH_GO_ENV)) env[k] ??= v;
  return env;
}

interface Spawned {
  child: ChildProcess;
  /** Resolves once the leader exited and its pipes closed (or were cut after DRAIN_MS). */
  done: Promise<Omit<ToolRun, 'command' | 'args' | 'timedOut' | 'failed' | 'durationMs'>>;
  kill(): void;
}

function spawnGroup(command: string, args: string[], opts: ProcessOptions): Spawned {
  installHooks();
  const maxBuffer = opts.maxBuffer ?? 256 * 1024 * 1024;
  // unshare execs the program: the group leader stays the program itself.
  // runTool has awaited the probe (networkNamespaceReady) for every offline program.
  const [cmd, argv] = opts.offline && netnsAvailable === true ? ['unshare', ['-rn', '--', command, ...args]] : [command, args];
  const child = spawn(cmd, argv, {
    cwd: opts.cwd,
    env: environment(opts),
    detached: true,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  let killTimer: NodeJS.Timeout | null = null;
  const kill = (): void => {
    if (pid === undefined || !liveGroups.has(pid)) return;
    killGroup(pid, 'SIGTERM');
    killTimer ??= setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outLen = 0;
  let errLen = 0;
  let outputTooLarge = false;
  const onLine = opts.onLine;
  const partial = { out: '', err: '' };
  // A multi-byte character split across two chunks is decoded whole.
  const decoder = { out: new StringDecoder('utf8'), err: new StringDecoder('utf8') };
  const lines = (which: 'out' | 'err', text: string, end: boolean): void => {
    if (onLine === undefined) return;
    const parts = (partial[which] + text + (end ? decoder[which].end() : '')).split('\n');
    partial[which] = end ? '' : parts.pop() ?? '';
    if (end && parts.at(-1) === '') parts.pop();
    for (const l of parts) onLine(l, which === 'out' ? 'stdout' : 'stderr');
  };
  const collect = (chunks: Buffer[], which: 'out' | 'err') => (chunk: Buffer): void => {
    const len = which === 'out' ? (outLen += chunk.length) : (errLen += chunk.length);
    if (len > maxBuffer) {
      if (!outputTooLarge) {
        outputTooLarge = true;
        kill();
      }
      return;
    }
    chunks.push(chunk);
    if (onLine !== undefined) lines(which, decoder[which].write(chunk), false);
  };
  child.stdout?.on('data', collect(out, 'out'));
  child.stderr?.on('data', collect(err, 'err'));
  if (opts.input !== undefined && child.stdin) {
    child.stdin.on('error', () => {
      /* the program exited without reading its input */
    });
    child.stdin.end(opts.input);
  }

  const done = new Promise<Awaited<Spawned['done']>>((resolve) => {
    let settled = false;
    const settle = (exitCode: number | null, signal: NodeJS.Signals | null, startError: string | null): void => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      if (pid !== undefined) {
        // The leader is gone: whatever it left behind in its group goes with it.
        killGroup(pid, 'SIGKILL');
        liveGroups.delete(pid);
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      lines('out', '', true);
      lines('err', '', true);
      resolve({
        exitCode, signal, startError, outputTooLarge,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    };
    child.on('error', (e) => settle(null, null, e.message));
    child.on('exit', (code, signal) => {
      // Give the pipes a moment to deliver what the program wrote; a grandchild holding them
      // open must not keep the run alive.
      // The pipes are cut only after DRAIN_MS without any output. A timer that expires while the
      // gate was busy runs before the pending reads of the same loop turn, so it first lets one
      // turn of I/O happen (setImmediate) and looks again: what the program wrote before it
      // exited is never cut off.
      let open = [child.stdout, child.stderr].filter((s) => s && !s.readableEnded).length;
      if (open === 0) return settle(code, signal, null);
      let received = outLen + errLen;
      let drain: NodeJS.Timeout;
      const check = (): void => {
        setImmediate(() => {
          if (settled) return;
          if (outLen + errLen !== received) {
            received = outLen + errLen;
            drain = setTimeout(check, DRAIN_MS);
            return;
          }
          settle(code, signal, null);
        });
      };
      drain = setTimeout(check, DRAIN_MS);
      for (const s of [child.stdout, child.stderr]) {
        s?.once('end', () => {
          open -= 1;
          if (open === 0) {
            clearTimeout(drain);
            settle(code, signal, null);
          }
        });
      }
    });
  });
  return { child, done, kill };
}

/**
 * Runs a program to completion in its own process group. Never rejects: a program that cannot
 * start, fails, times out or floods its output is described by the result.
 */
export async function runTool(command: string, args: string[], opts: ToolOptions = {}): Promise<ToolRun> {
  const started = Date.now();
  if (opts.offline) await networkNamespaceReady();
  const s = spawnGroup(command, args, opts);
  let timedOut = false;
  const timer = opts.timeoutMs === undefined ? null : setTimeout(() => {
    timedOut = true;
    s.kill();
  }, opts.timeoutMs);
  const r = await s.done;
  if (timer) clearTimeout(timer);
  const failed = r.exitCode !== 0 || timedOut || r.startError !== null || r.outputTooLarge;
  return { command, args, ...r, timedOut, failed, durationMs: Date.now() - started };
}

/** First line of a failed run's reason, for messages: the start error, the timeout, or stderr. */
export function failureReason(r: ToolRun, timeoutMs?: number): string {
  if (r.startError !== null) return r.startError;
  if (r.timedOut) return `timed out${timeoutMs === undefined ? '' : ` after ${Math.round(timeoutMs / 1000)}s`}`;
  if (r.outputTooLarge) return 'output exceeded the size limit';
  const text = (r.stderr || r.stdout).trim();
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const how = r.signal !== null ? `killed by ${r.signal}` : `exited ${r.exitCode}`;
  return line === '' ? how : `${how}: ${line}`;
}
