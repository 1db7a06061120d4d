/**
 * The GitHub side of the repository: the workflows pass the real actionlint, follow the pinning and
 * permission rules, and the scripts they run (render diff, digest bump) do what the workflows rely
 * on, run for real with the pinned kustomize. Also the Renovate settings the digest policy relies
 * on, and the pre-commit hook.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ACTIONLINT = path.join(ROOT, '.tools/bin/actionlint');
const KUSTOMIZE = path.join(ROOT, '.tools/bin/kustomize');
const WORKFLOWS = path.join(ROOT, '.github/workflows');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gitops-workflows-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function workflowFiles(): Promise<string[]> {
  return (await readdir(WORKFLOWS)).filter((f) => f.endsWith('.yaml')).sort();
}

describe('actionlint', () => {
  it('passes every workflow with no output', async () => {
    const r = await execa(ACTIONLINT, [], { cwd: ROOT, reject: false });
    expect({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('is really checking: a broken workflow fails', async () => {
    const dir = path.join(tmp, 'broken');
    await write(
      path.join(dir, '.github/workflows/bad.yaml'),
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n        uses: actions/checkout@v4\n',
    );
    const r = await execa(ACTIONLINT, ['-no-color', '.github/workflows/bad.yaml'], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('.github/workflows/bad.yaml:6:');
  });
});

describe('workflow rules', () => {
  it('has the three workflows', async () => {
    expect(await workflowFiles()).toEqual(['diff.yaml', 'images.yaml', 'validate.yaml']);
  });

  it('pins every action to a commit with its version beside it, or to an exact version', async () => {
    const files = [...(await workflowFiles()).map((f) => path.join(WORKFLOWS, f)), path.join(ROOT, '.github/actions/setup/action.yaml')];
    let count = 0;
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
        const ref = m[1] ?? '';
        const rest = m[2] ?? '';
        if (ref.startsWith('./')) continue;
        count += 1;
        const [, version] = ref.split('@');
        const sha = /^[0-9a-f]{40}$/.test(version ?? '');
        const exact = /^v\d+\.\d+\.\d+$/.test(version ?? '');
        expect(sha || exact, `${path.basename(file)}: ${ref}`).toBe(true);
        if (sha) expect(rest, `${path.basename(file)}: ${ref} names its version`).toMatch(/^ # v\d+\.\d+\.\d+$/);
      }
    }
    expect(count).toBeGreaterThan(15);
  });

  it('grants nothing by default and declares permissions per job', async () => {
    for (const f of await workflowFiles()) {
      const wf = parse(await readFile(path.join(WORKFLOWS, f), 'utf8')) as Json;
      expect(wf.permissions, f).toEqual({});
      expect(wf.concurrency, f).toBeDefined();
      for (const [name, job] of Object.entries(wf.jobs as Json)) {
        expect((job as Json).permissions, `${f}: ${name}`).toBeDefined();
        expect((job as Json)['timeout-minutes'], `${f}: ${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('gives write access only where it is used', async () => {
    const perms = async (f: string): Promise<Record<string, Json>> => {
      const wf = parse(await readFile(path.join(WORKFLOWS, f), 'utf8')) as Json;
      return Object.fromEntries(Object.entries(wf.jobs as Json).map(([k, v]) => [k, (v as Json).permissions as Json]));
    };
    expect(await perms('validate.yaml')).toEqual({
      gate: { contents: 'read', 'security-events': 'write', actions: 'read' },
      test: { contents: 'read' },
      charts: { contents: 'read' },
      generated: { contents: 'read' },
    });
    expect(await perms('diff.yaml')).toEqual({ render: { contents: 'read' }, comment: { 'pull-requests': 'write' } });
    expect(await perms('images.yaml')).toEqual({
      plan: {},
      build: { contents: 'read', packages: 'write', 'id-token': 'write', 'security-events': 'write' },
      promote: { contents: 'write', 'pull-requests': 'write' },
    });
  });

  it('never puts untrusted event text straight into a shell script', async () => {
    for (const f of await workflowFiles()) {
      const wf = parse(await readFile(path.join(WORKFLOWS, f), 'utf8')) as Json;
      for (const job of Object.values(wf.jobs as Json)) {
        for (const step of ((job as Json).steps ?? []) as Json[]) {
          if (typeof step.run !== 'string') continue;
          expect(step.run, `${f}: ${step.name ?? step.run}`).not.toMatch(/\$\{\{\s*(inputs\.|github\.event\.|github\.head_ref)/);
        }
      }
    }
  });

  it('rebuilds images when a Dockerfile, its Dockerfile.dockerignore or nginx.conf changes, and uploads Trivy SARIF before the gating scan', async () => {
    const wf = parse(await readFile(path.join(WORKFLOWS, 'images.yaml'), 'utf8')) as Json;
    const paths = wf.on.push.paths as string[];
    for (const c of ['backend', 'admin-dashboard']) {
      expect(paths).toContain(`base/${c}/Dockerfile`);
      expect(paths).toContain(`base/${c}/Dockerfile.dockerignore`);
    }
    for (const p of paths) expect(existsSync(path.join(ROOT, p)), p).toBe(true);
    const steps = wf.jobs.build.steps as Json[];
    const names = steps.map((s) => s.name ?? s.uses);
    const sarif = names.indexOf('Scan with Trivy (SARIF)');
    const upload = names.indexOf('Upload Trivy results to code scanning');
    const gate = names.indexOf('Scan with Trivy (fails on HIGH or CRITICAL)');
    expect(sarif).toBeGreaterThan(0);
    expect(upload).toBe(sarif + 1);
    expect(gate).toBeGreaterThan(upload);
    expect(steps[sarif]?.run).toContain('--format sarif');
    expect(steps[upload]?.uses).toMatch(/^github\/codeql-action\/upload-sarif@[0-9a-f]{40}$/);
    expect(steps[upload]?.with?.sarif_file).toBe('trivy-${{ matrix.component }}.sarif');
  });

  it('runs the gate in both report formats and uploads the SARIF before the job can fail', async () => {
    const wf = parse(await readFile(path.join(WORKFLOWS, 'validate.yaml'), 'utf8')) as Json;
    const steps = wf.jobs.gate.steps as Json[];
    const names = steps.map((s) => s.name ?? s.uses);
    const sarif = names.indexOf('Validate (SARIF)');
    const upload = names.indexOf('Upload to code scanning');
    const annotations = names.indexOf('Validate (annotations)');
    expect(sarif).toBeGreaterThan(0);
    expect(upload).toBeGreaterThan(sarif);
    expect(annotations).toBeGreaterThan(upload);
    expect(steps[sarif]?.run).toContain('npx gitops validate --apiserver --format sarif > gitops.sarif');
    expect(steps[sarif]?.run).toContain('set +e');
    expect(steps[annotations]?.run).toBe('npx gitops validate --apiserver --format github');
    const generated = (wf.jobs.generated.steps as Json[]).map((s) => s.run).filter((r): r is string => typeof r === 'string');
    expect(generated.slice(0, 2)).toEqual(['npx gitops policy build', 'npx gitops docs']);
    expect(generated[2]).toContain('git diff --exit-code');
  });
});

describe('render diff workflow', () => {
  it('renders every cluster with gitops diff (charts pulled first) and posts the split comments', async () => {
    const wf = parse(await readFile(path.join(WORKFLOWS, 'diff.yaml'), 'utf8')) as Json;
    const steps = (wf.jobs.render.steps as Json[]).map((s) => String(s.run ?? s.uses ?? ''));
    const pull = steps.findIndex((r) => r.startsWith('npx gitops charts fetch --pull\n') && r.includes('--lock "$RUNNER_TEMP/base-charts.lock.json"'));
    const diff = steps.findIndex((r) => r.includes('npx gitops diff --base "$BASE" --out render-diff'));
    expect(pull).toBeGreaterThan(0);
    expect(diff).toBeGreaterThan(pull);
    expect(wf.jobs.render.permissions).toEqual({ contents: 'read' });
    expect(String(wf.jobs.comment.steps[1].with.script)).toContain('comment-');
    // The shell script it replaces is gone.
    await expect(readFile(path.join(ROOT, '.github/scripts/render-diff.sh'), 'utf8')).rejects.toThrow();
  });
});

describe('set-image.mjs', () => {
  const SCRIPT = path.join(ROOT, '.github/scripts/set-image.mjs');
  // A digest computed here for the test, not one of a real image.
  const DIGEST = `sha256:${createHash('sha256').update('set-image test').digest('hex')}`;

  async function setImage(text: string, ...args: string[]) {
    const file = path.join(tmp, `version-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);
    const r = await execa('node', [SCRIPT, file, ...args], { cwd: ROOT, reject: false });
    return { ...r, text: await readFile(file, 'utf8') };
  }

  it('writes tag and digest into a patch that sets the image, keeping comments and other images', async () => {
    const before = [
      '---',
      '# Images only: promotion copies this file to the next environment.',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: backend',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: backend',
      '          image: ghcr.io/funlynk/backend:1.3.0 # released',
      '        - name: worker',
      '          image: ghcr.io/funlynk/backend-worker:1.0.0',
      '',
    ].join('\n');
    const r = await setImage(before, 'ghcr.io/funlynk/backend', '1.4.0', DIGEST);
    expect(r.exitCode).toBe(0);
    expect(r.text).toBe(before.replace('ghcr.io/funlynk/backend:1.3.0 #', `ghcr.io/funlynk/backend:1.4.0@${DIGEST} #`));
  });

  it('bumps the committed overlays/dev/version.yaml in exactly one line', async () => {
    const committed = await readFile(path.join(ROOT, 'overlays/dev/version.yaml'), 'utf8');
    const r = await setImage(committed, 'ghcr.io/funlynk/backend', '9.9.9', DIGEST);
    expect(r.exitCode).toBe(0);
    const before = committed.split('\n');
    const after = r.text.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = after.map((line, i) => [before[i], line]).filter(([a, b]) => a !== b);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.[1]).toMatch(new RegExp(`^\\s+image: ghcr\\.io/funlynk/backend:9\\.9\\.9@${DIGEST}$`));
  });

  it('sets newTag and digest of a kustomize images entry', async () => {
    const before = [
      'apiVersion: kustomize.config.k8s.io/v1alpha1',
      'kind: Component',
      'images:',
      '  - name: ghcr.io/funlynk/backend',
      '    newTag: 1.3.0',
      '  - name: ghcr.io/funlynk/admin-dashboard',
      '    newTag: 1.0.0',
      '',
    ].join('\n');
    const r = await setImage(before, 'ghcr.io/funlynk/admin-dashboard', '1.10', DIGEST);
    expect(r.exitCode).toBe(0);
    expect(r.text).toBe(before.replace('    newTag: 1.0.0\n', `    newTag: "1.10"\n    digest: ${DIGEST}\n`));
  });

  it('refuses an image the file does not name, and malformed arguments, changing nothing', async () => {
    const text = 'images:\n  - name: ghcr.io/funlynk/backend\n    newTag: 1.3.0\n';
    const missing = await setImage(text, 'ghcr.io/funlynk/back', '1.4.0', DIGEST);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/does not name ghcr\.io\/funlynk\/back$/);
    expect(missing.text).toBe(text);
    const badDigest = await setImage(text, 'ghcr.io/funlynk/backend', '1.4.0', 'sha256:abc');
    expect(badDigest.exitCode).toBe(1);
    expect(badDigest.stderr).toBe("set-image: 'sha256:abc' is not a sha256 digest");
    const badTag = await setImage(text, 'ghcr.io/funlynk/backend', '1.4.0;rm', DIGEST);
    expect(badTag.exitCode).toBe(1);
    expect(badTag.text).toBe(text);
  });
});

describe('renovate.json', () => {
  let config: Json;
  beforeAll(async () => {
    config = JSON.parse(await readFile(path.join(ROOT, 'renovate.json'), 'utf8')) as Json;
  });

  const matcher = (manager: string) => {
    const patterns = (config[manager]?.managerFilePatterns ?? []) as string[];
    const regexes = patterns.map((p) => new RegExp(p.slice(1, -1)));
    return (file: string): boolean => regexes.some((r) => r.test(file));
  };

  it('reads our manifests, Dockerfiles, compose files and Argo CD applications', () => {
    expect(config.enabledManagers).toEqual(
      expect.arrayContaining(['kubernetes', 'kustomize', 'dockerfile', 'docker-compose', 'helm-values', 'argocd', 'github-actions']),
    );
    expect(matcher('kubernetes')('base/backend/deployment.yaml')).toBe(true);
    expect(matcher('kubernetes')('overlays/prod/version.yaml')).toBe(true);
    expect(matcher('kubernetes')('tools/test/fixtures/x.yaml')).toBe(false);
    expect(matcher('kustomize')('overlays/dev/kustomization.yaml')).toBe(true);
    expect(matcher('dockerfile')('base/backend/Dockerfile')).toBe(true);
    expect(matcher('dockerfile')('base/admin-dashboard/Dockerfile')).toBe(true);
    expect(matcher('docker-compose')('overlays/local/compose.yaml')).toBe(true);
    expect(matcher('argocd')('clusters/prod/root-app.yaml')).toBe(true);
    expect(matcher('argocd')('apps/prod/backend.yaml')).toBe(true);
    // policy fixtures are examples, some deliberately unpinned: Renovate must not touch them
    expect(config.ignorePaths).toEqual(expect.arrayContaining(['policies/**', '**/test/**']));
  });

  it('pins third-party image digests, leaves our own images to the release workflow, automerges nothing', () => {
    const rules = config.packageRules as Json[];
    expect(rules).toContainEqual(expect.objectContaining({ matchDatasources: ['docker'], pinDigests: true }));
    expect(rules).toContainEqual(expect.objectContaining({ matchPackageNames: ['ghcr.io/funlynk/**'], enabled: false }));
    expect(config.extends).toContain('helpers:pinGitHubActionDigests');
    expect(config.automerge).toBe(false);
    expect(rules.some((r) => r.automerge === true)).toBe(false);
  });

  it('finds the Trivy image of images.yaml with its custom manager', async () => {
    const manager = (config.customManagers as Json[])[0] as Json;
    const text = await readFile(path.join(WORKFLOWS, 'images.yaml'), 'utf8');
    const m = new RegExp(manager.matchStrings[0] as string).exec(text);
    expect(m?.groups).toEqual({ depName: 'docker.io/aquasec/trivy', currentValue: '0.69.3', currentDigest: undefined });
  });
});

describe('pre-commit hook', () => {
  it('runs the gate on the staged change only, with the built gate of the checkout', async () => {
    const hook = await readFile(path.join(ROOT, '.husky/pre-commit'), 'utf8');
    const commands = hook.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(commands).toEqual(['node --interrupt-budget=1081344 --wasm-tiering-budget=28800000 tools/bin/gitops.js validate --changed --staged --schema-engine ajv --apiserver=off --brief --quiet']);
  });
});
