/**
 * One file cache for the run: a whole-repository validate reads every kustomization file from disk
 * exactly once, whoever needs it (target discovery, the dependency walk, remote references, the
 * YAML problems of a tree, the source map, the Argo CD facts). Reads are counted at node:fs itself,
 * so a reader that bypasses the cache is counted too.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../src/pipeline/validate.js';
import { KUSTOMIZATION_NAMES } from '../../src/render/kustomize.js';
import { REPO } from '../helpers.js';
import { exportRevision, removeRevision } from '../../src/util/revision.js';

const reads = new Map<string, number>();
const original = fs.readFileSync;

beforeAll(() => {
  fs.readFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (typeof file === 'string') reads.set(path.resolve(file), (reads.get(path.resolve(file)) ?? 0) + 1);
    return (original as (...a: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.readFileSync;
  syncBuiltinESMExports();
});

afterAll(() => {
  fs.readFileSync = original;
  syncBuiltinESMExports();
});

describe('a whole-repository validate', () => {
  it('reads each kustomization file once', async () => {
    // Without the results of earlier runs: every fact is taken from the file itself (with them, an
    // unchanged file is not read at all), and the repository's cache is left to the CLI's build.
    const result = await validate({ cwd: REPO, paths: [], schemaEngine: 'ajv', noCache: true });
    expect(result.report.summary.incomplete).toBe(false);
    const kustomizations = [...reads].filter(([file]) => KUSTOMIZATION_NAMES.includes(path.basename(file)) && file.startsWith(REPO + path.sep));
    expect(kustomizations.length).toBeGreaterThanOrEqual(30);
    const twice = kustomizations.filter(([, n]) => n !== 1).map(([file, n]) => `${path.relative(REPO, file)}: ${n} reads`);
    expect(twice).toEqual([]);
  });

  it('reads each kustomization file at most once with the results of earlier runs, cold and warm', async () => {
    // A copy of the committed tree with a results cache of its own (the repository's stays the CLI's).
    const copy = await exportRevision(REPO, 'HEAD');
    if (!copy.ok) throw new Error(copy.error);
    try {
      for (const link of ['.tools', path.join('.cache', 'charts')]) {
        fs.mkdirSync(path.dirname(path.join(copy.dir, link)), { recursive: true });
        fs.symlinkSync(path.join(REPO, link), path.join(copy.dir, link), 'dir');
      }
      for (const pass of ['cold', 'warm']) {
        reads.clear();
        const result = await validate({ cwd: copy.dir, paths: [], schemaEngine: 'ajv' });
        expect(result.report.summary.incomplete, pass).toBe(false);
        const kustomizations = [...reads].filter(([file]) => KUSTOMIZATION_NAMES.includes(path.basename(file)) && file.startsWith(copy.dir + path.sep));
        if (pass === 'cold') expect(kustomizations.length).toBeGreaterThanOrEqual(30);
        const twice = kustomizations.filter(([, n]) => n > 1).map(([file, n]) => `${pass}: ${path.relative(copy.dir, file)}: ${n} reads`);
        expect(twice).toEqual([]);
      }
    } finally {
      removeRevision(copy.dir);
    }
  }, 300_000);
});
