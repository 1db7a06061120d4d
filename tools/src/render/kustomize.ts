/**
 * Kustomize: which files a kustomization depends on (for --changed and for mapping patches back
 * to their files) and rendering through a temporary wrapper that adds origin annotations.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeTempDir, runTool, tempDir } from '../util/process.js';
import { FileCache } from '../util/cache.js';
import type { KustomizeRunner } from '../maintain/tools.js';
import { parseYaml } from '../util/yaml.js';
import { ResultCache } from '../util/results.js';
import { resourcesFromRender } from '../inputs/kubernetes.js';
import type { Resource } from '../pipeline/types.js';

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
  const value = (cache.firstValue(file) ?? {}) as Record<string, unknown>;
  const kind = value.kind === 'Component' ? 'Component' : 'Kustomization';
  return { file, kind, value: typeof value === 'object' && value !== null ? value : {} };
}

function isRemote(ref: string): boolean {
  return /^(https?:\/\/|git@|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/|ssh:\/\/)/.test(ref) || /\?ref=/.test(ref);
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
export function remoteRefs(dir: string, cache: FileCache = new FileCache(), seen = new Set<string>()): Array<{ ref: string; from: string; field: string }> {
  const info = readKustomization(dir, cache);
  if (info === null || seen.has(info.file)) return [];
  seen.add(info.file);
  const out: Array<{ ref: string; from: string; field: string }> = [];
  const k = info.value;
  for (const key of ['resources', 'bases', 'components']) {
    for (const [i, ref] of (Array.isArray(k[key]) ? (k[key] as unknown[]) : []).entries()) {
      if (typeof ref !== 'string') continue;
      if (isRemote(ref)) out.push({ ref, from: info.file, field: `${key}[${i}]` });
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
  /** kustomize could not start, was killed, or crashed (a Go panic): the tool failed, not the input. */
  crashed: boolean;
  /** For a crash: what happened (the panic line, the signal, the exit code). */
  crashReason: string;
}

/**
 * Renders a kustomization root through a temporary wrapper (outside the repository) that adds
 * `buildMetadata: [originAnnotations, transformerAnnotations]`, so the user's files stay untouched.
 * kustomize runs offline (no network namespace or proxy way out, git limited to local files) in its
 * own process group; the wrapper folder is removed whatever happens.
 */
export async function renderKustomization(runner: KustomizeRunner, targetDir: string, timeoutSeconds: number): Promise<RenderOutput> {
  const wrapperDir = tempDir('gitops-render-');
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
    const run = await runTool(runner.command, [...runner.args, wrapperDir, '--load-restrictor', 'LoadRestrictionsRootOnly'], {
      timeoutMs: timeoutSeconds * 1000,
      cwd: targetDir,
      offline: true,
      batchGo: true,
    });
    const stderr = cleanKustomizeMessage(run.startError ?? run.stderr, wrapperDir, targetDir);
    const crashed = !run.timedOut && run.exitCode !== 0
      && (run.startError !== null || run.signal !== null || /^(panic:|fatal error:)|goroutine \d+ \[/m.test(run.stderr) || run.exitCode !== 1);
    const panic = stderr.split('\n').find((l) => /^(panic:|fatal error:)/.test(l));
    const crashReason = run.startError ?? panic ?? (run.signal !== null ? `killed by ${run.signal}` : `exited ${run.exitCode}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ' without a message'}`);
    return { ok: !run.failed, stdout: run.stdout, stderr, wrapperDir, timedOut: run.timedOut, crashed, crashReason };
  } finally {
    removeTempDir(wrapperDir);
  }
}

/**
 * kustomize's message without the temp wrapper: its folder and the relative climb from it to the
 * target are replaced by the target's own path, so the message names the user's files only.
 */
export function cleanKustomizeMessage(text: string, wrapperDir: string, targetDir: string): string {
  const rel = path.relative(wrapperDir, targetDir);
  let out = text;
  // "<wrapper>/../../repo/overlays/dev" and "<wrapper>" itself.
  out = out.split(path.join(wrapperDir, rel)).join(targetDir);
  out = out.split(`${wrapperDir}/${rel}`).join(targetDir);
  out = out.split(rel).join(targetDir);
  out = out.split(`${wrapperDir}/`).join('');
  out = out.split(wrapperDir).join('.');
  return out;
}

/**
 * The objects of kustomize's output. kustomize writes one document per object, separated by
 * `---` lines (never inside an object: block scalars are indented). Each document is parsed on its
 * own and kept in the results cache by its text, so a run parses only the objects that changed
 * since an earlier one. Output that does not split cleanly is parsed whole, as before.
 */
export function parseRendered(stdout: string, results: ResultCache): { docs: Array<{ value: unknown }>; problem: string | null } {
  const whole = (): { docs: Array<{ value: unknown }>; problem: string | null } => {
    const parsed = parseYaml(stdout);
    const p = parsed.problems[0];
    return { docs: parsed.docs, problem: p === undefined ? null : `line ${p.line}: ${p.message}` };
  };
  if (!results.enabled) return whole();
  const docs: Array<{ value: unknown }> = [];
  for (const chunk of stdout.split(/^---\n/m)) {
    if (chunk.trim() === '') continue;
    const key = results.key('kustomize-document', chunk);
    const known = results.get<unknown[]>('rendered', key);
    if (known !== undefined) {
      for (const value of known) docs.push({ value });
      continue;
    }
    const parsed = parseYaml(chunk);
    if (parsed.problems.length > 0) return whole();
    const values = parsed.docs.map((d) => d.value);
    results.set('rendered', key, values);
    docs.push(...parsed.docs);
  }
  return { docs, problem: null };
}

/**
 * The resources of a kustomization that is not a target of the run (a cluster's bootstrap, a path
 * an Application names, a base revision): rendered, its output parsed without the results cache,
 * origins resolved against `kustomizationFile`. Or why not: `build` (kustomize failed; the first
 * line of its message) or `output` (its output could not be read).
 */
export async function renderResources(
  runner: KustomizeRunner,
  dir: string,
  kustomizationFile: string,
  timeoutSeconds: number,
): Promise<{ resources: Resource[] } | { failed: 'build' | 'output'; reason: string }> {
  const out = await renderKustomization(runner, dir, timeoutSeconds);
  if (!out.ok) return { failed: 'build', reason: out.stderr.replace(/^Error: /, '').trim().split('\n')[0] ?? '' };
  const rendered = parseRendered(out.stdout, ResultCache.none());
  if (rendered.problem !== null) return { failed: 'output', reason: rendered.problem };
  return { resources: resourcesFromRender(rendered.docs, out.wrapperDir, kustomizationFile) };
}
