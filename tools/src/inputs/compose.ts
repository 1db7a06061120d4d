/**
 * Compose input adapter: from a compose document (already parsed by the YAML layer) builds the
 * input the compose policies see (docs/policy-authoring.md, "input, for a compose file"): the
 * Dockerfile of every service that builds one, and whether every bind-mount source and env_file
 * exists.
 */
import os from 'node:os';
import type { LineCounter } from 'yaml';
import { fileDocument, type Document } from '../pipeline/document.js';
import { locateField, type YamlDoc } from '../util/yaml.js';
import path from 'node:path';
import { displayPath as repoPath } from '../util/paths.js';
import { exists, loadDockerfile } from './dockerfile.js';
import type { DockerfileResource } from './dockerfile.js';

export interface ComposeDockerfile {
  /** Repository-relative path of the Dockerfile (absolute when outside the repository). */
  file: string;
  resource: DockerfileResource;
}

export interface ComposeInput {
  kind: 'compose';
  file: string;
  resource: unknown;
  /** Service name → its Dockerfile; null when the service builds from a Dockerfile that is missing or not local. */
  dockerfiles: Record<string, ComposeDockerfile | null>;
  /** Every bind-mount source and env_file as written → whether it exists (relative to the compose file). */
  paths: Record<string, boolean>;
  /** Service name → why its local Dockerfile could not be read: its build cannot be checked. */
  unresolved: Record<string, string>;
}

/**
 * The name this repository is checked out under beside the application repositories; compose
 * files build from those repositories with `dockerfile: ../funlynk-gitops/base/<svc>/Dockerfile`.
 * A checkout under another name still resolves such paths to this repository.
 */
export const REPOSITORY_NAME = 'funlynk-gitops';

async function resolveDockerfile(dfPath: string, repoRoot: string): Promise<string | null> {
  if (await exists(dfPath)) return dfPath;
  const parts = dfPath.split(path.sep);
  const at = parts.lastIndexOf(REPOSITORY_NAME);
  if (at >= 0) {
    const inRepo = path.join(repoRoot, ...parts.slice(at + 1));
    if (await exists(inRepo)) return inRepo;
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}



/** A remote build context (git repository or URL) that cannot be read from disk. */
function isRemote(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || /^github\.com\//.test(context);
}

function resolveLocal(base: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  return path.resolve(base, p);
}

/** Short volume syntax: `src:dst[:mode]`; a bind mount when the source is a path, not a volume name. */
function shortBindSource(spec: string): string | null {
  const parts = spec.split(':');
  if (parts.length < 2) return null;
  const src = parts[0] ?? '';
  if (src.startsWith('.') || src.startsWith('/') || src.startsWith('~')) return src;
  return null;
}

function bindSources(service: Record<string, unknown>): string[] {
  const out: string[] = [];
  const volumes = service['volumes'];
  if (!Array.isArray(volumes)) return out;
  for (const v of volumes) {
    if (typeof v === 'string') {
      const src = shortBindSource(v);
      if (src !== null) out.push(src);
    } else if (isObject(v) && v['type'] === 'bind' && typeof v['source'] === 'string') {
      out.push(v['source']);
    }
  }
  return out;
}

function envFiles(service: Record<string, unknown>): string[] {
  const envFile = service['env_file'];
  const list = Array.isArray(envFile) ? envFile : envFile === undefined ? [] : [envFile];
  const out: string[] = [];
  for (const e of list) {
    if (typeof e === 'string') out.push(e);
    else if (isObject(e) && typeof e['path'] === 'string') out.push(e['path']);
  }
  return out;
}

/**
 * Builds the policy input for a compose file. `doc` is the parsed document, `absPath` the compose
 * file, `displayPath` its repository-relative name, `repoRoot` the repository root (for the
 * Dockerfiles' display paths). Never throws on odd content: what is not a service is skipped.
 */
export async function buildComposeInput(
  doc: unknown,
  absPath: string,
  displayPath: string,
  repoRoot: string,
): Promise<ComposeInput> {
  const dir = path.dirname(absPath);
  const dockerfiles: Record<string, ComposeDockerfile | null> = {};
  const paths: Record<string, boolean> = {};
  const unresolved: Record<string, string> = {};
  const services = isObject(doc) && isObject(doc['services']) ? doc['services'] : {};

  for (const [name, service] of Object.entries(services)) {
    if (!isObject(service)) continue;
    const build = service['build'];
    if (build !== undefined && build !== null) {
      const spec = typeof build === 'string' ? { context: build } : isObject(build) ? build : {};
      const context = typeof spec['context'] === 'string' ? spec['context'] : '.';
      const dockerfile = typeof spec['dockerfile'] === 'string' ? spec['dockerfile'] : 'Dockerfile';
      if (isRemote(context) || typeof spec['dockerfile_inline'] === 'string' || context.includes('$') || dockerfile.includes('$')) {
        dockerfiles[name] = null;
      } else {
        const contextDir = resolveLocal(dir, context);
        const wanted = path.isAbsolute(dockerfile) ? dockerfile : path.resolve(contextDir, dockerfile);
        const dfPath = await resolveDockerfile(wanted, repoRoot);
        if (dfPath !== null) {
          const { input } = await loadDockerfile(dfPath, repoPath(repoRoot, dfPath), contextDir);
          dockerfiles[name] = { file: input.file, resource: input.resource };
        } else {
          dockerfiles[name] = null;
          unresolved[name] = `its Dockerfile ${repoPath(repoRoot, wanted)} (context ${context}, dockerfile ${dockerfile}) does not exist`;
        }
      }
    }
    // A path with ${VAR} cannot be judged without the environment it runs in: left out.
    for (const p of [...bindSources(service), ...envFiles(service)]) {
      if (p.includes('$') || p in paths) continue;
      paths[p] = await exists(resolveLocal(dir, p));
    }
  }

  return { kind: 'compose', file: displayPath, resource: doc, dockerfiles, paths, unresolved };
}

/** The Document of a compose file: findings point at a key (or a line), checked against the compose specification. */
export function composeDocument(abs: string, shown: string, input: ComposeInput, doc: YamlDoc, lineCounter: LineCounter): Document {
  const at = (field: string | null, line: number | null) => {
    const loc = field === null && line !== null ? { line, column: 1 } : locateField(doc.doc, lineCounter, field);
    return { line: loc.line, column: loc.column, field };
  };
  return fileDocument('compose', abs, shown, input, at, {
    schema: (store) => store.validateCompose(input.resource),
    schemaMessage: (e) => `compose: ${e.instancePath ? `${e.instancePath}: ` : ''}${e.message}`,
  });
}
