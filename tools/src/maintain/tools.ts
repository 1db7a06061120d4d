import { existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ToolError } from '../util/errors.js';

/** The pinned external tools (tools/versions.json): the one place their versions live. */
export interface ToolPin {
  module: string;
  package: string;
  version: string;
  /**
   * The module's go.sum hash (h1:...). When set, setup checks the downloaded module against it
   * itself and builds with the module's own go.sum, so no checksum-database lookup is needed.
   */
  sum?: string;
}

export type ToolName = 'kustomize' | 'kubeconform' | 'opa' | 'actionlint' | 'conftest' | 'gator';

export const TOOLS_DIR = '.tools/bin';
const INSTALLED_FILE = '.installed.json';

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
  const pins = readPins(repoRoot);
  const installed = installedVersions(binDir)[name];
  return installed === undefined || installed === pins[name].version ? bin : null;
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
  const kubectl = await execa('kubectl', ['version', '--client', '-o', 'json'], { reject: false });
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
  present: string[];
}

/**
 * Installs every pinned tool that is missing (or at another version) with `go install` into
 * .tools/bin. Modules whose go.mod has replace directives are built from a throwaway wrapper module.
 */
export async function setupTools(repoRoot: string, log: (line: string) => void, only?: ToolName[]): Promise<SetupResult> {
  const pins = readPins(repoRoot);
  const binDir = path.join(repoRoot, TOOLS_DIR);
  mkdirSync(binDir, { recursive: true });
  const versions = installedVersions(binDir);
  const result: SetupResult = { installed: [], present: [] };
  const names = (only ?? (Object.keys(pins) as ToolName[]));
  const missing = names.filter((name) => !(existsSync(path.join(binDir, name)) && (versions[name] ?? pins[name].version) === pins[name].version));
  result.present = names.filter((n) => !missing.includes(n));
  if (missing.length === 0) return result;

  const go = await execa('go', ['version'], { reject: false });
  if (go.exitCode !== 0) {
    throw new ToolError('go', `Go is needed to install ${missing.join(', ')} into ${TOOLS_DIR} but 'go' is not on PATH: install Go 1.24 or newer, then run 'npx gitops setup'`);
  }
  const env = { GOBIN: binDir, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto', GOFLAGS: '-buildvcs=false' };
  // Two at a time: the machines have 2 cores and go builds are CPU-bound.
  const queue = [...missing];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const pin = pins[name];
      log(`installing ${name} ${pin.version} (${pin.sum === undefined ? 'go install' : 'go build, module hash pinned,'} ${pin.package})`);
      let run = pin.sum !== undefined
        ? await buildWithModuleSums(pin, binDir, name, env)
        : await execa('go', ['install', `${pin.package}@${pin.version}`], { cwd: os.tmpdir(), env, reject: false });
      if (pin.sum === undefined && run.exitCode !== 0 && /replace directive|must not contain directives/.test(run.stderr)) {
        run = await buildInWrapper(pin, binDir, name, env);
      }
      if (run.exitCode !== 0) {
        throw new ToolError(name, `go install ${pin.package}@${pin.version} failed`, run.stderr);
      }
      versions[name] = pin.version;
      result.installed.push(name);
    }
  };
  await Promise.all([worker(), worker()]);
  writeFileSync(path.join(binDir, INSTALLED_FILE), `${JSON.stringify(versions, null, 2)}\n`);
  return result;
}

async function buildInWrapper(pin: ToolPin, binDir: string, name: string, env: Record<string, string>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-tool-'));
  try {
    await execa('go', ['mod', 'init', 'gitops.local/wrapper'], { cwd: dir, env, reject: false });
    const get = await execa('go', ['get', `${pin.module}@${pin.version}`], { cwd: dir, env, reject: false });
    if (get.exitCode !== 0) return get;
    return await execa('go', ['build', '-o', path.join(binDir, name), pin.package], { cwd: dir, env, reject: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Builds a pinned module whose hash is pinned in tools/versions.json: downloads it with the
 * checksum database skipped for that one module, refuses it unless its hash is the pinned one,
 * then builds from a wrapper module whose go.sum is the pinned module's own (which covers every
 * dependency), so nothing else is looked up in the checksum database either.
 */
async function buildWithModuleSums(pin: ToolPin, binDir: string, name: string, env: Record<string, string>) {
  const dlEnv = { ...env, GONOSUMDB: pin.module, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() };
  const dl = await execa('go', ['mod', 'download', '-json', `${pin.module}@${pin.version}`], { cwd: os.tmpdir(), env: dlEnv, reject: false });
  if (dl.exitCode !== 0) return dl;
  const info = JSON.parse(dl.stdout) as { Dir: string; GoMod: string; Sum: string; GoModSum: string };
  if (info.Sum !== pin.sum) {
    return { ...dl, exitCode: 1, stderr: `${pin.module}@${pin.version} has hash ${info.Sum}, tools/versions.json pins ${pin.sum}: refusing to build it` };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitops-tool-'));
  try {
    const goLine = /^go\s+(\S+)/m.exec(readFileSync(info.GoMod, 'utf8'))?.[1] ?? '1.24';
    writeFileSync(path.join(dir, 'go.mod'), `module gitops.local/wrapper\n\ngo ${goLine}\n\nrequire ${pin.module} ${pin.version}\n`);
    const moduleSums = existsSync(path.join(info.Dir, 'go.sum')) ? readFileSync(path.join(info.Dir, 'go.sum'), 'utf8') : '';
    writeFileSync(path.join(dir, 'go.sum'), `${moduleSums.trimEnd()}\n${pin.module} ${pin.version} ${info.Sum}\n${pin.module} ${pin.version}/go.mod ${info.GoModSum}\n`);
    return await execa('go', ['build', '-o', path.join(binDir, name), pin.package], { cwd: dir, env: { ...env, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() }, reject: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
