/**
 * No hangs and nothing left behind: every external tool runs in its own process group, a timeout
 * kills the group, a run settles even when a grandchild keeps the pipe open, and the gate's temp
 * folders and processes are gone when it ends (finished, timed out, or stopped by a signal).
 * The fake tools are wrapper scripts whose child sleeps: a failure real kustomize cannot show.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool, tempDir, withTempDir } from '../../src/util/process.js';
import { startService } from '../../src/util/services.js';
import { renderKustomization } from '../../src/render/kustomize.js';
import { resolveKustomize } from '../../src/maintain/tools.js';
import { CLI, makeRepo, REPO, type FixtureRepo } from '../helpers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until every pid is gone: a killed process needs a moment to be reaped. */
async function gone(pids: number[]): Promise<boolean> {
  for (let i = 0; i < 50; i += 1) {
    if (pids.every((p) => !alive(p))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('runTool', () => {
  it('settles when the program exits though its background child keeps stdout open, and kills that child', async () => {
    const r = await runTool('sh', ['-c', 'sleep 600 & echo $!; exit 0']);
    expect(r.exitCode).toBe(0);
    expect(r.failed).toBe(false);
    const child = Number(r.stdout.trim());
    expect(child).toBeGreaterThan(0);
    expect(await gone([child])).toBe(true);
  });

  it('keeps reading while output still arrives after the program exited, past the drain time', async () => {
    // The leader exits at once; what it started writes for another 0.4 s, never pausing for as
    // long as the drain time (250 ms). All of it is the program's output.
    const r = await runTool('sh', ['-c', '(for i in 1 2 3 4; do printf "$i"; sleep 0.1; done) & exit 0']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('1234');
  });

  it('kills the whole group on timeout and says so', async () => {
    const r = await runTool('sh', ['-c', 'sleep 600 & echo $!; wait'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.failed).toBe(true);
    expect(await gone([Number(r.stdout.trim())])).toBe(true);
  });

  it('hands each line to onLine while the program runs, and still collects the whole output', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-online-'));
    const go = path.join(dir, 'go');
    const seen: Array<[string, string]> = [];
    // The program waits for a file that only the onLine callback creates, on its first line: it
    // can only finish (before the timeout) if that line arrives while it still runs.
    const script = `echo first; i=0; while [ ! -e '${go}' ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; `
      + `[ -e '${go}' ] || exit 7; echo err-line >&2; printf '\\303'; sleep 0.1; printf '\\251t\\nlast-no-newline'`;
    try {
      const r = await runTool('sh', ['-c', script], {
        timeoutMs: 30_000,
        onLine: (line, stream) => {
          seen.push([stream, line]);
          if (line === 'first') writeFileSync(go, '');
        },
      });
      expect(r.exitCode).toBe(0);
      expect(seen).toEqual([['stdout', 'first'], ['stderr', 'err-line'], ['stdout', 'ét'], ['stdout', 'last-no-newline']]);
      expect(r.stdout).toBe('first\nét\nlast-no-newline');
      expect(r.stderr).toBe('err-line\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes a program that cannot start instead of rejecting', async () => {
    const r = await runTool('/nonexistent/tool', ['x']);
    expect(r.exitCode).toBeNull();
    expect(r.startError).toMatch(/ENOENT/);
    expect(r.failed).toBe(true);
  });

  it('passes input on stdin and keeps stdout and stderr apart', async () => {
    const r = await runTool('sh', ['-c', 'cat; echo oops >&2; exit 3'], { input: 'hello' });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'hello', stderr: 'oops\n', failed: true });
  });

  it('offline: no name resolves and no proxy leads out', async () => {
    const r = await runTool('sh', ['-c', 'echo "$HTTPS_PROXY $GIT_ALLOW_PROTOCOL"; getent hosts github.com || echo unresolved'], { offline: true });
    expect(r.stdout).toContain('http://127.0.0.1:9 file');
    expect(r.stdout).toContain('unresolved');
  });

  it('kustomize itself cannot reach the network: an HTTP resource dies at the dead proxy, a git one at the refused transport', async () => {
    const dir = tempDir('gitops-test-remote-');
    try {
      writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n  - https://raw.githubusercontent.com/example/upstream/main/deploy.yaml\n');
      const runner = await resolveKustomize(REPO);
      const http = await renderKustomization(runner, dir, 60);
      expect(http.ok).toBe(false);
      expect(http.timedOut).toBe(false);
      expect(http.stderr).toMatch(/127\.0\.0\.1:9/);
      writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n  - https://github.com/example/upstream//deploy?ref=v1.0.0\n');
      const git = await renderKustomization(runner, dir, 60);
      expect(git.ok).toBe(false);
      expect(git.stderr).toMatch(/transport 'https' not allowed|127\.0\.0\.1:9|network is unreachable/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops a service with its whole group', async () => {
    await withTempDir('gitops-test-service-', async (dir) => {
      const pidFile = path.join(dir, 'pid');
      const s = startService('sleeper', 'sh', ['-c', `sleep 600 & echo $! > '${pidFile}.part' && mv '${pidFile}.part' '${pidFile}'; wait`]);
      const until = Date.now() + 10_000;
      while (!existsSync(pidFile)) {
        if (Date.now() > until) expect.fail('the service did not start its child within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const child = Number(readFileSync(pidFile, 'utf8').trim());
      expect(s.running).toBe(true);
      const r = await s.stop();
      expect(r.startError).toBeNull();
      expect(s.running).toBe(false);
      expect(await gone([s.pid, child])).toBe(true);
    });
  });

  it('removes temp folders after use, also when the work throws', async () => {
    let seen = '';
    await expect(withTempDir('gitops-test-', async (dir) => {
      seen = dir;
      writeFileSync(path.join(dir, 'f'), 'x');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(existsSync(seen)).toBe(false);
    const dir = tempDir('gitops-test-');
    expect(existsSync(dir)).toBe(true);
    rmSync(dir, { recursive: true });
  });
});

/** A kustomize that records its pid and its child's pid, then waits for a child that sleeps. */
function fakeKustomize(pidFile: string, mode: 'hang' | 'leave-child'): string {
  const body = mode === 'hang'
    ? `sleep 600 &\necho "$$ $!" > '${pidFile}'\nwait\n`
    : `sleep 600 &\necho "$$ $!" > '${pidFile}'\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: fake\\n  namespace: shop\\ndata:\\n  a: b\\n'\nexit 0\n`;
  return `#!/bin/sh\n${body}`;
}

interface GateRun {
  exitCode: number | null;
  hung: boolean;
  stdout: string;
}

/** Runs the real CLI; if it is still running `limitMs` later, kills it and reports it hung. */
function runGate(cwd: string, args: string[], env: Record<string, string>, limitMs: number, onStart?: (pid: number) => void): Promise<GateRun> {
  return new Promise((resolve) => {
    const child = spawn('node', [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, limitMs);
    if (child.pid !== undefined) onStart?.(child.pid);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, hung, stdout });
    });
  });
}

describe('the gate with a kustomize whose child sleeps', () => {
  const TIMEOUT_S = 2;
  let repo: FixtureRepo;
  let tmp: string;
  let pidFile: string;
  beforeAll(() => {
    repo = makeRepo({
      'overlays/dev/kustomization.yaml': 'resources:\n  - configmap.yaml\n',
      'overlays/dev/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  a: b\n',
      // A plain folder in the same run: still checked while kustomize misbehaves.
      'plain/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  containers:\n    - name: c\n      image: nginx\n      privileged: true\n',
    }, { tools: ['kubeconform', 'opa'] });
    writeFileSync(path.join(repo.root, 'gitops.yaml'), readFileSync(path.join(repo.root, 'gitops.yaml'), 'utf8').replace(/timeoutSeconds: \d+/, `timeoutSeconds: ${TIMEOUT_S}`));
  });
  afterAll(() => repo.cleanup());

  const setup = (mode: 'hang' | 'leave-child'): void => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'gitops-test-tmp-'));
    pidFile = path.join(tmp, '..', `${path.basename(tmp)}.pids`);
    const bin = path.join(repo.root, '.tools/bin/kustomize');
    writeFileSync(bin, fakeKustomize(pidFile, mode));
    chmodSync(bin, 0o755);
  };
  const pids = (): number[] => readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
  const cleanupTmp = (): void => {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(pidFile, { force: true });
  };

  it('times out, kills the wrapper and its child, removes its temp folders, reports tool/kustomize-timeout', async () => {
    setup('hang');
    try {
      const run = await runGate(repo.root, ['validate', 'overlays/dev', 'plain', '--format', 'json'], { TMPDIR: tmp }, (TIMEOUT_S + 5) * 1000);
      expect(run.hung).toBe(false);
      expect(run.exitCode).toBe(2);
      const report = JSON.parse(run.stdout) as { summary: { incomplete: boolean }; findings: Array<{ ruleId: string; message: string; target: string }> };
      expect(report.summary.incomplete).toBe(true);
      const timeout = report.findings.find((f) => f.ruleId === 'tool/kustomize-timeout');
      expect(timeout?.message).toContain(`timed out after ${TIMEOUT_S}s`);
      expect(timeout?.target).toBe('overlays/dev');
      // The rest was still checked.
      expect(report.findings.some((f) => f.target === 'plain' && f.ruleId.startsWith('schema/'))).toBe(true);
      expect(pids()).toHaveLength(2);
      expect(await gone(pids())).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      cleanupTmp();
    }
  });

  it('finishes at once when the tool exits but its child keeps the pipe open, and kills the child', async () => {
    setup('leave-child');
    try {
      const run = await runGate(repo.root, ['validate', 'overlays/dev', '--format', 'json'], { TMPDIR: tmp }, (TIMEOUT_S + 5) * 1000);
      expect(run.hung).toBe(false);
      expect(run.exitCode).toBe(0);
      expect(JSON.parse(run.stdout).summary.resources).toBe(1);
      expect(await gone(pids())).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      cleanupTmp();
    }
  });

  it('stopped by SIGTERM while kustomize runs, leaves no process and no temp folder', async () => {
    setup('hang');
    try {
      let gatePid = 0;
      const pending = runGate(repo.root, ['validate', 'overlays/dev', '--format', 'json'], { TMPDIR: tmp }, 30_000, (pid) => (gatePid = pid));
      for (let i = 0; i < 100 && !existsSync(pidFile); i += 1) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(pidFile)).toBe(true);
      process.kill(gatePid, 'SIGTERM');
      const run = await pending;
      expect(run.hung).toBe(false);
      expect(await gone(pids())).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      cleanupTmp();
    }
  });
});
