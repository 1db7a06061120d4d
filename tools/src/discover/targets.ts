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

/** Folders whose kustomization roots are targets. */
export const TARGET_ROOTS = ['overlays', 'clusters'];
/** Folders searched for Dockerfiles and compose files. */
export const MANIFEST_ROOTS = ['base', 'overlays', 'clusters', 'apps'];

const SKIP_DIRS = new Set(['node_modules', '.git', '.cache', '.tools', 'fixtures']);

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

function walk(dir: string, visit: (abs: string, name: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(abs, visit);
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
      } else {
        targets.push(target(repoRoot, abs, k ? 'kustomization' : 'directory', given));
      }
    } else {
      targets.push(target(repoRoot, abs, 'file', given));
    }
  }
  return { targets, problems };
}

/** Files of a plain directory target, by what they are. */
export function directoryFiles(dir: string): { manifests: string[]; dockerfiles: string[]; composes: string[] } {
  const out = { manifests: [] as string[], dockerfiles: [] as string[], composes: [] as string[] };
  walk(dir, (abs, name) => {
    if (isDockerfile(name)) out.dockerfiles.push(abs);
    else if (isComposeFile(name)) out.composes.push(abs);
    else if (isManifestFile(name) && !/^kustomization\.ya?ml$/.test(name)) out.manifests.push(abs);
  });
  return out;
}

/**
 * Targets touched by a set of changed files (absolute paths): kustomization targets whose
 * dependency tree contains a changed file, and changed Dockerfiles/compose files (every compose
 * file when a Dockerfile changed: compose builds are checked against them). A change to the gate's
 * own settings, schemas or policies touches every target.
 */
export function targetsForChanges(repoRoot: string, all: Target[], changed: string[], cache: FileCache = new FileCache()): Target[] {
  const global = ['gitops.yaml', 'schemas/', 'policies/', 'tools/versions.json'];
  if (changed.some((f) => global.some((g) => displayPath(repoRoot, f).startsWith(g)))) return all;
  const set = new Set(changed.map((f) => path.resolve(f)));
  // Compose files are checked against the Dockerfiles they build (targets, ports).
  const dockerfileChanged = changed.some((f) => isDockerfile(path.basename(f)) || f.endsWith('.dockerignore'));
  return all.filter((t) => {
    if (t.kind === 'file') return set.has(t.abs) || (dockerfileChanged && isComposeFile(path.basename(t.abs)));
    if (t.kind === 'kustomization') return kustomizationDeps(t.abs, cache).some((d) => set.has(d.file));
    return [...set].some((f) => f.startsWith(t.abs + path.sep));
  });
}
