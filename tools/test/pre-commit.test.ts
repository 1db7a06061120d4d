/**
 * The pre-commit hook as a commit runs it: the command of .husky/pre-commit, on a fixture
 * repository with staged files, through the real CLI and the real pinned tools. A passing commit
 * prints one summary line; a blocked one lists the findings that block it, and only those.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitops, makeRepo, REPO, type FixtureRepo } from './helpers.js';
import { hookCommand } from '../src/maintain/bench-hook.js';

/** The hook's one command, `node [options] tools/bin/gitops.js validate ...`: node's options and the gate's arguments. */
const hook = hookCommand(REPO);
const hookArgs = (): string[] => hook.args;
/** The gate as the hook starts it: with node's options of .husky/pre-commit. */
const hookRun = (cwd: string, args: string[]) => gitops(cwd, args, {}, hook.nodeOptions);

const KUSTOMIZATION = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cm.yaml\n';
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: demo\ndata:\n  a: "1"\n';
/** Two warnings (a floating tag, no HEALTHCHECK), no error. */
const DOCKERFILE = 'FROM nginx:1.27\nUSER 101:101\nCMD ["nginx"]\n';

describe('pre-commit hook', () => {
  let repo: FixtureRepo;
  const git = (...args: string[]) => execa('git', args, { cwd: repo.root });
  beforeAll(async () => {
    repo = makeRepo({ 'overlays/one/kustomization.yaml': KUSTOMIZATION, 'overlays/one/cm.yaml': CM });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--no-verify', '-m', 'start');
  });
  afterAll(() => repo.cleanup());

  it('validates the staged change quietly: one summary line when the commit passes', async () => {
    repo.write('base/web/Dockerfile', DOCKERFILE);
    await git('add', 'base/web/Dockerfile');
    const run = await hookRun(repo.root, hookArgs());
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('0 errors, 2 warnings, 0 info, 0 waived in 1 target (1 resource); 2 below --fail-on not listed (run without --brief to see them)');
    // Without --brief the same run lists both warnings.
    const full = await hookRun(repo.root, hookArgs().filter((a) => a !== '--brief'));
    expect(full.exitCode).toBe(0);
    expect(full.stdout).toContain('base/web/Dockerfile:1:1  warning  docker/base-image-pinned');
    expect(full.stdout).toContain('docker/healthcheck-present');
  });

  it('lists the findings that block a commit, and only those', async () => {
    repo.write('overlays/one/cm.yaml', CM.replace('\ndata:\n', '\nbogus: true\ndata:\n'));
    await git('add', 'overlays/one/cm.yaml');
    const run = await hookRun(repo.root, hookArgs());
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('overlays/one');
    expect(lines[1]).toMatch(/^ {2}overlays\/one\/cm\.yaml:6:1 {2}error {4}schema\/\S+ {2}.*bogus/);
    expect(run.stdout).not.toContain('warning  ');
    expect(run.stdout).not.toContain('base/web/Dockerfile');
    expect(lines.at(-1)).toBe('1 error, 2 warnings, 0 info, 0 waived in 2 targets (2 resources); 2 below --fail-on not listed (run without --brief to see them)');
  });

  it('--brief is for the text report', async () => {
    const run = await gitops(repo.root, ['validate', '--brief', '--format', 'json']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--brief goes with --format text (not json)');
    expect(run.stdout).toBe('');
  });
});
