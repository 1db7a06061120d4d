/**
 * `gitops schemas sync`: regenerates the vendored schemas under `schemas/` from registry packages
 * only (PyPI and the Go module proxy), at pinned versions, into a layout that ajv and kubeconform
 * read alike:
 *
 *   schemas/kubernetes/v<k8s>-standalone-strict/<kind>-<group>-<version>.json   (+ index.json)
 *   schemas/crds/<group>/<kind>_<version>.json                                  (+ index.json)
 *   schemas/compose/compose-spec.json
 *   schemas/SOURCES.json
 *
 * Downloads are cached under `.cache/gitops/schemas/` (git-ignored). Output is byte-stable: keys
 * sorted, fixed formatting, so a second run changes nothing.
 */
import { SyncError } from '../util/errors.js';
import { loadConfig } from '../util/config.js';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTool } from '../util/process.js';
import { parseAllDocuments } from 'yaml';
import { crdSchemaRelPath, crdToSchemas, DRAFT_07, type JsonSchema } from '../schema/convert.js';
import { sha256, stableStringify } from '../schema/json.js';
import { constraintCrds, matchSchemaFrom } from '../policy/gatekeeper-schemas.js';

/** Bump when the generated output changes for the same inputs. */
export const GENERATOR_VERSION = '1.0.0';

export interface KubernetesSource {
  name: 'kubernetes';
  registry: 'pypi';
  package: string;
  version: string;
}

export interface CrdSource {
  name: string;
  registry: 'go';
  module: string;
  version: string;
  /** Paths inside the module (a file, or a folder whose *.yaml files are all read). */
  paths: string[];
  /** The module's go.sum hash, checked here instead of by the checksum database (which may not know it). */
  sum?: string;
  /**
   * 'gatekeeper-constraints': the CRDs are not in the module; one per generated ConstraintTemplate
   * is built from the template's parameters and the Match schema read from `paths`.
   */
  derive?: 'gatekeeper-constraints';
}

export interface ComposeSource {
  name: 'compose';
  registry: 'go';
  /** The Go module of the compose-spec reference implementation, which ships the current schema. */
  module: string;
  version: string;
  /** Path of the schema inside the module. */
  file: string;
}

/** Pinned inputs. Change a version here, run `gitops schemas sync`, commit the result. */
export const SCHEMA_SOURCES: {
  kubernetes: KubernetesSource;
  crds: CrdSource[];
  compose: ComposeSource;
} = {
  kubernetes: { name: 'kubernetes', registry: 'pypi', package: 'kubernetes-validate', version: '1.37.0' },
  crds: [
    {
      name: 'istio',
      registry: 'go',
      module: 'istio.io/api',
      version: 'v1.29.2',
      paths: ['kubernetes/customresourcedefinitions.gen.yaml'],
    },
    {
      name: 'argo-cd',
      registry: 'go',
      module: 'github.com/argoproj/argo-cd/v3',
      version: 'v3.5.7',
      paths: [
        'manifests/crds/application-crd.yaml',
        'manifests/crds/applicationset-crd.yaml',
        'manifests/crds/appproject-crd.yaml',
      ],
    },
    {
      name: 'prometheus-operator',
      registry: 'go',
      module: 'github.com/prometheus-operator/prometheus-operator',
      version: 'v0.85.0',
      paths: ['example/prometheus-operator-crd'],
    },
    {
      name: 'cert-manager',
      registry: 'go',
      module: 'github.com/cert-manager/cert-manager',
      version: 'v1.20.1',
      // deploy/crds holds the plain CRDs; the Helm chart's copies carry template markers.
      paths: ['deploy/crds'],
    },
    {
      name: 'external-secrets',
      registry: 'go',
      module: 'github.com/external-secrets/external-secrets',
      version: 'v0.16.2',
      paths: ['config/crds/bases'],
    },
    {
      // The CRDs the gatekeeper chart the clusters pin installs (ConstraintTemplate, Config).
      name: 'gatekeeper',
      registry: 'go',
      module: 'github.com/open-policy-agent/gatekeeper/v3',
      version: 'v3.21.1',
      sum: 'h1:7ogFlUu5tfINBlyU8l7tTMzM2snwXeDsPzNKyAXYHYw=',
      paths: [
        'charts/gatekeeper/crds/constrainttemplate-customresourcedefinition.yaml',
        'charts/gatekeeper/crds/config-customresourcedefinition.yaml',
      ],
    },
    {
      // One constraint kind per generated ConstraintTemplate (base/gatekeeper-policies/templates).
      name: 'gatekeeper-constraints',
      registry: 'go',
      module: 'github.com/open-policy-agent/gatekeeper/v3',
      version: 'v3.21.1',
      sum: 'h1:7ogFlUu5tfINBlyU8l7tTMzM2snwXeDsPzNKyAXYHYw=',
      paths: ['config/crd/bases/match.gatekeeper.sh_matchcrd.yaml'],
      derive: 'gatekeeper-constraints',
    },
  ],
  compose: {
    name: 'compose',
    registry: 'go',
    module: 'github.com/compose-spec/compose-go/v2',
    version: 'v2.16.2',
    file: 'schema/compose-spec.json',
  },
};

export interface SourceRecord {
  name: string;
  registry: string;
  package: string;
  version: string;
  /** Hash of the downloaded artifact as the registry client reported it or as computed here. */
  artifact: { file: string; sha256?: string; goSum?: string };
  /** Files read from the artifact (paths inside it). */
  taken: string[];
  /** Folder or file under schemas/ the source produced. */
  output: string;
  generatedFiles: number;
  /** sha256 over the sorted lines `<path> <sha256 of file>` of every generated file. */
  combinedSha256: string;
}

export interface SyncOptions {
  /** Repository root. */
  cwd: string;
  /** Overrides gitops.yaml kubernetesVersion. */
  kubernetesVersion?: string;
  /** Progress lines (the command prints them to stderr). */
  log?: (line: string) => void;
  /** Download cache; default `<cwd>/.cache/gitops/schemas` (git-ignored). */
  cacheDir?: string;
  /** The repository whose generated Gatekeeper templates define the constraint kinds; default cwd. */
  templatesRoot?: string;
}

export interface SyncResult {
  kubernetesVersion: string;
  files: number;
  bytes: number;
  sources: SourceRecord[];
}

/** kubeconform's file name of a core schema, e.g. apps/v1 Deployment → deployment-apps-v1.json. */
export function coreSchemaFileName(apiVersion: string, kind: string): string {
  const parts = apiVersion.split('/');
  const groupFirst = (parts[0] ?? '').split('.')[0] ?? '';
  let suffix = '-' + groupFirst.toLowerCase();
  if (parts.length > 1) suffix += '-' + (parts[1] ?? '').toLowerCase();
  return `${kind.toLowerCase()}${suffix}.json`;
}

export function coreSchemaDirName(kubernetesVersion: string): string {
  return `v${kubernetesVersion}-standalone-strict`;
}

async function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = await runTool(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
  });
  if (result.failed) {
    const why = (result.stderr || result.stdout || result.startError || '').toString().trim();
    throw new SyncError(`${cmd} ${args.join(' ')} failed: ${why.split('\n').slice(-5).join(' | ')}`);
  }
  return result.stdout.toString();
}

async function fileSha256(file: string): Promise<string> {
  return sha256(await readFile(file));
}

// ---------------------------------------------------------------------------------------------
// Kubernetes core schemas (kubernetes-validate wheel)

interface GvkEntry {
  group: string;
  version: string;
  kind: string;
}

/** Rewrites every `$ref` into the bundle's own `#/definitions/<name>` and collects the names. */
function rewriteRefs(node: unknown, found: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, found));
  if (node === null || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === '$id' || key === '$schema') continue;
    if (key.startsWith('x-kubernetes-') && key !== 'x-kubernetes-group-version-kind') continue;
    if (key === '$ref' && typeof value === 'string') {
      const name = value.slice(value.lastIndexOf('/') + 1);
      found.add(name);
      out.$ref = `#/definitions/${name}`;
      continue;
    }
    if (key === 'properties' || key === 'patternProperties' || key === '$defs' || key === 'definitions') {
      const props: Record<string, unknown> = {};
      for (const [p, child] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        props[p] = rewriteRefs(child, found);
      }
      out[key] = props;
      continue;
    }
    out[key] = rewriteRefs(value, found);
  }
  // Strict: an object that lists properties and says nothing about others is closed.
  if (out.properties && out.additionalProperties === undefined && out.$ref === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function bundleCore(defs: Record<string, unknown>, rootName: string): JsonSchema {
  const definitions: Record<string, unknown> = {};
  const pending = new Set<string>();
  const root = rewriteRefs(defs[rootName], pending) as JsonSchema;
  const done = new Set<string>();
  while (pending.size > 0) {
    const [name] = pending;
    pending.delete(name!);
    if (done.has(name!)) continue;
    done.add(name!);
    const def = defs[name!];
    if (def === undefined) throw new SyncError(`kubernetes schema: $ref to unknown definition ${name}`);
    const found = new Set<string>();
    definitions[name!] = rewriteRefs(def, found);
    for (const f of found) if (!done.has(f)) pending.add(f);
  }
  const schema: JsonSchema = { ...root, $schema: DRAFT_07 };
  if (Object.keys(definitions).length > 0) schema.definitions = definitions;
  return schema;
}

async function fetchKubernetesValidate(cacheDir: string, src: KubernetesSource, log: (l: string) => void) {
  const dir = path.join(cacheDir, 'pypi');
  await mkdir(dir, { recursive: true });
  const wheelName = `${src.package.replace(/-/g, '_')}-${src.version}-py3-none-any.whl`;
  const wheel = path.join(dir, wheelName);
  if (!existsSync(wheel)) {
    log(`pypi: downloading ${src.package}==${src.version}`);
    await run('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', dir, `${src.package}==${src.version}`]);
    if (!existsSync(wheel)) throw new SyncError(`pip did not produce ${wheelName}`);
  }
  const unpacked = path.join(dir, `${src.package}-${src.version}`);
  if (!existsSync(path.join(unpacked, '.complete'))) {
    await rm(unpacked, { recursive: true, force: true });
    await mkdir(unpacked, { recursive: true });
    await run('python3', ['-m', 'zipfile', '-e', wheel, unpacked]);
    await writeFile(path.join(unpacked, '.complete'), '');
  }
  return { wheel, wheelName, unpacked };
}

async function generateKubernetes(
  cacheDir: string,
  kubernetesVersion: string,
  log: (l: string) => void,
): Promise<{ files: Map<string, string>; record: Omit<SourceRecord, 'generatedFiles' | 'combinedSha256'>; coreFiles: Set<string> }> {
  const src = SCHEMA_SOURCES.kubernetes;
  const { wheel, wheelName, unpacked } = await fetchKubernetesValidate(cacheDir, src, log);
  const inner = `kubernetes_validate/kubernetes-json-schema/v${kubernetesVersion}-local-strict/_definitions.json`;
  const defsFile = path.join(unpacked, inner);
  if (!existsSync(defsFile)) {
    throw new SyncError(`${src.package} ${src.version} has no schemas for Kubernetes ${kubernetesVersion} (${inner})`);
  }
  const doc = JSON.parse(await readFile(defsFile, 'utf8')) as { $defs?: Record<string, unknown> };
  const defs = doc.$defs;
  if (!defs) throw new SyncError(`${inner}: no $defs`);

  const outDir = `schemas/kubernetes/${coreSchemaDirName(kubernetesVersion)}`;
  const files = new Map<string, string>();
  const index: Record<string, { file: string; definition: string }> = {};
  for (const name of Object.keys(defs).sort()) {
    const def = defs[name] as Record<string, unknown>;
    const gvks = def['x-kubernetes-group-version-kind'] as GvkEntry[] | undefined;
    // Top-level API objects only. Definitions listed under many groups (DeleteOptions, WatchEvent)
    // are request envelopes, not objects anyone applies.
    if (!Array.isArray(gvks) || gvks.length !== 1) continue;
    const gvk = gvks[0]!;
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    const fileName = coreSchemaFileName(apiVersion, gvk.kind);
    const key = `${apiVersion}/${gvk.kind}`;
    if (index[key]) throw new SyncError(`kubernetes schema: ${key} defined twice`);
    if (Object.values(index).some((e) => e.file === fileName)) {
      throw new SyncError(`kubernetes schema: file name ${fileName} collides (${key})`);
    }
    index[key] = { file: fileName, definition: name };
    files.set(`${outDir}/${fileName}`, stableStringify(bundleCore(defs, name)));
  }
  files.set(`${outDir}/index.json`, stableStringify(index));
  log(`kubernetes ${kubernetesVersion}: ${Object.keys(index).length} kinds`);
  return {
    files,
    coreFiles: new Set(Object.values(index).map((e) => e.file)),
    record: {
      name: src.name,
      registry: src.registry,
      package: src.package,
      version: src.version,
      artifact: { file: wheelName, sha256: await fileSha256(wheel) },
      taken: [inner],
      output: outDir,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CRDs (Go modules)

export async function goModDownload(cacheDir: string, mod: string, version: string, pinnedSum?: string) {
  const gomodcache = path.join(cacheDir, 'gomod');
  await mkdir(gomodcache, { recursive: true });
  const scratch = await mkdtemp(path.join(tmpdir(), 'gitops-gomod-'));
  try {
    const out = await run('go', ['mod', 'download', '-json', `${mod}@${version}`], {
      cwd: scratch,
      env: {
        GOMODCACHE: gomodcache,
        GOFLAGS: '-modcacherw',
        GOTOOLCHAIN: 'local',
        GO111MODULE: 'on',
        ...(pinnedSum !== undefined ? { GONOSUMDB: mod } : {}),
      },
    });
    const info = JSON.parse(out) as { Dir?: string; Sum?: string; Error?: string };
    if (info.Error || !info.Dir) throw new SyncError(`go mod download ${mod}@${version}: ${info.Error ?? 'no Dir'}`);
    if (pinnedSum !== undefined && info.Sum !== pinnedSum) throw new SyncError(`${mod}@${version} has hash ${info.Sum}, the pin says ${pinnedSum}`);
    return { dir: info.Dir, sum: info.Sum ?? '' };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function listYaml(dir: string, rel: string): Promise<string[]> {
  const abs = path.join(dir, rel);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new SyncError(`missing ${rel}`);
  if (st.isFile()) return [rel];
  const names = (await readdir(abs)).filter((n) => /\.ya?ml$/.test(n) && n !== 'kustomization.yaml').sort();
  return names.map((n) => `${rel}/${n}`);
}

/** Removes whole lines that are only a Helm template action, in case a chart copy is used. */
export function stripTemplateLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*\{\{.*\}\}\s*$/.test(line))
    .join('\n');
}

/**
 * The files a pinned CRD source holds under its `paths` (its module from the Go module proxy),
 * template lines removed: what schemas/crds/ and the API server's CRD bundle are both read from.
 */
export async function crdSourceFiles(cacheDir: string, src: CrdSource): Promise<{ sum: string; files: Array<{ rel: string; text: string }> }> {
  const { dir, sum } = await goModDownload(cacheDir, src.module, src.version, src.sum);
  const taken: string[] = [];
  for (const p of src.paths) taken.push(...(await listYaml(dir, p)));
  const files: Array<{ rel: string; text: string }> = [];
  for (const rel of taken) files.push({ rel, text: stripTemplateLines(await readFile(path.join(dir, rel), 'utf8')) });
  return { sum, files };
}

/** The values of a file's YAML documents (null for an empty one); a document that does not parse is an error naming `where`. */
export function yamlObjects(where: string, text: string): Array<Record<string, unknown> | null> {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new SyncError(`${where}: ${doc.errors[0]!.message}`);
    return doc.toJS({ maxAliasCount: -1 }) as Record<string, unknown> | null;
  });
}

export interface CrdIndexEntry {
  file: string;
  scope: 'Namespaced' | 'Cluster';
  source: string;
}

async function generateCrds(cacheDir: string, coreFiles: Set<string>, kubernetesVersion: string, log: (l: string) => void, repoRoot: string) {
  const files = new Map<string, string>();
  const index: Record<string, CrdIndexEntry> = {};
  const records: Array<Omit<SourceRecord, 'generatedFiles' | 'combinedSha256'> & { produced: string[] }> = [];
  for (const src of SCHEMA_SOURCES.crds) {
    log(`go: ${src.module}@${src.version}`);
    const { sum, files: sourceFiles } = await crdSourceFiles(cacheDir, src);
    const taken = sourceFiles.map((f) => f.rel);
    const produced: string[] = [];
    for (const { rel, text } of sourceFiles) {
      const docs = src.derive === 'gatekeeper-constraints'
        ? constraintCrds(repoRoot, matchSchemaFrom(text))
        : yamlObjects(`${src.module}/${rel}`, text);
      for (const obj of docs) {
        if (!obj || obj.kind !== 'CustomResourceDefinition') continue;
        for (const v of crdToSchemas(obj)) {
          const key = `${v.apiVersion}/${v.kind}`;
          const relFile = crdSchemaRelPath(v.group, v.kind, v.version);
          if (index[key]) throw new SyncError(`CRD ${key} comes from two sources (${index[key]!.source}, ${src.name})`);
          const corePath = coreSchemaFileName(v.apiVersion, v.kind);
          if (coreFiles.has(corePath)) {
            throw new SyncError(`CRD ${key} would be shadowed by core schema ${corePath} in kubeconform's lookup`);
          }
          index[key] = { file: relFile, scope: v.scope, source: src.name };
          files.set(`schemas/crds/${relFile}`, stableStringify(v.schema));
          produced.push(`schemas/crds/${relFile}`);
        }
      }
    }
    log(`  ${produced.length} kind versions`);
    records.push({
      name: src.name,
      registry: 'go',
      package: src.module,
      version: src.version,
      artifact: { file: `${src.module}@${src.version}.zip`, goSum: sum },
      taken,
      output: 'schemas/crds',
      produced,
    });
  }
  files.set('schemas/crds/index.json', stableStringify(index));
  void kubernetesVersion;
  return { files, records };
}

// ---------------------------------------------------------------------------------------------
// Compose spec (Go module of the compose-spec reference implementation)

async function generateCompose(cacheDir: string, log: (l: string) => void) {
  const src = SCHEMA_SOURCES.compose;
  log(`go: ${src.module}@${src.version}`);
  const { dir, sum } = await goModDownload(cacheDir, src.module, src.version);
  const text = await readFile(path.join(dir, src.file), 'utf8');
  JSON.parse(text); // must be JSON
  const out = 'schemas/compose/compose-spec.json';
  return {
    files: new Map([[out, text.endsWith('\n') ? text : text + '\n']]),
    record: {
      name: src.name,
      registry: src.registry,
      package: src.module,
      version: src.version,
      artifact: { file: `${src.module}@${src.version}.zip`, goSum: sum },
      taken: [src.file],
      output: out,
    },
  };
}

// ---------------------------------------------------------------------------------------------

function combined(files: Map<string, string>, paths: string[]): string {
  const lines = [...paths].sort().map((p) => `${p} ${sha256(files.get(p)!)}`);
  return sha256(lines.join('\n') + '\n');
}

/** Regenerates schemas/kubernetes, schemas/crds, schemas/compose and schemas/SOURCES.json. */
export async function syncSchemas(opts: SyncOptions): Promise<SyncResult> {
  const log = opts.log ?? (() => {});
  const cwd = path.resolve(opts.cwd);
  const kubernetesVersion = opts.kubernetesVersion ?? loadConfig(cwd).kubernetesVersion;
  const cacheDir = path.resolve(opts.cacheDir ?? path.join(cwd, '.cache', 'gitops', 'schemas'));
  await mkdir(cacheDir, { recursive: true });

  const k8s = await generateKubernetes(cacheDir, kubernetesVersion, log);
  const crds = await generateCrds(cacheDir, k8s.coreFiles, kubernetesVersion, log, path.resolve(opts.templatesRoot ?? cwd));
  const compose = await generateCompose(cacheDir, log);

  const all = new Map<string, string>([...k8s.files, ...crds.files, ...compose.files]);
  const sources: SourceRecord[] = [];
  const k8sPaths = [...k8s.files.keys()];
  sources.push({ ...k8s.record, generatedFiles: k8sPaths.length, combinedSha256: combined(all, k8sPaths) });
  for (const r of crds.records) {
    const { produced, ...rest } = r;
    sources.push({ ...rest, generatedFiles: produced.length, combinedSha256: combined(all, produced) });
  }
  const composePaths = [...compose.files.keys()];
  sources.push({ ...compose.record, generatedFiles: composePaths.length, combinedSha256: combined(all, composePaths) });

  const sourcesJson = stableStringify({
    $comment: 'Generated by `gitops schemas sync`. Do not edit; change the pins in tools/src/maintain/schema-sync.ts.',
    generator: { name: 'gitops schemas sync', version: GENERATOR_VERSION },
    kubernetesVersion,
    sources,
    crdIndexSha256: sha256(all.get('schemas/crds/index.json')!),
  });
  all.set('schemas/SOURCES.json', sourcesJson);

  // Replace the generated folders whole, so a kind dropped upstream disappears here too.
  for (const sub of ['kubernetes', 'crds', 'compose']) {
    await rm(path.join(cwd, 'schemas', sub), { recursive: true, force: true });
  }
  let bytes = 0;
  for (const rel of [...all.keys()].sort()) {
    const abs = path.join(cwd, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    const content = all.get(rel)!;
    bytes += Buffer.byteLength(content);
    await writeFile(abs, content);
  }
  log(`wrote ${all.size} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
  return { kubernetesVersion, files: all.size, bytes, sources };
}

/**
 * Checks the committed schemas against SOURCES.json without any download: every source's
 * combined hash and file count, the CRD index hash, and no stray files. Returns the problems
 * found ([] when the tree is exactly what the generator wrote).
 */
export async function verifySchemas(cwd: string): Promise<string[]> {
  const root = path.resolve(cwd);
  const problems: string[] = [];
  const sourcesFile = path.join(root, 'schemas', 'SOURCES.json');
  if (!existsSync(sourcesFile)) return ['schemas/SOURCES.json is missing; run `gitops schemas sync`'];
  const doc = JSON.parse(await readFile(sourcesFile, 'utf8')) as {
    kubernetesVersion: string;
    sources: SourceRecord[];
    crdIndexSha256: string;
  };
  const files = new Map<string, string>();
  async function collect(rel: string): Promise<void> {
    const abs = path.join(root, rel);
    const st = await stat(abs).catch(() => undefined);
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) await collect(`${rel}/${name}`);
    } else files.set(rel, await readFile(abs, 'utf8'));
  }
  for (const sub of ['kubernetes', 'crds', 'compose']) await collect(`schemas/${sub}`);
  const crdIndexText = files.get('schemas/crds/index.json');
  const crdIndex = crdIndexText ? (JSON.parse(crdIndexText) as Record<string, CrdIndexEntry>) : {};
  if (!crdIndexText || sha256(crdIndexText) !== doc.crdIndexSha256) problems.push('schemas/crds/index.json differs from SOURCES.json');
  const claimed = new Set<string>(['schemas/crds/index.json']);
  for (const s of doc.sources) {
    let paths: string[];
    if (s.output === 'schemas/crds') {
      paths = Object.values(crdIndex)
        .filter((e) => e.source === s.name)
        .map((e) => `schemas/crds/${e.file}`);
    } else {
      paths = [...files.keys()].filter((p) => p === s.output || p.startsWith(s.output + '/'));
    }
    paths.forEach((p) => claimed.add(p));
    const missing = paths.filter((p) => !files.has(p));
    if (missing.length > 0) {
      problems.push(`${s.name}: missing ${missing.slice(0, 3).join(', ')}`);
      continue;
    }
    if (paths.length !== s.generatedFiles) problems.push(`${s.name}: ${paths.length} files, SOURCES.json says ${s.generatedFiles}`);
    if (combined(files, paths) !== s.combinedSha256) problems.push(`${s.name}: generated files differ from SOURCES.json (edited by hand?)`);
  }
  for (const p of files.keys()) if (!claimed.has(p)) problems.push(`${p}: not produced by any source`);
  return problems;
}

