/**
 * `gitops policy gatekeeper` (also run by `gitops policy build`): every rule that can run at
 * admission becomes a Gatekeeper ConstraintTemplate (base/gatekeeper-policies/templates) and, per
 * cluster, Constraints whose enforcement comes from gitops.yaml (clusters/<env>/gatekeeper-policies).
 * Rules marked `ci_only` in their METADATA get neither. Gatekeeper's Config replicates the kinds the
 * admission rules read (METADATA `reads`) into data.inventory.
 *
 * Pure: returns the files to write (repository-relative path -> content); the command writes them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { CONFIG_FILE, loadConfig, policyConfig } from '../util/config.js';
import { InputError } from '../util/errors.js';
import { POLICY_DIR, policySources, type RuleMeta } from './bundle.js';
import { contextLibrary, entryModule, libRefs, packageOf, ruleLibrary, sharedLibrary, unavailableData } from './gatekeeper-rego.js';

export const TEMPLATES_DIR = 'base/gatekeeper-policies';
export const CONSTRAINTS_DIR = (env: string): string => `clusters/${env}/gatekeeper-policies`;
/** The JSON 6902 patch that whitelists the constraint kinds in the cluster's platform AppProject. */
export const PROJECT_PATCH = (env: string): string => `clusters/${env}/projects/appproject-platform-gatekeeper.yaml`;
export const TEMPLATE_API = 'templates.gatekeeper.sh/v1';
export const CONSTRAINT_API = 'constraints.gatekeeper.sh/v1beta1';
export const ADMISSION_TARGET = 'admission.k8s.gatekeeper.sh';
const SEVERITIES = ['error', 'warning', 'info'] as const;
const ANNOTATION = 'gitops.funlynk.io';

export type EnforcementAction = 'deny' | 'warn' | 'dryrun';

/** The `gatekeeper` section of gitops.yaml. */
export interface GatekeeperSettings {
  /** Per environment (clusters/<env>): what a violation of an error-severity rule does. */
  enforcement: Record<string, EnforcementAction>;
  /** Namespaces no constraint applies to, in every cluster (the control plane's own). */
  excludedNamespaces: string[];
}

export function readGatekeeperSettings(repoRoot: string): GatekeeperSettings {
  const text = readFileSync(path.join(repoRoot, CONFIG_FILE), 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true });
  const raw = (doc.toJS() as { gatekeeper?: Partial<GatekeeperSettings> } | null)?.gatekeeper;
  const at = (keys: string[]): number => {
    const node = doc.getIn(keys, true) as { range?: [number] } | undefined;
    const offset = node?.range?.[0] ?? 0;
    return text.slice(0, offset).split('\n').length;
  };
  if (raw === undefined || raw.enforcement === null || typeof raw.enforcement !== 'object') {
    throw new InputError('gatekeeper.enforcement (per environment: deny, warn or dryrun) is missing', CONFIG_FILE, at(['gatekeeper']));
  }
  for (const [env, action] of Object.entries(raw.enforcement)) {
    if (!['deny', 'warn', 'dryrun'].includes(String(action))) {
      throw new InputError(`gatekeeper.enforcement.${env} must be deny, warn or dryrun, found '${String(action)}'`, CONFIG_FILE, at(['gatekeeper', 'enforcement', env]));
    }
  }
  return {
    enforcement: raw.enforcement as Record<string, EnforcementAction>,
    excludedNamespaces: (raw.excludedNamespaces ?? []).map(String),
  };
}

/** k8s/run-as-non-root becomes GitopsK8sRunAsNonRoot (the constraint kind). */
export function constraintKind(ruleId: string): string {
  return `Gitops${ruleId.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('')}`;
}

/** k8s/run-as-non-root becomes k8s-run-as-non-root (the constraint name). */
export function constraintName(ruleId: string): string {
  return ruleId.replace(/[^a-z0-9-]+/g, '-');
}

/** Whether Gatekeeper enforces the rule: a rule on Kubernetes objects not marked CI-only. */
export function atAdmission(rule: RuleMeta): boolean {
  return rule.input === 'kubernetes' && (rule.ciOnly ?? null) === null;
}

export function admissionRules(rules: RuleMeta[]): RuleMeta[] {
  return rules.filter(atAdmission).sort((a, b) => a.id.localeCompare(b.id));
}

interface LibFile {
  pkg: string;
  file: string;
  source: string;
}

function libraries(repoRoot: string): Map<string, LibFile> {
  const libs = new Map<string, LibFile>();
  for (const rel of policySources(repoRoot)) {
    const source = readFileSync(path.join(repoRoot, rel), 'utf8');
    const pkg = packageOf(source, rel);
    if (pkg.startsWith('lib.')) libs.set(pkg, { pkg, file: rel, source });
  }
  return libs;
}

/** The libraries a module needs, transitively, in a stable order. */
function libraryClosure(start: string[], libs: Map<string, LibFile>, from: string): LibFile[] {
  const seen = new Map<string, LibFile>();
  const queue = [...start];
  for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) {
    if (seen.has(pkg)) continue;
    const lib = libs.get(pkg);
    if (lib === undefined) throw new InputError(`refers to data.${pkg}, which no module under ${POLICY_DIR}/ defines`, from, 1);
    seen.set(pkg, lib);
    queue.push(...libRefs(lib.source));
  }
  return [...seen.values()].sort((a, b) => a.pkg.localeCompare(b.pkg));
}

/** Kinds to group/version, from the vendored schemas (Kubernetes core and CRDs): for the sync set. */
function kindVersions(repoRoot: string): Map<string, { group: string; version: string }> {
  const out = new Map<string, { group: string; version: string }>();
  const add = (key: string): void => {
    const parts = key.split('/');
    const kind = parts.pop()!;
    const version = parts.pop()!;
    const group = parts.join('/');
    if (!out.has(kind) && !/(List|Review)$/.test(kind)) out.set(kind, { group, version });
  };
  const k8sDir = path.join(repoRoot, 'schemas', 'kubernetes');
  if (existsSync(k8sDir)) {
    for (const d of readdirSync(k8sDir)) {
      const index = path.join(k8sDir, d, 'index.json');
      if (existsSync(index)) Object.keys(JSON.parse(readFileSync(index, 'utf8')) as object).sort(preferStable).forEach(add);
    }
  }
  return out;
}

/** The newest stable version first (v2 before v1 before v1beta1 before v1alpha1): the sync set names it. */
function preferStable(a: string, b: string): number {
  const version = (k: string): string => k.split('/').slice(-2, -1)[0] ?? '';
  const rank = (k: string): number => (/^v\d+$/.test(version(k)) ? 0 : /beta/.test(version(k)) ? 1 : 2);
  const major = (k: string): number => Number(/^v(\d+)/.exec(version(k))?.[1] ?? 0);
  return rank(a) - rank(b) || major(b) - major(a) || a.localeCompare(b);
}

function header(schema: string, what: string): string {
  return `---\n# yaml-language-server: $schema=${schema}\n# Generated by \`gitops policy gatekeeper\` ${what}. Do not edit; CI fails when stale.\n`;
}

function yamlText(obj: unknown): string {
  return stringify(obj, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false });
}

export interface TemplateObject {
  rule: RuleMeta;
  kind: string;
  object: Record<string, unknown>;
}

/** The ConstraintTemplate of one admission rule. */
export function buildTemplate(repoRoot: string, rule: RuleMeta, libs: Map<string, LibFile>, config: Record<string, unknown>): TemplateObject {
  const source = readFileSync(path.join(repoRoot, rule.file), 'utf8');
  const { pkg, rego } = ruleLibrary(source, rule.file);
  const context = contextLibrary(config);
  const needed = libraryClosure([...libRefs(source), ...libRefs(context)], libs, rule.file);
  const missing = [...new Set([source, ...needed.map((l) => l.source)].flatMap(unavailableData))];
  if (missing.length > 0) {
    throw new InputError(`${rule.id} reads ${missing.join(', ')}, which admission cannot rebuild: mark it ci_only in its METADATA (with why), or give it a counterpart in policy/gatekeeper-rego.ts`, rule.file, 1);
  }
  const kind = constraintKind(rule.id);
  const object = {
    apiVersion: TEMPLATE_API,
    kind: 'ConstraintTemplate',
    metadata: {
      name: kind.toLowerCase(),
      annotations: {
        'metadata.gatekeeper.sh/title': rule.title,
        description: rule.description,
        [`${ANNOTATION}/rule`]: rule.id,
        [`${ANNOTATION}/severity`]: rule.severity,
        [`${ANNOTATION}/kinds`]: rule.kinds.join(', '),
        [`${ANNOTATION}/rationale`]: rule.rationale,
        [`${ANNOTATION}/baseline`]: rule.baseline,
        [`${ANNOTATION}/source`]: rule.file,
      },
    },
    spec: {
      crd: {
        spec: {
          names: { kind },
          validation: {
            openAPIV3Schema: parametersSchema(Object.keys(readGatekeeperSettings(repoRoot).enforcement)),
          },
        },
      },
      targets: [
        {
          target: ADMISSION_TARGET,
          code: [
            {
              engine: 'Rego',
              source: {
                version: 'v1',
                rego: entryModule(rule.id, pkg, rule.severity),
                libs: [rego, context, ...needed.map((l) => sharedLibrary(l.source))],
              },
            },
          ],
        },
      ],
    },
  };
  return { rule, kind, object };
}

/** The constraint parameters every template takes. */
export function parametersSchema(envs: string[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      env: { type: 'string', enum: [...envs].sort(), description: 'The cluster\'s environment, as data.target.env in CI.' },
      severities: {
        type: 'array',
        items: { type: 'string', enum: [...SEVERITIES] },
        description: 'Violations of these severities are reported by this constraint (all when unset).',
      },
    },
  };
}

/** Whether a rule may report a violation at this severity (its default, or an override in the source). */
function reports(repoRoot: string, rule: RuleMeta, severities: readonly string[]): boolean {
  if (severities.includes(rule.severity)) return true;
  const source = readFileSync(path.join(repoRoot, rule.file), 'utf8');
  return /"severity"\s*:/.test(source);
}

export interface ConstraintOptions {
  env: string;
  action: EnforcementAction;
  excludedNamespaces: string[];
}

/**
 * The constraints of one rule in one cluster: error-severity violations take the environment's
 * enforcement; warnings and info only ever warn (`<name>-warnings`), as CI does not fail on them.
 */
export function buildConstraints(repoRoot: string, t: TemplateObject, opts: ConstraintOptions): Array<Record<string, unknown>> {
  const match: Record<string, unknown> = {
    kinds: [{ apiGroups: ['*'], kinds: t.rule.kinds }],
    excludedNamespaces: opts.excludedNamespaces,
    // Objects rendered from the pinned Helm charts are not this repository's and CI never checks
    // them: the label every chart sets keeps them out at admission too.
    labelSelector: { matchExpressions: [{ key: 'helm.sh/chart', operator: 'DoesNotExist' }] },
  };
  const out: Array<Record<string, unknown>> = [];
  const levels: Array<{ suffix: string; severities: string[]; action: EnforcementAction }> = [
    { suffix: '', severities: ['error'], action: opts.action },
    { suffix: '-warnings', severities: ['warning', 'info'], action: opts.action === 'dryrun' ? 'dryrun' : 'warn' },
  ];
  for (const level of levels) {
    if (!reports(repoRoot, t.rule, level.severities)) continue;
    out.push({
      apiVersion: CONSTRAINT_API,
      kind: t.kind,
      metadata: {
        name: `${constraintName(t.rule.id)}${level.suffix}`,
        annotations: {
          'argocd.argoproj.io/sync-wave': '1',
          // The constraint's kind exists only once Gatekeeper has processed the template (wave 0).
          'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
          [`${ANNOTATION}/rule`]: t.rule.id,
        },
      },
      spec: {
        enforcementAction: level.action,
        match,
        parameters: { env: opts.env, severities: level.severities },
      },
    });
  }
  return out;
}

/** Namespaces the pinned Helm charts of a cluster deploy into (their Applications' destinations). */
export function chartNamespaces(repoRoot: string, env: string): string[] {
  const out = new Set<string>();
  for (const sub of ['addons', 'argocd']) {
    const dir = path.join(repoRoot, 'clusters', env, sub);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
      const doc = parseDocument(readFileSync(path.join(dir, name), 'utf8')).toJS() as Record<string, any> | null;
      if (doc?.kind !== 'Application') continue;
      const sources = [doc.spec?.source, ...(doc.spec?.sources ?? [])].filter(Boolean) as Array<Record<string, unknown>>;
      const ns = doc.spec?.destination?.namespace;
      if (sources.some((s) => typeof s.chart === 'string') && typeof ns === 'string') out.add(ns);
    }
  }
  return [...out].sort();
}

/** Gatekeeper's Config: the kinds the admission rules read, replicated into data.inventory. */
export function buildConfig(repoRoot: string, rules: RuleMeta[]): Record<string, unknown> {
  const versions = kindVersions(repoRoot);
  const kinds = [...new Set(rules.flatMap((r) => r.reads ?? []))].sort();
  const syncOnly = kinds.map((kind) => {
    const gv = versions.get(kind);
    if (gv === undefined) {
      const by = rules.find((r) => (r.reads ?? []).includes(kind))!;
      throw new InputError(`METADATA reads kind '${kind}', which no vendored Kubernetes schema defines`, by.file, 1);
    }
    return { group: gv.group, version: gv.version, kind };
  });
  return {
    apiVersion: 'config.gatekeeper.sh/v1alpha1',
    kind: 'Config',
    metadata: { name: 'config', namespace: 'gatekeeper-system' },
    spec: { sync: { syncOnly } },
  };
}

function kustomization(comment: string, resources: string[]): string {
  return `---\n# yaml-language-server: $schema=https://json.schemastore.org/kustomization.json\n# ${comment}\n# Generated by \`gitops policy gatekeeper\`. Do not edit; CI fails when stale.\n${yamlText({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  })}`;
}

export interface GatekeeperOutput {
  /** Repository-relative path -> content. */
  files: Map<string, string>;
  /** Folders the generator owns: everything in them that is not in `files` is stale. */
  owned: string[];
  templates: TemplateObject[];
}

/** Every generated file: templates, the Config, and each cluster's constraints. */
export function generateGatekeeper(repoRoot: string, rules: RuleMeta[]): GatekeeperOutput {
  const settings = readGatekeeperSettings(repoRoot);
  const config = policyConfig(loadConfig(repoRoot));
  const libs = libraries(repoRoot);
  const admission = admissionRules(rules);
  const files = new Map<string, string>();
  const templates = admission.map((rule) => buildTemplate(repoRoot, rule, libs, config));
  const templateFiles: string[] = [];
  for (const t of templates) {
    const rel = `templates/${constraintName(t.rule.id)}.yaml`;
    templateFiles.push(rel);
    files.set(`${TEMPLATES_DIR}/${rel}`, header('../../../schemas/crds/templates.gatekeeper.sh/constrainttemplate_v1.json', `from ${t.rule.file}`) + yamlText(t.object));
  }
  files.set(`${TEMPLATES_DIR}/config.yaml`, header('../../schemas/crds/config.gatekeeper.sh/config_v1alpha1.json', 'from the METADATA `reads` of the admission rules') + yamlText(buildConfig(repoRoot, admission)));
  files.set(`${TEMPLATES_DIR}/kustomization.yaml`, kustomization('Gatekeeper ConstraintTemplates of every admission rule, and the Config that replicates what they read.', ['config.yaml', ...templateFiles]));
  const owned = [TEMPLATES_DIR];
  for (const env of Object.keys(settings.enforcement).sort()) {
    if (!existsSync(path.join(repoRoot, 'clusters', env))) {
      throw new InputError(`gatekeeper.enforcement names '${env}' but clusters/${env} does not exist`, CONFIG_FILE, 1);
    }
    const dir = CONSTRAINTS_DIR(env);
    owned.push(dir);
    const excludedNamespaces = [...new Set([...settings.excludedNamespaces, ...chartNamespaces(repoRoot, env)])].sort();
    const constraintFiles: string[] = [];
    for (const t of templates) {
      const objs = buildConstraints(repoRoot, t, { env, action: settings.enforcement[env]!, excludedNamespaces });
      for (const obj of objs) {
        const rel = `constraints/${(obj.metadata as { name: string }).name}.yaml`;
        constraintFiles.push(rel);
        const schema = `../../../../schemas/crds/constraints.gatekeeper.sh/${t.kind.toLowerCase()}_v1beta1.json`;
        files.set(`${dir}/${rel}`, header(schema, `from ${t.rule.file} and gitops.yaml (gatekeeper)`) + yamlText(obj));
      }
    }
    files.set(PROJECT_PATCH(env), `---\n# The constraint kinds of the generated Gatekeeper templates, whitelisted in the platform AppProject\n# (JSON 6902 patch, applied by this folder's kustomization.yaml) so the gatekeeper-policies Application may\n# create them. Generated by \`gitops policy gatekeeper\`. Do not edit; CI fails when stale.\n${yamlText(
      templates.map((t) => ({ op: 'add', path: '/spec/clusterResourceWhitelist/-', value: { group: 'constraints.gatekeeper.sh', kind: t.kind } })),
    )}`);
    files.set(`${dir}/kustomization.yaml`, kustomization(`Gatekeeper policies of the ${env} cluster: the shared templates and this cluster's constraints (enforcement: ${settings.enforcement[env]}).`, [`../../../${TEMPLATES_DIR}`, ...constraintFiles]));
  }
  return { files, owned, templates };
}

/** Files under the owned folders that the generator would not write (stale, to delete). */
export function staleFiles(repoRoot: string, out: GatekeeperOutput): string[] {
  const stale: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(repoRoot, rel);
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (!out.files.has(child)) stale.push(child);
    }
  };
  out.owned.forEach(walk);
  return stale.sort();
}
