/**
 * What a change to the gate's own inputs reaches, so the pre-commit path re-checks only that:
 * - a rule's folder (policies/<ns>/<name>/...): the targets holding what the rule reads (its
 *   METADATA input kind and kinds, from the bundle manifest);
 * - a vendored schema file: the targets holding a kind that file is the schema of;
 * - everything else under policies/ (lib/, main.rego, the bundle, waivers.yaml), schemas/
 *   indexes, gitops.yaml and tools/versions.json: every target.
 * A target's kinds are read from the source files of its tree (every YAML document's `kind`,
 * patches included), plus ConfigMap and Secret for generators: a superset of what it renders, so
 * narrowing never drops a target the change reaches. A tree that inflates Helm charts, or a file
 * that does not parse, counts as holding every kind.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { kustomizationDeps, readKustomization } from '../render/kustomize.js';
import { displayPath } from '../util/paths.js';
import { FileCache } from '../util/cache.js';
import type { Target } from '../pipeline/types.js';
import { directoryFiles, isComposeFile, isDockerfile } from './targets.js';

/** What a change reaches: every target, or the targets holding one of these kinds / input kinds. */
export type ChangeScope = { all: true } | { all: false; kinds: Set<string>; inputs: Set<string> };

const ALL: ChangeScope = { all: true };

interface ManifestRule {
  file: string;
  input?: string;
  kinds?: string[];
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Index of a schema folder: `<apiVersion>/<kind>` -> { file }. */
function schemaKinds(indexFile: string, rel: string): string[] | null {
  const index = readJson<Record<string, { file: string }>>(indexFile);
  if (index === null) return null;
  const kinds = Object.entries(index).filter(([, v]) => v.file === rel).map(([k]) => k.slice(k.lastIndexOf('/') + 1));
  return kinds.length > 0 ? kinds : null;
}

/** The scope of the changed gate inputs among `changed` (repository-relative paths), or null when none is one. */
export function gateInputScope(repoRoot: string, changed: string[]): ChangeScope | null {
  const gate = changed.filter((rel) => ['gitops.yaml', 'tools/versions.json', 'charts.lock.json'].includes(rel) || rel.startsWith('schemas/') || rel.startsWith('policies/'));
  if (gate.length === 0) return null;
  const rules = readJson<{ rules?: ManifestRule[] }>(path.join(repoRoot, 'policies/build/manifest.json'))?.rules ?? [];
  const ruleDirs = new Map(rules.map((r) => [path.posix.dirname(r.file), r]));
  const kinds = new Set<string>();
  const inputs = new Set<string>();
  const sourceChanged = gate.some((rel) => rel.startsWith('policies/') && !rel.startsWith('policies/build/'));
  for (const rel of gate) {
    // The rebuilt bundle comes with the sources that explain it.
    if (rel.startsWith('policies/build/') && sourceChanged) continue;
    if (rel.startsWith('policies/')) {
      const dir = [...ruleDirs.keys()].find((d) => rel === d || rel.startsWith(`${d}/`));
      const rule = dir === undefined ? undefined : ruleDirs.get(dir);
      if (!rule || !rule.input || !rule.kinds) return ALL;
      inputs.add(rule.input);
      for (const k of rule.kinds) kinds.add(k);
      continue;
    }
    const m = /^schemas\/(kubernetes\/[^/]+|crds)\/(.+)$/.exec(rel);
    if (m && m[2] !== 'index.json') {
      const folder = path.join(repoRoot, 'schemas', m[1]!);
      const found = existsSync(path.join(folder, 'index.json')) ? schemaKinds(path.join(folder, 'index.json'), m[2]!) : null;
      if (found === null) return ALL;
      inputs.add('kubernetes');
      for (const k of found) kinds.add(k);
      continue;
    }
    if (rel === 'schemas/compose/compose-spec.json') {
      inputs.add('compose');
      continue;
    }
    return ALL;
  }
  return { all: false, kinds, inputs };
}

/** The input kinds and Kubernetes kinds a target may hold ('*': any kind). */
export function targetContents(target: Target, cache: FileCache): { inputs: Set<string>; kinds: Set<string> } {
  const kinds = new Set<string>();
  const inputs = new Set<string>();
  const addFile = (abs: string): void => {
    const name = path.basename(abs);
    if (isDockerfile(name)) {
      inputs.add('dockerfile');
      return;
    }
    if (isComposeFile(name)) {
      // Compose rules read the Dockerfiles the services build too.
      inputs.add('compose');
      return;
    }
    if (!/\.(ya?ml|json)$|Kustomization$/.test(name)) return;
    inputs.add('kubernetes');
    const parsed = cache.get(abs);
    if (parsed === null || parsed.problems.length > 0) {
      kinds.add('*');
      return;
    }
    for (const d of parsed.docs) {
      const v = d.value as { kind?: unknown; items?: unknown } | null;
      if (v && typeof v === 'object' && typeof v.kind === 'string') kinds.add(v.kind);
      if (v && typeof v === 'object' && Array.isArray(v.items)) {
        for (const item of v.items as Array<{ kind?: unknown }>) if (item && typeof item.kind === 'string') kinds.add(item.kind);
      }
    }
  };
  if (target.kind === 'kustomization') {
    inputs.add('kubernetes');
    kinds.add('ConfigMap').add('Secret');
    for (const dep of kustomizationDeps(target.abs, cache)) {
      addFile(dep.file);
      if (dep.role === 'kustomization') {
        const k = readKustomization(path.dirname(dep.file), cache)?.value as { helmCharts?: unknown } | undefined;
        if (k?.helmCharts !== undefined) kinds.add('*');
      }
    }
  } else if (target.kind === 'directory') {
    const files = directoryFiles(target.abs);
    for (const f of [...files.manifests, ...files.dockerfiles, ...files.composes]) addFile(f);
  } else {
    addFile(target.abs);
  }
  return { inputs, kinds };
}

/** Whether a change of this scope can change what the target reports. */
export function reaches(scope: ChangeScope, target: Target, cache: FileCache): boolean {
  if (scope.all) return true;
  const { inputs, kinds } = targetContents(target, cache);
  for (const input of scope.inputs) {
    if (!inputs.has(input)) continue;
    if (input !== 'kubernetes') return true;
    if (scope.kinds.has('*') || kinds.has('*')) return true;
    for (const k of scope.kinds) if (kinds.has(k)) return true;
  }
  return false;
}

/** Repository-relative form of absolute changed paths. */
export function relativeChanges(repoRoot: string, changed: string[]): string[] {
  return changed.map((f) => displayPath(repoRoot, f));
}
