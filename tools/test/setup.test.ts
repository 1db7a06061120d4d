/**
 * `gitops setup`: only what a purpose needs, real Go builds into a cache by version that a second
 * setup reuses, version ldflags, and progress that names each build with its elapsed time (one
 * updating line on a terminal, a plain line every few seconds elsewhere). The clock of the
 * progress view is driven by the test: no wall-clock time is asserted.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGroups, cachePath, goBinaryName, installGroups, type BuildEvent, type BuildGroup } from '../src/maintain/gobuild.js';
import { PLAIN_EVERY_MS, ProgressView } from '../src/maintain/progress.js';
import { readPins, readProfiles, toolsForPurpose } from '../src/maintain/tools.js';
import { gitops, makeRepo, REPO, type FixtureRepo } from './helpers.js';

const group: BuildGroup = {
  id: 'k8s.io/kubernetes@v1.35.4#kubernetes', module: 'k8s.io/kubernetes', version: 'v1.35.4',
  tools: [{ name: 'kube-apiserver', package: 'k8s.io/kubernetes/cmd/kube-apiserver' }], profile: {}, weight: 8,
};

function view(tty: boolean) {
  let now = 1_000_000;
  const out: string[] = [];
  const v = new ProgressView({ tty, write: (t) => out.push(t), columns: () => 200, now: () => now });
  return { v, out, advance: (ms: number) => { now += ms; } };
}

describe('setup progress', () => {
  it('elsewhere than a terminal: a plain line naming the build and its elapsed time, at least every 5 s', () => {
    const { v, out, advance } = view(false);
    v.event({ type: 'start', group });
    expect(out.join('')).toBe('setup: building kube-apiserver v1.35.4 from k8s.io/kubernetes (go build k8s.io/kubernetes/cmd/kube-apiserver)\n');
    out.length = 0;
    v.event({ type: 'phase', group, phase: 'compiling', packages: 412, downloads: 0 });
    // A tick every second, as the timer does: one line per 5 s, never a carriage return.
    for (let s = 0; s < 20; s += 1) {
      advance(1000);
      v.tick();
    }
    expect(out).toHaveLength(20_000 / PLAIN_EVERY_MS);
    expect(out[0]).toBe('setup: building kube-apiserver v1.35.4: compiling (412 packages) 0m01s\n');
    expect(out.at(-1)).toBe('setup: building kube-apiserver v1.35.4: compiling (412 packages) 0m16s\n');
    expect(out.join('')).not.toContain('\r');
    out.length = 0;
    v.event({ type: 'done', group, ms: 487_000 });
    expect(out).toEqual(['setup: built kube-apiserver v1.35.4 in 8m07s\n']);
    advance(10_000);
    v.tick();
    expect(out).toHaveLength(1);
  });

  it('on a terminal: one line rewritten in place with every running build', () => {
    const { v, out, advance } = view(true);
    const etcd: BuildGroup = { ...group, id: 'etcd', module: 'go.etcd.io/etcd/server/v3', version: 'v3.6.16', tools: [{ name: 'etcd', package: 'go.etcd.io/etcd/server/v3' }] };
    v.event({ type: 'start', group });
    v.event({ type: 'start', group: etcd });
    out.length = 0;
    advance(61_000);
    v.tick();
    expect(out).toEqual(['\r\x1b[Ksetup: building kube-apiserver v1.35.4: starting 1m01s | etcd v3.6.16: starting 1m01s']);
  });
});

describe('setup --for', () => {
  it('validate needs kustomize, kubeconform, opa and helm; the API server tools only when gitops.yaml turns the stage on', () => {
    expect(toolsForPurpose(REPO, 'validate', 'off')).toEqual(['kustomize', 'kubeconform', 'opa', 'helm']);
    expect(toolsForPurpose(REPO, 'validate', 'dry-run')).toEqual(['kustomize', 'kubeconform', 'opa', 'helm', 'etcd', 'kube-apiserver']);
    expect(toolsForPurpose(REPO, 'validate', 'apply')).toEqual(
      ['kustomize', 'kubeconform', 'opa', 'helm', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
  });

  it('builds the tools of one module and version together, with the profile that replaces the staging modules', () => {
    const pins = readPins(REPO);
    const groups = buildGroups(pins, ['kube-apiserver', 'kubectl', 'etcd', 'kustomize'], readProfiles(REPO));
    expect(groups.map((g) => g.tools.map((t) => t.name))).toEqual([['kube-apiserver', 'kubectl'], ['etcd'], ['kustomize']]);
    expect(groups[0]!.profile.replaceLocal).toBe('v0.35.4');
    expect(goBinaryName('go.etcd.io/etcd/server/v3')).toBe('server');
    expect(goBinaryName('sigs.k8s.io/kustomize/kustomize/v5')).toBe('kustomize');
  });
});

describe('setup builds into a cache by version and reuses it', () => {
  const repos: FixtureRepo[] = [];
  const cache = mkdtempSync(path.join(os.tmpdir(), 'gitops-tools-cache-'));
  afterAll(() => {
    for (const r of repos) r.cleanup();
    rmSync(cache, { recursive: true, force: true });
  });

  it('a first setup builds (real go build), a second copies the same binary from the cache', async () => {
    const repo = makeRepo({}, { tools: [] });
    repos.push(repo);
    const env = { GITOPS_TOOLS_CACHE: cache };
    const first = await gitops(repo.root, ['setup', 'kubeconform'], env);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^setup: building kubeconform v0\.7\.0 from github\.com\/yannh\/kubeconform/m);
    expect(first.stderr).toMatch(/^setup: built kubeconform v0\.7\.0 in \d+m\d\ds$/m);
    expect(first.stderr).toContain('1 built (kubeconform), 0 from the cache');
    const bin = path.join(repo.root, '.tools/bin/kubeconform');
    const version = await execa(bin, ['-v']);
    expect(version.stdout).toContain('v0.7.0');
    const pins = readPins(REPO);
    const cached = cachePath(cache, buildGroups(pins, ['kubeconform'], readProfiles(REPO))[0]!, { name: 'kubeconform', package: pins.kubeconform.package });
    expect(statSync(cached).size).toBe(statSync(bin).size);

    // Another checkout (or the same after its .tools/ went away) gets it from the cache.
    const other = makeRepo({}, { tools: [] });
    repos.push(other);
    const second = await gitops(other.root, ['setup', 'kubeconform'], env);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/^setup: kubeconform v0\.7\.0 reused \(built before, cache /m);
    expect(second.stderr).not.toContain('building');
    expect(readFileSync(path.join(other.root, '.tools/bin/kubeconform')).equals(readFileSync(bin))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(other.root, '.tools/bin/.installed.json'), 'utf8'))).toEqual({ kubeconform: 'v0.7.0' });
    expect(JSON.parse(readFileSync(path.join(other.root, '.tools/bin/.installed-specs.json'), 'utf8'))).toEqual({ kubeconform: path.basename(path.dirname(cached)) });

    // Present at the pinned version: nothing to do.
    const third = await gitops(other.root, ['setup', '--quiet', 'kubeconform'], env);
    expect(third.exitCode).toBe(0);
    expect(third.stderr).toBe('');
  });

  it('streams what go downloads and compiles into the progress events while it builds', async () => {
    // An empty module cache fed from the machine's own (the test above left kubeconform's modules
    // there) through a file:// proxy: go prints each download and package, offline.
    const goEnv = await execa('go', ['env', 'GOMODCACHE']);
    const work = mkdtempSync(path.join(os.tmpdir(), 'gitops-stream-'));
    const saved = { GOMODCACHE: process.env.GOMODCACHE, GOPROXY: process.env.GOPROXY, GOSUMDB: process.env.GOSUMDB };
    Object.assign(process.env, { GOMODCACHE: path.join(work, 'mod'), GOPROXY: `file://${goEnv.stdout.trim()}/cache/download`, GOSUMDB: 'off' });
    const events: BuildEvent[] = [];
    try {
      const groups = buildGroups(readPins(REPO), ['kubeconform'], readProfiles(REPO));
      const outcome = await installGroups(groups, path.join(work, 'bin'), path.join(work, 'cache'), (e) => events.push(e));
      expect(outcome).toEqual({ installed: ['kubeconform'], reused: [] });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      // Go makes its module cache read-only.
      await execa('chmod', ['-R', 'u+w', work]);
      rmSync(work, { recursive: true, force: true });
    }
    const phases = events.flatMap((e) => (e.type === 'phase' ? [e] : []));
    expect(events[0]?.type).toBe('start');
    expect(events.at(-1)?.type).toBe('done');
    // Counted from go's own lines ("go: downloading ...", one package path per compiled package).
    expect(phases.some((p) => p.phase === 'downloading' && p.downloads > 0)).toBe(true);
    expect(Math.max(...phases.map((p) => p.packages))).toBeGreaterThan(5);
    expect(phases.findIndex((p) => p.downloads > 0)).toBeLessThan(phases.findIndex((p) => p.packages > 0));
  }, 600_000);

  it('a failed build says so and leaves the tools placed before it in the outcome', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'gitops-failed-build-'));
    const saved = { GOPROXY: process.env.GOPROXY };
    // Offline and with a module that exists nowhere: go fails at once.
    Object.assign(process.env, { GOPROXY: 'off' });
    const cached: BuildGroup = { id: 'cached', module: 'example.com/cached', version: 'v1.0.0', tools: [{ name: 'cached', package: 'example.com/cached' }], profile: {}, weight: 1 };
    const broken: BuildGroup = { id: 'broken', module: 'example.com/does-not-exist', version: 'v0.0.1', tools: [{ name: 'broken', package: 'example.com/does-not-exist' }], profile: {}, weight: 1 };
    const cache = path.join(work, 'cache');
    const bin = cachePath(cache, cached, cached.tools[0]!);
    mkdirSync(path.dirname(bin), { recursive: true });
    writeFileSync(bin, '#!/bin/sh\n');
    const events: BuildEvent[] = [];
    const outcome = { installed: [] as string[], reused: [] as string[] };
    try {
      await expect(installGroups([cached, broken], path.join(work, 'bin'), cache, (e) => events.push(e), outcome)).rejects.toThrow(/broken v0\.0\.1/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(work, { recursive: true, force: true });
    }
    expect(outcome).toEqual({ installed: [], reused: ['cached'] });
    expect(events.map((e) => `${e.type} ${e.group.id}`)).toEqual(expect.arrayContaining(['reused cached', 'start broken', 'failed broken']));
    expect(events.some((e) => e.type === 'done')).toBe(false);
    // The progress view no longer lists a failed build as running.
    const out: string[] = [];
    let clock = 0;
    const view = new ProgressView({ tty: false, write: (t) => out.push(t), now: () => clock });
    for (const e of events) view.event(e);
    expect(out.join('')).toMatch(/building broken v0\.0\.1 failed after/);
    const before = out.length;
    clock += 10 * PLAIN_EVERY_MS;
    view.tick();
    expect(out.length).toBe(before);
  });

  it('the Kubernetes binaries say their release version (ldflags of the profile)', async () => {
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      const r = await execa(path.join(REPO, '.tools/bin', name), ['--version']);
      expect(r.stdout, name).toBe(`Kubernetes ${readPins(REPO)[name as 'kube-apiserver'].version}`);
    }
    const kubectl = await execa(path.join(REPO, '.tools/bin/kubectl'), ['version', '--client']);
    expect(kubectl.stdout).toContain(`Client Version: ${readPins(REPO).kubectl.version}`);
    const kwok = await execa(path.join(REPO, '.tools/bin/kwok'), ['--version']);
    expect(kwok.stdout).toContain(`kwok version ${readPins(REPO).kwok.version}`);
  });

  it('an unknown purpose is a usage error', async () => {
    const repo = makeRepo({}, { tools: [] });
    repos.push(repo);
    const r = await gitops(repo.root, ['setup', '--for', 'nothing']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--for nothing: no pinned tool is needed by 'nothing'");
  });
});
