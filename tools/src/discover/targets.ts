/**
 * Targets: what `gitops validate` checks. Without PATH arguments, every kustomization root under
 * overlays/ and clusters/ plus every Dockerfile and compose file of the repository; a PATH may be
 * a kustomization directory, a plain directory of manifests, or a single file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { kustomizationDeps, kustomizationFile, readKustomization } from '../render/kustomize.js';
import { displayPath } from '../util/paths.js';
import { FileCache } from '../util/cache.js';
import type { Target } from '../pipeline/types.js';
import { gateInputScope, reaches, relativeChanges } from './change-scope.js';

/** Folders whose kustomization roots are targets. */
export const TARGET_ROOTS = ['overlays', 'clusters'];
/** Folders searched for Dockerfiles and compose files. */
export const MANIFEST_ROOTS = ['base', 'overlays', 'clusters', 'apps'];

const SKIP_DIRS = new Set(['node_modules', '.git', '.cache', '.tools', 'fixtures']);
/** Inside a PATH given on the command line, `fixtures` folders are checked too: they were asked for. */
const PATH_SKIP_DIRS = new Set(['node_modules', '.git', '.cache', '.tools']);

export function isDockerfile(name: string): boolean {
  if (name.endsWith('.dockerignore')) return false;
  return /^Dockerfile([.-].*)?$/.test(name) || /\.Dockerfile$/.test(name);
}

export function isComposeFile(name: string): boolean {
  return /^(docker-)?compose([.-].*)?\.ya?ml$/.test(name);
}

export function isManifestFile(name: string): boolean {
  return /\.(ya?ml|json)$/.test(name) && !isComposeFile(name);
}

/** The environment a path deploys to: overlays/<env>, clusters/<env>, apps/<env>. */
export function envOf(repoRoot: string, abs: string): string | null {
  const rel = path.relative(repoRoot, abs).split(path.sep);
  if (rel[0] === '..' || rel.length < 2) return null;
  return ['overlays', 'clusters', 'apps'].includes(rel[0]!) ? rel[1]! : null;
}

function walk(dir: string, visit: (abs: string, name: string) => void, skip: Set<string> = SKIP_DIRS): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(e.name)) walk(abs, visit, skip);
    } else visit(abs, e.name);
  }
}

function target(repoRoot: string, abs: string, kind: Target['kind'], given?: string): Target {
  const inside = !path.relative(repoRoot, abs).startsWith('..');
  return { name: inside ? displayPath(repoRoot, abs) : given ?? abs, abs, kind, env: envOf(repoRoot, abs) };
}

/** Every target of the repository. */
export function discoverTargets(repoRoot: string, cache: FileCache = new FileCache()): Target[] {
  const kustomizations: string[] = [];
  for (const root of TARGET_ROOTS) {
    walk(path.join(repoRoot, root), (abs, name) => {
      if (name === 'kustomization.yaml' || name === 'kustomization.yml' || name === 'Kustomization') {
        const dir = path.dirname(abs);
        if (readKustomization(dir, cache)?.kind === 'Kustomization') kustomizations.push(dir);
      }
    });
  }
  // A kustomization included by another one is rendered as part of it, not on its own.
  const included = new Set<string>();
  for (const dir of kustomizations) {
    for (const dep of kustomizationDeps(dir, cache)) {
      if (dep.role === 'kustomization' && path.dirname(dep.file) !== dir) included.add(path.dirname(dep.file));
    }
  }
  const targets = kustomizations.filter((d) => !included.has(d)).map((d) => target(repoRoot, d, 'kustomization'));
  for (const root of MANIFEST_ROOTS) {
    walk(path.join(repoRoot, root), (abs, name) => {
      if (isDockerfile(name) || isComposeFile(name)) targets.push(target(repoRoot, abs, 'file'));
    });
  }
  return targets.sort((a, b) => a.name.localeCompare(b.name));
}

export interface PathProblem {
  given: string;
  message: string;
}

/** Targets named on the command line (relative to cwd). */
export function targetsFromPaths(repoRoot: string, cwd: string, paths: string[], cache: FileCache = new FileCache()): { targets: Target[]; problems: PathProblem[] } {
  const targets: Target[] = [];
  const problems: PathProblem[] = [];
  for (const given of paths) {
    const abs = path.resolve(cwd, given);
    if (!existsSync(abs)) {
      problems.push({ given, message: `${given}: no such file or directory` });
      continue;
    }
    const st = statSync(abs);
    if (st.isDirectory()) {
      const k = kustomizationFile(abs) !== null ? readKustomization(abs, cache) : null;
      if (k?.kind === 'Component') {
        problems.push({ given, message: `${given} is a kustomize Component: it is not a target on its own; validate an overlay that uses it` });
      } else if (k) {
        targets.push(target(repoRoot, abs, 'kustomization', given));
      } else {
        // A plain folder: kustomization roots inside it are rendered as kustomizations (never
        // their patch files as whole objects); the rest is read file by file.
        for (const root of kustomizationRoots(abs)) {
          targets.push(target(repoRoot, root, 'kustomization', path.join(given, path.relative(abs, root))));
        }
        targets.push(target(repoRoot, abs, 'directory', given));
      }
    } else {
      targets.push(target(repoRoot, abs, 'file', given));
    }
  }
  return { targets, problems };
}

/** Kustomization roots under a plain folder (not included by another one; Components excluded). */
function kustomizationRoots(dir: string): string[] {
  const found: string[] = [];
  walk(dir, (abs, name) => {
    if ((name === 'kustomization.yaml' || name === 'kustomization.yml' || name === 'Kustomization') && readKustomization(path.dirname(abs))?.kind === 'Kustomization') {
      found.push(path.dirname(abs));
    }
  }, PATH_SKIP_DIRS);
  const included = new Set<string>();
  for (const d of found) {
    for (const dep of kustomizationDeps(d)) if (dep.role === 'kustomization' && path.dirname(dep.file) !== d) included.add(path.dirname(dep.file));
  }
  return found.filter((d) => !included.has(d));
}

/**
 * Files of a plain directory target, by what they are. Files of kustomizations inside it (their
 * resources, patches, generator inputs; Components too) are left to the kustomization targets:
 * a patch is not a whole object.
 */
export function directoryFiles(dir: string): { manifests: string[]; dockerfiles: string[]; composes: string[] } {
  const out = { manifests: [] as string[], dockerfiles: [] as string[], composes: [] as string[] };
  const kustomized = new Set<string>();
  walk(dir, (abs, name) => {
    if (name === 'kustomization.yaml' || name === 'kustomization.yml' || name === 'Kustomization') {
      for (const dep of kustomizationDeps(path.dirname(abs))) kustomized.add(dep.file);
    }
  }, PATH_SKIP_DIRS);
  walk(dir, (abs, name) => {
    if (isDockerfile(name)) out.dockerfiles.push(abs);
    else if (isComposeFile(name)) out.composes.push(abs);
    else if (isManifestFile(name) && !/^kustomization\.ya?ml$/.test(name) && !kustomized.has(abs)) out.manifests.push(abs);
  }, PATH_SKIP_DIRS);
  return out;
}

/**
 * Targets touched by a set of changed files (absolute paths): kustomization targets whose
 * dependency tree contains a changed file, and changed Dockerfiles/compose files (every compose
 * file when a Dockerfile changed: compose builds are checked against them). A change to a rule or
 * a schema file touches the targets holding what it reads (change-scope.ts); other changes to the
 * gate's settings, schemas or policies touch every target.
 */
export function targetsForChanges(repoRoot: string, all: Target[], changed: string[], cache: FileCache = new FileCache()): Target[] {
  // Settings, schemas and policies: only the targets holding what a changed rule or schema reads.
  const scope = gateInputScope(repoRoot, relativeChanges(repoRoot, changed));
  if (scope?.all) return all;
  const set = new Set(changed.map((f) => path.resolve(f)));
  // Compose files are checked against the Dockerfiles they build (targets, ports).
  const dockerfileChanged = changed.some((f) => (isDockerfile(path.basename(f)) || f.endsWith('.dockerignore')) && !displayPath(repoRoot, f).startsWith('policies/'));
  return all.filter((t) => {
    if (scope !== null && reaches(scope, t, cache)) return true;
    if (t.kind === 'file') return set.has(t.abs) || (dockerfileChanged && isComposeFile(path.basename(t.abs)));
    if (t.kind === 'kustomization') return kustomizationDeps(t.abs, cache).some((d) => set.has(d.file));
    return [...set].some((f) => f.startsWith(t.abs + path.sep));
  });
}
