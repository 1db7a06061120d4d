import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runTool } from '../util/process.js';
import { ToolError } from '../util/errors.js';
import { buildGroups, cachePath, defaultCacheDir, installGroups, type BuildEvent, type BuildProfile, type GoToolPin } from './gobuild.js';

/** The pinned external tools (tools/versions.json): the one place their versions live. */
export type ToolPin = GoToolPin;

export type ToolName = 'kustomize' | 'kubeconform' | 'opa' | 'actionlint' | 'conftest'
  | 'etcd' | 'kube-apiserver' | 'kubectl' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok' | 'gator' | 'helm';

export const TOOLS_DIR = '.tools/bin';
const INSTALLED_FILE = '.installed.json';
/** Build spec of each installed binary (version plus a hash of module, package and profile). */
const SPECS_FILE = '.installed-specs.json';

function readJson(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

export function readPins(repoRoot: string): Record<ToolName, ToolPin> {
  const file = path.join(repoRoot, 'tools', 'versions.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { tools: Record<ToolName, ToolPin> };
  return parsed.tools;
}

function installedVersions(binDir: string): Record<string, string> {
  const file = path.join(binDir, INSTALLED_FILE);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The pinned binary if it is installed at its pinned version, else null. */
export function pinnedBinary(repoRoot: string, name: ToolName): string | null {
  const binDir = path.join(repoRoot, TOOLS_DIR);
  const bin = path.join(binDir, name);
  if (!existsSync(bin)) return null;
  const pin = readPins(repoRoot)[name] as ToolPin | undefined;
  // A tree whose versions.json does not pin the tool (an older revision) has no pinned binary.
  if (pin === undefined) return null;
  const installed = installedVersions(binDir)[name];
  return installed === undefined || installed === pin.version ? bin : null;
}

/** A tool the gate needs; throws ToolError naming the fix when it is not installed. */
export function requireBinary(repoRoot: string, name: ToolName): string {
  const bin = pinnedBinary(repoRoot, name);
  if (bin === null) {
    throw new ToolError(name, `${name} ${readPins(repoRoot)[name].version} is not installed in ${TOOLS_DIR}: run 'npx gitops setup' (needs Go)`);
  }
  return bin;
}

/** How kustomize is run: the pinned binary, else kubectl's built-in kustomize. */
export interface KustomizeRunner {
  command: string;
  args: string[];
  label: string;
}

export async function resolveKustomize(repoRoot: string): Promise<KustomizeRunner> {
  const bin = pinnedBinary(repoRoot, 'kustomize');
  if (bin !== null) {
    return { command: bin, args: ['build'], label: `${readPins(repoRoot).kustomize.version} (binary)` };
  }
  const kubectl = await runTool('kubectl', ['version', '--client', '-o', 'json']);
  if (kubectl.exitCode === 0) {
    let version = 'unknown';
    try {
      version = (JSON.parse(kubectl.stdout) as { kustomizeVersion?: string }).kustomizeVersion ?? version;
    } catch {
      /* keep unknown */
    }
    return { command: 'kubectl', args: ['kustomize'], label: `${version} (kubectl kustomize fallback)` };
  }
  throw new ToolError('kustomize', `neither the pinned kustomize (${TOOLS_DIR}/kustomize) nor kubectl is available: run 'npx gitops setup' (needs Go)`);
}

export interface SetupResult {
  installed: string[];
  reused: string[];
  present: string[];
}

/**
 * Installs every asked pinned tool that is missing (or at another version) into .tools/bin: from
 * the tools cache when that version was built before, else built with Go (setup/build.ts), with
 * what it does reported through `onEvent`.
 */
export async function setupTools(repoRoot: string, onEvent: (e: BuildEvent) => void, only?: ToolName[], cacheDir = defaultCacheDir()): Promise<SetupResult> {
  const pins = readPins(repoRoot);
  const binDir = path.join(repoRoot, TOOLS_DIR);
  mkdirSync(binDir, { recursive: true });
  const versions = installedVersions(binDir);
  const names = only ?? (Object.keys(pins) as ToolName[]);
  // A binary is current when its version and its build spec (module, package, profile) match.
  const specs = readJson(path.join(binDir, SPECS_FILE));
  const specOf = new Map<string, string>();
  const profiles = readProfiles(repoRoot);
  for (const g of buildGroups(pins, names, profiles)) for (const t of g.tools) specOf.set(t.name, path.basename(path.dirname(cachePath(cacheDir, g, t))));
  const missing = names.filter((name) => !(existsSync(path.join(binDir, name)) && (versions[name] ?? pins[name].version) === pins[name].version && specs[name] === specOf.get(name)));
  const result: SetupResult = { installed: [], reused: [], present: names.filter((n) => !missing.includes(n)) };
  if (missing.length === 0) return result;
  const groups = buildGroups(pins, missing, profiles);
  try {
    // `result` is filled as tools are placed, so the record below holds them when a build fails.
    await installGroups(groups, binDir, cacheDir, onEvent, result);
  } finally {
    // Whatever was placed is recorded, even when another build failed.
    const fresh = installedVersions(binDir);
    for (const g of groups) for (const t of g.tools) if (existsSync(path.join(binDir, t.name)) && (result.installed.includes(t.name) || result.reused.includes(t.name))) fresh[t.name] = g.version;
    writeFileSync(path.join(binDir, INSTALLED_FILE), `${JSON.stringify(fresh, null, 2)}\n`);
    const freshSpecs = readJson(path.join(binDir, SPECS_FILE));
    for (const n of [...result.installed, ...result.reused]) freshSpecs[n] = specOf.get(n) ?? '';
    writeFileSync(path.join(binDir, SPECS_FILE), `${JSON.stringify(freshSpecs, null, 2)}\n`);
  }
  return result;
}

/** Build profiles of tools/versions.json (replaces and version ldflags shared by several pins). */
export function readProfiles(repoRoot: string): Record<string, BuildProfile> {
  const file = path.join(repoRoot, 'tools', 'versions.json');
  return ((JSON.parse(readFileSync(file, 'utf8')) as { profiles?: Record<string, BuildProfile> }).profiles) ?? {};
}

/**
 * What `setup --for PURPOSE` installs: the tools whose neededBy names it; for validate also the
 * API server's tools when gitops.yaml turns the stage on (`apiserverMode`).
 */
export function toolsForPurpose(repoRoot: string, purpose: string, apiserverMode: 'off' | 'dry-run' | 'apply'): ToolName[] {
  const purposes = [purpose];
  if (purpose === 'validate' && apiserverMode === 'dry-run') purposes.push('apiserver');
  if (purpose === 'validate' && apiserverMode === 'apply') purposes.push('apiserver-apply');
  return toolsFor(repoRoot, purposes);
}

/** The pinned tools a purpose needs (`neededBy` in tools/versions.json). */
export function toolsFor(repoRoot: string, purposes: string[]): ToolName[] {
  const pins = readPins(repoRoot);
  return (Object.keys(pins) as ToolName[]).filter((n) => (pins[n].neededBy ?? []).some((p) => purposes.includes(p)));
}
