/**
 * Fixture repositories for engine tests: a temp folder with the real repository's gate settings,
 * schemas, policies (and built bundle) and pinned tools linked in, plus the files a test writes.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { renderKustomization } from '../src/render/kustomize.js';
import { resourcesFromRender } from '../src/inputs/kubernetes.js';
import { mapLocation } from '../src/locate/sourcemap.js';
import { FileCache } from '../src/util/cache.js';
import { resolveKustomize } from '../src/maintain/tools.js';
import type { Resource } from '../src/pipeline/types.js';
import { parseYaml } from '../src/util/yaml.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO, 'tools/bin/gitops.js');

export interface FixtureRepo {
  root: string;
  write(rel: string, text: string): string;
  cleanup(): void;
}

export interface RepoOptions {
  /** Which pinned tools to link into .tools/bin (default: all). */
  tools?: string[];
  /** Copy policies/ instead of linking it (to change sources). */
  copyPolicies?: boolean;
}

export function makeRepo(files: Record<string, string> = {}, opts: RepoOptions = {}): FixtureRepo {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gitops-test-repo-'));
  cpSync(path.join(REPO, 'gitops.yaml'), path.join(root, 'gitops.yaml'));
  mkdirSync(path.join(root, 'tools'));
  cpSync(path.join(REPO, 'tools/versions.json'), path.join(root, 'tools/versions.json'));
  symlinkSync(path.join(REPO, 'schemas'), path.join(root, 'schemas'));
  if (opts.copyPolicies) cpSync(path.join(REPO, 'policies'), path.join(root, 'policies'), { recursive: true });
  else symlinkSync(path.join(REPO, 'policies'), path.join(root, 'policies'));
  mkdirSync(path.join(root, '.tools/bin'), { recursive: true });
  const tools = opts.tools ?? ['kustomize', 'kubeconform', 'opa'];
  for (const t of tools) symlinkSync(path.join(REPO, '.tools/bin', t), path.join(root, '.tools/bin', t));
  const repo: FixtureRepo = {
    root,
    write(rel, text) {
      const abs = path.join(root, rel);
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, text);
      return abs;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const [rel, text] of Object.entries(files)) repo.write(rel, text);
  return repo;
}

/**
 * A CustomResourceDefinition of kind Widget (example.com/v1, namespaced) whose openAPIV3Schema is
 * `schema`: YAML lines at the schema's own indentation (the first line at column 0).
 */
export function widgetCrd(schema: string): string {
  const indented = schema.trimEnd().split('\n').map((l) => `          ${l}`).join('\n');
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
${indented}
`;
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  json: () => { summary: Record<string, unknown>; findings: Array<Record<string, any>> } & Record<string, unknown>;
}

/** Runs the built CLI for real (node tools/bin/gitops.js), from `cwd`. */
export async function gitops(cwd: string, args: string[], env: Record<string, string> = {}, nodeOptions: string[] = []): Promise<CliRun> {
  const r = await execa('node', [...nodeOptions, CLI, ...args], { cwd, reject: false, env: { NO_COLOR: '1', ...env } });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

/**
 * The report with what legitimately varies between runs normalized: the duration and the policy
 * bundle's source hash. One finding per line, so a difference reads finding by finding.
 */
export function normalizedReport(run: CliRun): string {
  const report = run.json() as { version: number; summary: Record<string, unknown> & { tools: Record<string, string> }; findings: unknown[] };
  const summary = { ...report.summary, durationMs: 0, tools: { ...report.summary.tools, policies: 'sha256:<bundle>' } };
  const findings = report.findings.map((f) => `    ${JSON.stringify(f)}`).join(',\n');
  return `{\n  "version": ${report.version},\n  "summary": ${JSON.stringify(summary)},\n  "findings": [\n${findings}\n  ]\n}\n`;
}

/** Path -> sha256 of every file under dir (symlinked folders not followed). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isSymbolicLink()) {
        out.set(path.relative(dir, abs), 'link');
      } else if (e.isDirectory()) walk(abs);
      else out.set(path.relative(dir, abs), createHash('sha256').update(readFileSync(abs)).digest('hex') + statSync(abs).mtimeMs);
    }
  };
  walk(dir);
  return out;
}

/** The 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string, from = 1): number {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i += 1) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`'${needle}' not found`);
}

/** A fixture repository whose overlays/prod is rendered by the pinned kustomize, with lookups into it. */
export interface RenderedOverlay {
  repo: FixtureRepo;
  resources: Resource[];
  /** overlays/prod/kustomization.yaml, absolute. */
  kustomization: string;
  /** The rendered resource of that kind whose name starts with `name` (prefixes come from namePrefix). */
  find(kind: string, name: string): Resource;
  /** Where the source map puts `field` of that resource. */
  map(kind: string, name: string, field: string | null): ReturnType<typeof mapLocation>;
}

export async function renderOverlay(files: Record<string, string>): Promise<RenderedOverlay> {
  const repo = makeRepo(files);
  const kustomization = path.join(repo.root, 'overlays/prod/kustomization.yaml');
  const runner = await resolveKustomize(repo.root);
  if (!runner.label.includes('(binary)')) throw new Error(`the pinned kustomize is not installed (${runner.label}): run 'npx gitops setup'`);
  const out = await renderKustomization(runner, path.join(repo.root, 'overlays/prod'), 60);
  if (!out.ok) throw new Error(`kustomize build failed: ${out.stderr}`);
  const resources = resourcesFromRender(parseYaml(out.stdout).docs, out.wrapperDir, kustomization);
  const cache = new FileCache();
  const find = (kind: string, name: string): Resource => {
    const r = resources.find((x) => x.ref.kind === kind && x.ref.name.startsWith(name));
    if (!r) throw new Error(`${kind}/${name} not rendered`);
    return r;
  };
  return {
    repo, resources, kustomization, find,
    map: (kind, name, field) => mapLocation(repo.root, cache, find(kind, name), field, kustomization),
  };
}
