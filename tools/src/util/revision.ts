/**
 * A revision of the repository as files: `git archive REF` unpacked into a temp folder outside the
 * repository (through the one process runner, so the folder goes with the gate at the latest).
 * Used wherever a base revision is rendered: `gitops diff --base`, `validate --apiserver --since`.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { failureReason, removeTempDir, runTool, tempDir } from './process.js';

const TIMEOUT_MS = 120_000;

export type Revision = { ok: true; dir: string } | { ok: false; error: string };

/** The tree of `ref` in a fresh temp folder; the caller removes it with `removeTempDir(dir)`. */
export async function exportRevision(repoRoot: string, ref: string): Promise<Revision> {
  const work = tempDir('gitops-base-');
  const tar = path.join(work, 'base.tar');
  const tree = path.join(work, 'tree');
  const archive = await runTool('git', ['archive', '--format=tar', '-o', tar, ref], { cwd: repoRoot, timeoutMs: TIMEOUT_MS });
  if (archive.failed) {
    removeTempDir(work);
    return { ok: false, error: `git archive ${ref} failed: ${failureReason(archive, TIMEOUT_MS)}` };
  }
  mkdirSync(tree);
  const untar = await runTool('tar', ['-xf', tar, '-C', tree], { timeoutMs: TIMEOUT_MS });
  if (untar.failed) {
    removeTempDir(work);
    return { ok: false, error: `cannot unpack ${ref}: ${failureReason(untar, TIMEOUT_MS)}` };
  }
  return { ok: true, dir: tree };
}

/** Removes what exportRevision made for `dir`. */
export function removeRevision(dir: string): void {
  removeTempDir(path.dirname(dir));
}
