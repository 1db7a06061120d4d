/**
 * The CustomResourceDefinitions installed into the loopback API server: the same pinned Go modules
 * and paths as schemas/ (SCHEMA_SOURCES.crds in core/schema/sync.ts), so the server enforces what
 * the schemas describe, CEL rules (x-kubernetes-validations) included.
 *
 * `gitops setup` collects them once (it is the step allowed to use the network) into
 * .tools/apiserver-crds.json, keyed by a hash of the pins; validate only reads that file.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../util/errors.js';
import { sha256, stableStringify } from '../schema/json.js';
import { crdSourceFiles, SCHEMA_SOURCES, yamlObjects } from '../maintain/schema-sync.js';

export const CRD_BUNDLE = '.tools/apiserver-crds.json';

interface CrdBundle {
  key: string;
  sources: Array<{ name: string; module: string; version: string }>;
  crds: Array<Record<string, unknown>>;
}

/** Hash of the pinned CRD sources: a bundle made from other pins is stale. */
export function crdSourcesKey(): string {
  return sha256(stableStringify(SCHEMA_SOURCES.crds));
}

/** The bundle for the current pins, parsed once; null when it is missing, unreadable or made from other pins. */
function loadBundle(repoRoot: string): CrdBundle | null {
  try {
    const bundle = JSON.parse(readFileSync(path.join(repoRoot, CRD_BUNDLE), 'utf8')) as CrdBundle;
    return bundle.key === crdSourcesKey() && Array.isArray(bundle.crds) ? bundle : null;
  } catch {
    return null;
  }
}

/** Whether the bundle for the current pins is in place. */
export function crdBundlePresent(repoRoot: string): boolean {
  return loadBundle(repoRoot) !== null;
}

/**
 * Puts the bundle for the current pins in place: from the tools cache when made before, else
 * downloaded from the Go module proxy (into `cacheDir`) and kept in the cache. Used by `gitops setup`.
 */
export async function installCrdBundle(repoRoot: string, cacheDir: string, log: (line: string) => void): Promise<{ crds: number; reused: boolean }> {
  const cached = path.join(cacheDir, 'apiserver-crds', `${crdSourcesKey().slice(0, 16)}.json`);
  const file = path.join(repoRoot, CRD_BUNDLE);
  mkdirSync(path.dirname(file), { recursive: true });
  if (existsSync(cached)) {
    copyFileSync(cached, file);
    const reused = loadBundle(repoRoot);
    if (reused !== null) return { crds: reused.crds.length, reused: true };
  }
  const n = await buildCrdBundle(repoRoot, path.join(cacheDir, 'apiserver-crds', 'download'), log);
  mkdirSync(path.dirname(cached), { recursive: true });
  copyFileSync(file, `${cached}.part`);
  renameSync(`${cached}.part`, cached);
  return { crds: n, reused: false };
}

/** Downloads the pinned modules (Go module proxy) and writes the bundle. */
export async function buildCrdBundle(repoRoot: string, cacheDir: string, log: (line: string) => void): Promise<number> {
  const crds: Array<Record<string, unknown>> = [];
  for (const src of SCHEMA_SOURCES.crds) {
    log(`CRDs: ${src.module}@${src.version}`);
    const { files } = await crdSourceFiles(cacheDir, src);
    for (const { rel, text } of files) {
      for (const obj of yamlObjects(`${src.module}/${rel}`, text)) if (obj && obj.kind === 'CustomResourceDefinition') crds.push(obj);
    }
  }
  const bundle: CrdBundle = {
    key: crdSourcesKey(),
    sources: SCHEMA_SOURCES.crds.map((s) => ({ name: s.name, module: s.module, version: s.version })),
    crds,
  };
  const file = path.join(repoRoot, CRD_BUNDLE);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(bundle));
  return crds.length;
}

/** The pinned CRDs, or a ToolError naming the fix. */
export function readCrdBundle(repoRoot: string): Array<Record<string, unknown>> {
  const bundle = loadBundle(repoRoot);
  if (bundle === null) {
    throw new ToolError('apiserver-crds', `the pinned CRDs for the API server are not in ${CRD_BUNDLE} (or were made from other pins): run 'npx gitops setup kube-apiserver'`);
  }
  return bundle.crds;
}
