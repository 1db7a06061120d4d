/**
 * tools/bin/build.js, the compile step of npm ci (prepare), npm run build and npm test: tsc's own
 * output and exit code pass through, and a progress line comes while tsc runs. The interval is
 * shortened through GITOPS_BUILD_PROGRESS_MS so that any compile outlasts it; no time is asserted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const BUILD = path.join(REPO, 'tools/bin/build.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(source: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-build-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, outDir: 'out', types: [] }, files: ['a.ts'] }));
  writeFileSync(path.join(dir, 'a.ts'), source);
  return dir;
}

describe('tools/bin/build.js', () => {
  it('compiles, and says that it is compiling while tsc runs', async () => {
    const dir = project('export const n: number = 1;\n');
    const r = await execa('node', [BUILD, '-p', 'tsconfig.json'], { cwd: dir, reject: false, env: { GITOPS_BUILD_PROGRESS_MS: '1' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(/^build: compiling with tsc -p tsconfig\.json, 0m\d\ds$/);
    expect(readFileSync(path.join(dir, 'out/a.js'), 'utf8')).toContain('exports.n = 1');
  });

  it("passes tsc's errors and exit code through", async () => {
    const dir = project('export const n: number = "one";\n');
    const r = await execa('node', [BUILD, '-p', 'tsconfig.json'], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/a\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
    expect(r.stderr).not.toContain('error TS');
  });
});
