import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { InputError } from './errors.js';

/** Settings of the gate, from gitops.yaml at the repository root. */
export interface GateConfig {
  kubernetesVersion: string;
  render: { parallelism: number; timeoutSeconds: number };
  /** Handed to every policy as data.config (plus kubernetesVersion). */
  policy: Record<string, unknown>;
  /** Helm charts of the clusters (render/cluster-targets.ts). */
  charts?: { maxPolicySeverity?: 'error' | 'warning' | 'info' };
  /** The loopback kube-apiserver stage (`validate --apiserver`); mode off unless asked. */
  apiserver: { mode: 'off' | 'dry-run' | 'apply'; timeoutSeconds: number; readyTimeoutSeconds: number };
}

export const CONFIG_FILE = 'gitops.yaml';

const DEFAULTS: GateConfig = {
  kubernetesVersion: '1.35.0',
  render: { parallelism: 4, timeoutSeconds: 60 },
  policy: {},
  apiserver: { mode: 'off', timeoutSeconds: 300, readyTimeoutSeconds: 120 },
};

/**
 * The repository root: the nearest ancestor of `cwd` holding gitops.yaml. The gate only runs
 * from inside this repository (paths it validates may lie outside).
 */
export function findRepoRoot(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, CONFIG_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new InputError(`no ${CONFIG_FILE} found in ${cwd} or any parent: run gitops from inside the funlynk-gitops repository`);
    }
    dir = parent;
  }
}

/** What the policies see as data.config: the `policy` settings plus the Kubernetes version. */
export function policyConfig(config: GateConfig): Record<string, unknown> {
  return { ...config.policy, kubernetesVersion: config.kubernetesVersion };
}

export function loadConfig(repoRoot: string): GateConfig {
  const file = path.join(repoRoot, CONFIG_FILE);
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new InputError(`${CONFIG_FILE}: ${e.message.split('\n')[0]}`, CONFIG_FILE, pos?.line ?? 1, pos?.col ?? 1);
  }
  const raw = (doc.toJS() ?? {}) as Partial<GateConfig>;
  const version = String(raw.kubernetesVersion ?? DEFAULTS.kubernetesVersion);
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new InputError(`${CONFIG_FILE}: kubernetesVersion must look like 1.35.0, found '${version}'`, CONFIG_FILE);
  }
  const apiserver = { ...DEFAULTS.apiserver, ...(raw.apiserver ?? {}) };
  if (!['off', 'dry-run', 'apply'].includes(apiserver.mode)) {
    throw new InputError(`${CONFIG_FILE}: apiserver.mode must be off, dry-run or apply, found '${String(apiserver.mode)}'`, CONFIG_FILE);
  }
  for (const key of ['timeoutSeconds', 'readyTimeoutSeconds'] as const) {
    if (typeof apiserver[key] !== 'number' || !(apiserver[key] > 0)) {
      throw new InputError(`${CONFIG_FILE}: apiserver.${key} must be a positive number of seconds`, CONFIG_FILE);
    }
  }
  return {
    kubernetesVersion: version,
    render: { ...DEFAULTS.render, ...(raw.render ?? {}) },
    policy: raw.policy ?? {},
    ...(raw.charts ? { charts: raw.charts } : {}),
    apiserver,
  };
}
