/**
 * The results cache (util/results.ts, pipeline/verdicts.ts): a run that takes earlier verdicts
 * reports exactly what a run computing everything again (--no-cache) reports, after every kind of
 * change: an object edited, an unchanged object whose verdict depends on an edited one, a change
 * undone, a damaged cache. Real kustomize, kubeconform and policy bundle; never a time.
 */
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonExact, ResultCache } from '../src/util/results.js';
import { FileCache } from '../src/util/cache.js';
import { gitops, makeRepo, normalizedReport, type FixtureRepo } from './helpers.js';

const deployment = (app: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          ports:
            - name: http
              containerPort: 8080
`;

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
`;

describe('a run with the results of earlier runs', () => {
  let repo: FixtureRepo;
  beforeAll(() => {
    repo = makeRepo({
      'base/web/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\n',
      'base/web/deployment.yaml': deployment('web'),
      'base/web/service.yaml': service,
      'overlays/dev/kustomization.yaml': 'resources:\n  - ../../base/web\n',
    });
  });
  afterAll(() => repo.cleanup());

  const both = async () => {
    const warm = await gitops(repo.root, ['validate', '--format', 'json']);
    const fresh = await gitops(repo.root, ['validate', '--format', 'json', '--no-cache']);
    expect(normalizedReport(warm)).toBe(normalizedReport(fresh));
    expect(warm.exitCode).toBe(fresh.exitCode);
    return warm;
  };
  const selectorFindings = (run: Awaited<ReturnType<typeof both>>) =>
    run.json().findings.filter((f) => f.ruleId === 'k8s/service-selector').map((f) => `${f.resource?.kind}/${f.resource?.name} ${f.location?.file}:${f.location?.line}`);

  it('reports what a run computing everything reports, through edits, dependent verdicts, undo and damage', async () => {
    const first = await both();
    expect(selectorFindings(first)).toEqual([]);
    const files = readdirSync(path.join(repo.root, '.cache/results')).sort();
    // The target's own results in its files; the repository-wide ones (the repository policy
    // document, YAML facts) in the cache's.
    const own = (ns: string) => files.some((f) => new RegExp(`^${ns}\\.[0-9a-f]{16}\\.json$`).test(f));
    for (const ns of ['kubeconform', 'policy', 'policy-object', 'rendered', 'schema']) expect(own(ns), ns).toBe(true);
    expect(files).toEqual(expect.arrayContaining(['policy.json', 'yaml.json']));

    // The Service is unchanged, but its verdict depends on the Deployment's pod labels.
    repo.write('base/web/deployment.yaml', deployment('shop-web'));
    const edited = await both();
    expect(selectorFindings(edited)).toEqual(['Service/web base/web/service.yaml:7']);

    // Undone: the first run's verdicts apply again.
    repo.write('base/web/deployment.yaml', deployment('web'));
    const undone = await both();
    expect(normalizedReport(undone)).toBe(normalizedReport(first));

    // A finding located in an overlay patch moves with the patch's lines though the rendered object
    // stays the same: a kept location is taken only while the files it was read from are unchanged.
    const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/web:1.0.1\n';
    const digestFindings = (run: Awaited<ReturnType<typeof both>>) =>
      run.json().findings.filter((f) => f.ruleId === 'k8s/image-digest').map((f) => `${f.location?.file}:${f.location?.line}`);
    repo.write('overlays/dev/kustomization.yaml', 'resources:\n  - ../../base/web\npatches:\n  - path: image.yaml\n');
    repo.write('overlays/dev/image.yaml', patch);
    expect(digestFindings(await both())).toEqual(['overlays/dev/image.yaml:11']);
    repo.write('overlays/dev/image.yaml', `# the release of dev\n${patch}`);
    expect(digestFindings(await both())).toEqual(['overlays/dev/image.yaml:12']);
    repo.write('overlays/dev/kustomization.yaml', 'resources:\n  - ../../base/web\n');
    expect(normalizedReport(await both())).toBe(normalizedReport(first));

    // A schema error in the edited object, found at its line.
    repo.write('base/web/deployment.yaml', deployment('web').replace('  replicas: 2', '  replicas: two'));
    const broken = await both();
    expect(broken.json().findings.filter((f) => f.ruleId === 'schema/type').map((f) => `${f.location?.file}:${f.location?.line}`)).toContain('base/web/deployment.yaml:7');

    // Damaged cache files are ignored and rewritten.
    for (const f of readdirSync(path.join(repo.root, '.cache/results'))) writeFileSync(path.join(repo.root, '.cache/results', f), '{"format": 1, "entries": {"x": 7}');
    const damaged = await both();
    expect(normalizedReport(damaged)).toBe(normalizedReport(broken));
    expect(() => JSON.parse(readFileSync(path.join(repo.root, '.cache/results/policy.json'), 'utf8'))).not.toThrow();
  }, 300_000);

  it('--no-cache neither reads nor writes the cache', async () => {
    const other = makeRepo({
      'overlays/dev/kustomization.yaml': 'resources:\n  - service.yaml\n',
      'overlays/dev/service.yaml': service,
    });
    try {
      const run = await gitops(other.root, ['validate', '--format', 'json', '--no-cache']);
      expect(run.exitCode).not.toBe(2);
      expect(existsSync(path.join(other.root, '.cache/results'))).toBe(false);
    } finally {
      other.cleanup();
    }
  }, 120_000);
});

describe('the policy bundle with the results of earlier runs', () => {
  it('refuses a wasm that no longer matches its manifest, after a run that kept its results', async () => {
    const repo = makeRepo({ 'manifests/web.yaml': service }, { copyPolicies: true });
    try {
      const wasm = path.join(repo.root, 'policies/build/policy.wasm');
      expect((await gitops(repo.root, ['validate', 'manifests', '--format', 'json'])).exitCode).toBe(1);
      // One bit flipped, size and modification time as they were.
      const { mtime } = statSync(wasm);
      const bytes = readFileSync(wasm);
      bytes[bytes.length - 1] ^= 1;
      writeFileSync(wasm, bytes);
      utimesSync(wasm, mtime, mtime);
      const tampered = await gitops(repo.root, ['validate', 'manifests', '--format', 'json']);
      expect(tampered.exitCode).toBe(2);
      expect(tampered.json().findings.map((f: { ruleId: string; message: string }) => `${f.ruleId}: ${f.message}`))
        .toContain("tool/policy-bundle: policies/build/policy.wasm does not match its manifest: run 'npx gitops policy build'");
    } finally {
      repo.cleanup();
    }
  }, 120_000);
});

describe('ResultCache', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'gitops-results-'));
    dirs.push(d);
    return path.join(d, 'results');
  };

  it('keeps values across instances, under keys that depend on every part', () => {
    const d = dir();
    const a = new ResultCache(d);
    const key = a.key('x', 'y');
    expect(a.key('x', 'y')).toBe(key);
    expect(a.key('xy')).not.toBe(key);
    expect(a.key('x', 'y', '')).not.toBe(key);
    expect(a.get('ns', key)).toBeUndefined();
    a.set('ns', key, { errors: [{ message: 'm' }] });
    a.save();
    const b = new ResultCache(d);
    expect(b.get('ns', key)).toEqual({ errors: [{ message: 'm' }] });
    expect(b.stats).toEqual({ hits: 1, misses: 0 });
  });

  it("reads another gate's file as empty, and drops its entries on the next write", () => {
    const d = dir();
    const a = new ResultCache(d);
    a.set('ns', a.key('old'), 1);
    a.save();
    const file = path.join(d, 'ns.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { gate: string };
    expect(stored.gate).toMatch(/^[0-9a-f]{64}$/);
    expect(new ResultCache(d).get('ns', a.key('old'))).toBe(1);
    // Written by another build of the gate: none of its keys can match this gate's.
    writeFileSync(file, JSON.stringify({ ...stored, gate: 'another build' }));
    const b = new ResultCache(d);
    expect(b.get('ns', b.key('old'))).toBeUndefined();
    b.set('ns', b.key('new'), 2);
    b.save();
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { entries: object }).entries)).toEqual([b.key('new')]);
  });

  it("removes another build's files on this build's first save, and only then", () => {
    const d = dir();
    const first = new ResultCache(d);
    first.set('ns', first.key('a'), 1);
    first.forTarget('overlays/web').set('rendered', first.key('b'), 2);
    first.save();
    expect(readFileSync(path.join(d, 'gate'), 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    // A file of an older layout and a target that is gone, left by another build.
    writeFileSync(path.join(d, 'rendered.json'), JSON.stringify({ format: 1, gate: 'older', entries: {} }));
    // And what a save cut short left behind.
    writeFileSync(path.join(d, 'ns.json.4242.tmp'), '{"format":1,');
    writeFileSync(path.join(d, 'gate'), 'older');
    const next = new ResultCache(d);
    next.set('ns', next.key('c'), 3);
    next.save();
    expect(readdirSync(d).sort()).toEqual(['gate', 'ns.json']);
    // The marker now names this build: a later save deletes nothing it did not write.
    const later = new ResultCache(d);
    later.forTarget('overlays/api').set('rendered', later.key('d'), 4);
    later.save();
    expect(readdirSync(d).filter((f) => f !== 'gate')).toHaveLength(2);
    expect(new ResultCache(d).get('ns', later.key('c'))).toBe(3);
  });

  it('keeps one stamped entry per file list, however often the files change', () => {
    const d = dir();
    const file = path.join(path.dirname(d), 'often.txt');
    let t = Date.now() + 60_000;
    for (const text of ['1', '22', '333']) {
      writeFileSync(file, text);
      t += 60_000;
      const c = new ResultCache(d, t);
      expect(c.stamped('n', [file], () => readFileSync(file, 'utf8'))).toBe(text);
      c.save();
    }
    const stored = JSON.parse(readFileSync(path.join(d, 'stamped.json'), 'utf8')) as { entries: object };
    expect(Object.keys(stored.entries)).toHaveLength(1);
  });

  it('never lets two callers of a run share a value', () => {
    const c = new ResultCache(dir());
    const value = { list: [1, 2] };
    c.set('ns', 'k', value);
    const got = c.get<{ list: number[] }>('ns', 'k')!;
    expect(got).toEqual(value);
    got.list.push(3);
    expect(value.list).toEqual([1, 2]);
  });

  it('a disabled cache misses and writes nothing', () => {
    const c = ResultCache.none();
    c.set('ns', 'k', 1);
    expect(c.get('ns', 'k')).toBeUndefined();
    expect(c.enabled).toBe(false);
  });

  it('keeps a digest of files while their stamps hold, never of a file that just changed', () => {
    const d = dir();
    const file = path.join(path.dirname(d), 'input.txt');
    writeFileSync(file, 'one');
    let computed = 0;
    const compute = () => `${++computed}:${readFileSync(file, 'utf8')}`;
    // A run late enough that the file has settled: computed once, then taken.
    const later = Date.now() + 60_000;
    const a = new ResultCache(d, later);
    expect(a.stamped('n', [file], compute)).toBe('1:one');
    a.save();
    expect(new ResultCache(d, later).stamped('n', [file], compute)).toBe('1:one');
    expect(computed).toBe(1);
    // Another name, or another file list: another result.
    expect(new ResultCache(d, later).stamped('m', [file], compute)).toBe('2:one');
    // Changed bytes (same size): a new stamp, computed again.
    writeFileSync(file, 'two');
    expect(new ResultCache(d, later + 60_000).stamped('n', [file], compute)).toBe('3:two');
    // A run at the time of the change: the file may still change within its stamp, never kept.
    const now = new ResultCache(d);
    expect(now.stamped('fresh', [file], compute)).toBe('4:two');
    expect(now.stamped('fresh', [file], compute)).toBe('5:two');
    // A missing file: computed, never kept.
    expect(new ResultCache(d, later).stamped('n', [path.join(path.dirname(d), 'missing')], () => 'none')).toBe('none');
    expect(ResultCache.none().stamped('n', [file], compute)).toBe('6:two');
  });

  it("keeps a target's results in files of its own, sharing keys, statistics and saving with the cache", () => {
    const d = dir();
    const c = new ResultCache(d);
    const web = c.forTarget('overlays/web');
    expect(c.forTarget('overlays/web')).toBe(web);
    expect(web.forTarget('overlays/api')).toBe(c.forTarget('overlays/api'));
    expect(web.key('x')).toBe(c.key('x'));
    // A key names all its value depends on: what one target's view kept this run, another's takes
    // (a base object rendered alike into two overlays is parsed once), and keeps in its own file.
    web.set('rendered', 'shared', { doc: 1 });
    web.set('rendered', 'web only', 'w');
    const api = c.forTarget('overlays/api');
    expect(api.get('rendered', 'shared')).toEqual({ doc: 1 });
    expect(c.stats).toEqual({ hits: 1, misses: 0 });
    c.save();
    const files = readdirSync(d).filter((f) => f !== 'gate').sort();
    expect(files).toHaveLength(2);
    expect(files.every((f) => /^rendered\.[0-9a-f]{16}\.json$/.test(f))).toBe(true);
    // A later run reading only one target's files finds that target's results, not the others'.
    const later = new ResultCache(d).forTarget('overlays/api');
    expect(later.get('rendered', 'shared')).toEqual({ doc: 1 });
    expect(later.get('rendered', 'web only')).toBeUndefined();
    expect(new ResultCache(d).forTarget('overlays/web').get('rendered', 'web only')).toBe('w');
    // Stamped digests stay the cache's own, whichever view asks.
    const file = path.join(path.dirname(d), 'stamped.txt');
    writeFileSync(file, 'x');
    const t = Date.now() + 60_000;
    const viewed = new ResultCache(d, t).forTarget('overlays/web');
    viewed.stamped('n', [file], () => 'digest');
    viewed.save();
    expect(readdirSync(d)).toContain('stamped.json');
    expect(ResultCache.none().forTarget('overlays/web').enabled).toBe(false);
  });

  it("keeps a YAML file's facts for later runs, also when this run parsed the file first", () => {
    const d = dir();
    const file = path.join(path.dirname(d), 'facts.yaml');
    writeFileSync(file, 'a: 1\nb: [x]\n');
    const later = Date.now() + 60_000;
    // The run parses the file for its tree (a finding's line) before it asks for the facts.
    const first = new FileCache();
    const r1 = new ResultCache(d, later);
    first.useResults(r1);
    expect(first.get(file)).not.toBeNull();
    const problems = first.problems(file);
    expect(problems).toEqual([]);
    expect(first.firstValue(file)).toEqual({ a: 1, b: ['x'] });
    r1.save();
    // A later run takes both facts without parsing: the file's tree is never built.
    const second = new FileCache();
    const r2 = new ResultCache(d, later);
    second.useResults(r2);
    expect(second.problems(file)).toEqual(problems);
    expect(second.firstValue(file)).toEqual(first.firstValue(file));
    expect(r2.stats.misses).toBe(0);
    expect((second as unknown as { files: Map<string, unknown> }).files.has(file)).toBe(false);
    // A third run that parses the file first again finds the facts kept: nothing to write.
    const written = readdirSync(d).filter((f) => f.startsWith('yaml'));
    expect(written.sort()).toEqual(['yaml-first.json', 'yaml.json']);
    for (const f of written) utimesSync(path.join(d, f), 1_000, 1_000);
    const third = new FileCache();
    const r3 = new ResultCache(d, later);
    third.useResults(r3);
    expect(third.get(file)).not.toBeNull();
    expect(third.problems(file)).toEqual(problems);
    expect(third.firstValue(file)).toEqual({ a: 1, b: ['x'] });
    r3.save();
    for (const f of written) expect(statSync(path.join(d, f)).mtimeMs).toBe(1_000_000);
  });

  it('keeps a fact under the digest of the bytes it was parsed from, when the file changes during a run', () => {
    const d = dir();
    const file = path.join(path.dirname(d), 'changing.yaml');
    const [a, b] = ['resources: [a.yaml]\n', 'resources: [b.yaml]\n'];
    writeFileSync(file, a);
    const later = Date.now() + 60_000;
    const run = () => {
      const fc = new FileCache();
      const rc = new ResultCache(d, later);
      fc.useResults(rc);
      return { fc, rc };
    };
    // An earlier run kept the file's digest by its stamp, and no fact of it.
    const r0 = run();
    expect(r0.fc.digest(file)).toBe(createHash('sha256').update(a).digest('hex'));
    r0.rc.save();
    // This run takes the digest from the stamp, then the file changes before its first value is asked.
    const r1 = run();
    r1.fc.digest(file);
    writeFileSync(file, b);
    expect(r1.fc.firstValue(file)).toEqual({ resources: ['b.yaml'] });
    r1.rc.save();
    // The file has the first bytes again: its first value is theirs, not the one parsed from the others.
    writeFileSync(file, a);
    expect(run().fc.firstValue(file)).toEqual({ resources: ['a.yaml'] });
  });

  it('tells which values JSON carries exactly, and keeps only those', () => {
    expect(jsonExact({ a: [1, 'x', true, null, { b: 2.5 }] })).toBe(true);
    const c = new ResultCache(dir());
    for (const bad of [{ a: undefined }, [Number.NaN], { a: Infinity }, -0, new Date(0), { a: new Map() }]) {
      expect(jsonExact(bad)).toBe(false);
      c.set('ns', 'bad', bad);
      expect(c.get('ns', 'bad')).toBeUndefined();
    }
    c.set('ns', 'good', { a: [1] });
    expect(c.get('ns', 'good')).toEqual({ a: [1] });
  });
});
