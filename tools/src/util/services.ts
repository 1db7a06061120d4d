/**
 * Long-running services of the API server stage (etcd, kube-apiserver, controllers, kwok), each in
 * its own process group, so stopping one stops everything it started.
 *
 * A service is stopped:
 * - by `stop()` (SIGTERM to the group, SIGKILL after a grace period);
 * - when the gate exits, crashes (uncaught exception) or gets SIGINT/SIGTERM/SIGHUP (the hooks of util/process.ts);
 * - when the gate dies in a way no hook sees (SIGKILL, OOM): a watchdog `sh` per service holds the
 *   read end of a pipe whose write end only the gate has; when the gate is gone the read returns
 *   and the watchdog kills the service's group.
 *
 * The groups and temp folders are registered with the one process runner (util/process.ts), whose
 * exit, crash and signal hooks stop them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { killGroup, trackGroup, untrackGroup } from './process.js';

export interface ServiceOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Where the service's stdout and stderr go (a log file descriptor), else discarded. */
  logFd?: number;
  /** A folder the watchdog removes after killing the group when the gate died without cleaning up. */
  cleanupDir?: string;
}

export interface ServiceExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not start at all. */
  startError: string | null;
}

export interface Service {
  name: string;
  pid: number;
  /** Resolves when the service exited (stopped, crashed or killed with the gate). */
  exited: Promise<ServiceExit>;
  /** Whether it has exited. */
  readonly running: boolean;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the leader exited. */
  stop(graceMs?: number): Promise<ServiceExit>;
}

/**
 * The watchdog: `sh` reads its stdin (a pipe from the gate) until EOF, which comes when the gate
 * closes it (stop) or dies (any way, SIGKILL included); then it kills the service's group.
 */
function startWatchdog(pid: number, cleanupDir: string | undefined): ChildProcess {
  // The folder is removed only when the group was still there, i.e. the gate did not stop it.
  const script = 'read _ignored; if kill -9 "-$1" 2>/dev/null && [ -n "$2" ]; then sleep 0.5; rm -rf -- "$2"; fi; exit 0';
  const dog = spawn('/bin/sh', ['-c', script, 'gitops-watchdog', String(pid), cleanupDir ?? ''], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  dog.on('error', () => {
    /* no sh: the exit hooks still apply */
  });
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  dog.stdin?.on('error', () => {
    /* the watchdog is gone already */
  });
  return dog;
}

/** Starts a program in its own process group, watched so it never outlives the gate. */
export function startService(name: string, command: string, args: string[], opts: ServiceOptions = {}): Service {
  const out = opts.logFd ?? 'ignore';
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  let startError: string | null = null;
  let running = true;
  const pid = child.pid ?? -1;
  let dog: ChildProcess | null = null;
  if (pid > 0) {
    trackGroup(pid);
    dog = startWatchdog(pid, opts.cleanupDir);
  }
  const exited = new Promise<ServiceExit>((resolve) => {
    const done = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (!running) return;
      running = false;
      if (pid > 0) {
        // The leader is gone: whatever it left in its group goes with it.
        killGroup(pid, 'SIGKILL');
        untrackGroup(pid);
      }
      dog?.stdin?.end();
      resolve({ exitCode, signal, startError });
    };
    child.on('error', (e) => {
      startError = e.message;
      done(null, null);
    });
    child.on('exit', (code, signal) => done(code, signal));
  });
  return {
    name,
    pid,
    exited,
    get running() {
      return running;
    },
    async stop(graceMs = 3000) {
      if (!running) return exited;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}
