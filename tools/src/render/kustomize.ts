/**
 * Kustomize: which files a kustomization depends on (for --changed and for mapping patches back
 * to their files) and rendering through a temporary wrapper that adds origin annotations.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { FileCache } from '../util/cache.js';
import type { KustomizeRunner } from '../maintain/tools.js';

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function kustomizationFile(dir: string): string | null {
  for (const name of KUSTOMIZATION_NAMES) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

export interface KustomizationInfo {
  file: string;
  kind: 'Kustomization' | 'Component';
  value: Record<string, unknown>;
}

/** The kustomization of `dir`, read through the run's cache (an unreadable one reads as empty). */
export function readKustomization(dir: string, cache: FileCache = new FileCache()): KustomizationInfo | null {
  const file = kustomizationFile(dir);
  if (file === null) return null;
  const parsed = cache.get(file);
  const value = (parsed?.docs[0]?.value ?? {}) as Record<string, unknown>;
  const kind = value.kind === 'Component' ? 'Component' : 'Kustomization';
  return { file, kind, value: typeof value === 'object' && value !== null ? value : {} };
}

function isRemote(ref: string): boolean {
  return /^(https?:\/\/|git@|github\.com\/|ssh:\/\/)/.test(ref) || /\?ref=/.test(ref);
}

/** One local file a kustomization refers to, with why. */
export interface KustomizeDep {
  file: string;
  /** The kustomization file that refers to it. */
  from: string;
  role: 'kustomization' | 'resource' | 'patch' | 'generator' | 'other';
}

/** Every local file a kustomization root depends on, recursively (bases, components, patches, generator inputs). */
export function kustomizationDeps(dir: string, cache: FileCache = new FileCache(), seen = new Set<string>()): KustomizeDep[] {
  const info = readKustomization(dir, cache);
  if (info === null || seen.has(info.file)) return [];
  seen.add(info.file);
  const deps: KustomizeDep[] = [{ file: info.file, from: info.file, role: 'kustomization' }];
  const k = info.value;
  const local = (ref: unknown): string | null =>
    typeof ref === 'string' && !isRemote(ref) ? path.resolve(dir, ref) : null;
  const addFileOrDir = (ref: unknown, role: KustomizeDep['role']): void => {
    const abs = local(ref);
    if (abs === null || !existsSync(abs)) return;
    if (statSync(abs).isDirectory()) deps.push(...kustomizationDeps(abs, cache, seen));
    else deps.push({ file: abs, from: info.file, role });
  };
  const list = (key: string): unknown[] => (Array.isArray(k[key]) ? (k[key] as unknown[]) : []);
  for (const ref of [...list('resources'), ...list('bases'), ...list('components')]) addFileOrDir(ref, 'resource');
  for (const ref of list('crds')) addFileOrDir(ref, 'resource');
  for (const p of list('patches')) if (p && typeof p === 'object') addFileOrDir((p as { path?: unknown }).path, 'patch');
  for (const p of list('patchesStrategicMerge')) addFileOrDir(p, 'patch');
  for (const p of list('patchesJson6902')) if (p && typeof p === 'object') addFileOrDir((p as { path?: unknown }).path, 'patch');
  for (const g of [...list('configMapGenerator'), ...list('secretGenerator')]) {
    if (!g || typeof g !== 'object') continue;
    const gen = g as { files?: unknown[]; envs?: unknown[]; env?: unknown };
    for (const f of gen.files ?? []) addFileOrDir(typeof f === 'string' ? f.replace(/^[^=]*=/, '') : f, 'generator');
    for (const f of [...(gen.envs ?? []), gen.env]) addFileOrDir(f, 'generator');
  }
  for (const key of ['generators', 'transformers', 'validators']) for (const ref of list(key)) addFileOrDir(ref, 'other');
  for (const r of list('replacements')) if (r && typeof r === 'object') addFileOrDir((r as { path?: unknown }).path, 'other');
  return deps;
}

/** Remote references (URLs) in a kustomization tree: never fetched offline. */
export function remoteRefs(dir: string, cache: FileCache = new FileCache(), seen = new Set<string>()): Array<{ ref: string; from: string }> {
  const info = readKustomization(dir, cache);
  if (info === null || seen.has(info.file)) return [];
  seen.add(info.file);
  const out: Array<{ ref: string; from: string }> = [];
  const k = info.value;
  for (const key of ['resources', 'bases', 'components']) {
    for (const ref of Array.isArray(k[key]) ? (k[key] as unknown[]) : []) {
      if (typeof ref !== 'string') continue;
      if (isRemote(ref)) out.push({ ref, from: info.file });
      else {
        const abs = path.resolve(dir, ref);
        if (existsSync(abs) && statSync(abs).isDirectory()) out.push(...remoteRefs(abs, cache, seen));
      }
    }
  }
  return out;
}

export interface RenderOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Directory of the wrapper kustomization; origin paths are relative to it. */
  wrapperDir: string;
  timedOut: boolean;
}

/**
 * Renders a kustomization root through a temporary wrapper (outside the repository) that adds
 * `buildMetadata: [originAnnotations, transformerAnnotations]`, so the user's files stay untouched.
 */
export async function renderKustomization(runner: KustomizeRunner, targetDir: string, timeoutSeconds: number): Promise<RenderOutput> {
  const wrapperDir = mkdtempSync(path.join(os.tmpdir(), 'gitops-render-'));
  const rel = path.relative(wrapperDir, targetDir);
  writeFileSync(
    path.join(wrapperDir, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `resources: [${JSON.stringify(rel)}]`,
      'buildMetadata: [originAnnotations, transformerAnnotations]',
      '',
    ].join('\n'),
  );
  try {
    const run = await execa(runner.command, [...runner.args, wrapperDir, '--load-restrictor', 'LoadRestrictionsRootOnly'], {
      reject: false,
      timeout: timeoutSeconds * 1000,
      cwd: targetDir,
    });
    const stderr = run.stderr.split(wrapperDir).join('<wrapper>').split(`${targetDir}`).join(path.basename(targetDir));
    return { ok: run.exitCode === 0 && !run.timedOut, stdout: run.stdout, stderr, wrapperDir, timedOut: run.timedOut };
  } finally {
    rmSync(wrapperDir, { recursive: true, force: true });
  }
}
