/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif).
 *
 * One run of the driver `funlynk-gitops`. Every rule of the catalogue (when the caller passes it)
 * and every rule that produced a finding is a `reportingDescriptor`; results point at the file and
 * line of the finding relative to `%SRCROOT%` (the repository root), with the overlay that rendered
 * the object as a related location. A finding with no location (a tool that could not run) is
 * attached to its target path, without a region.
 *
 * `partialFingerprints` let code scanning follow an alert across commits that move lines: the hash
 * covers rule, target, resource (or the file, for findings about a file) and field (or, where no
 * field applies, the message), never the line. Two findings that would still share one are told
 * apart by their order.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Location, Report, Severity } from '../pipeline/types.js';
import { gateRule } from './catalogue.js';
import { isOutside, sortFindings } from './order.js';
import { displayPath } from '../util/paths.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const DRIVER_NAME = 'funlynk-gitops';
export const FINGERPRINT_KEY = 'funlynkGitops/v1';
export const SRCROOT = '%SRCROOT%';

/** One policy of the catalogue (policies' METADATA: custom.id, title, custom.severity). */
export interface RuleInfo {
  id: string;
  title: string;
  severity: Severity;
}

export interface SarifOptions {
  repoRoot: string;
  /** Rules known to the gate; rules that produced findings are added when missing. */
  rules?: readonly RuleInfo[];
  /**
   * Absolute URI that repository paths are appended to, for `helpUri`
   * (in Actions: `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/blob/${GITHUB_SHA}/`). SARIF requires
   * helpUri to be absolute, so without it rules carry only `help.text` naming docs/POLICIES.md.
   */
  helpBaseUri?: string;
  /** Version of the gate, for `tool.driver.version`. */
  toolVersion?: string;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * The anchor GitHub gives a docs/POLICIES.md heading that is exactly the rule id
 * (`## k8s/run-as-non-root` → `#k8srun-as-non-root`): lower case, characters other than letters,
 * digits, spaces, `-` and `_` dropped, spaces become `-`.
 */
export function ruleAnchor(ruleId: string): string {
  return ruleId
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Where a rule is documented, repository-relative with its anchor: docs/POLICIES.md has a heading
 * for every policy and for every rule of the gate's own catalogue.
 */
export function ruleDoc(ruleId: string): string {
  return `${POLICIES_DOC}#${ruleAnchor(ruleId)}`;
}

export const POLICIES_DOC = 'docs/POLICIES.md';

/** A repository-relative path as a relative URI reference; an absolute path as a file URI. */
function artifactLocation(file: string, repoRoot: string): Record<string, string> {
  const shown = displayPath(repoRoot, file);
  if (isOutside(shown)) return { uri: pathToFileURL(shown).href };
  const uri = shown
    .split(/[\\/]/)
    .map((segment) => (segment === '..' || segment === '.' ? segment : encodeURIComponent(segment)))
    .join('/');
  return { uri, uriBaseId: SRCROOT };
}

function physicalLocation(loc: Location, repoRoot: string): Record<string, unknown> {
  return {
    artifactLocation: artifactLocation(loc.file, repoRoot),
    region: { startLine: loc.line, startColumn: loc.column },
  };
}

function fingerprintKey(f: Finding): string {
  const subject =
    f.resource !== null
      ? `${f.resource.apiVersion}|${f.resource.kind}|${f.resource.namespace ?? ''}|${f.resource.name}`
      : `file:${f.location?.file ?? ''}`;
  return [f.ruleId, f.target, subject, f.field ?? `message:${f.message}`].join('\u0000');
}

export function formatSarif(report: Report, opts: SarifOptions): string {
  const findings = sortFindings(report.findings);

  const rules = new Map<string, { title: string; severity: Severity }>();
  for (const r of opts.rules ?? []) rules.set(r.id, { title: r.title, severity: r.severity });
  for (const f of findings) {
    if (rules.has(f.ruleId)) continue;
    const gate = gateRule(f.ruleId);
    rules.set(f.ruleId, gate ? { title: gate.title, severity: gate.severity } : { title: f.ruleId, severity: f.severity });
  }
  const ruleIds = [...rules.keys()].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i] as const));

  const descriptors = ruleIds.map((id) => {
    const info = rules.get(id) ?? { title: id, severity: 'error' as Severity };
    const doc = ruleDoc(id);
    const descriptor: Record<string, unknown> = {
      id,
      shortDescription: { text: info.title },
      defaultConfiguration: { level: LEVEL[info.severity] },
      help: { text: `See ${doc}`, markdown: `See [${id}](${doc}).` },
    };
    if (opts.helpBaseUri !== undefined && opts.helpBaseUri !== '') {
      const base = opts.helpBaseUri.endsWith('/') ? opts.helpBaseUri : `${opts.helpBaseUri}/`;
      descriptor.helpUri = `${base}${doc}`;
    }
    return descriptor;
  });

  const seen = new Map<string, number>();
  const results = findings.map((f) => {
    const key = fingerprintKey(f);
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    const hash = createHash('sha256').update(key).digest('hex');

    const location =
      f.location !== null
        ? { physicalLocation: physicalLocation(f.location, opts.repoRoot) }
        : { physicalLocation: { artifactLocation: artifactLocation(f.target, opts.repoRoot) } };

    const result: Record<string, unknown> = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [location],
    };
    const related = f.related ?? [];
    if (related.length > 0) {
      result.relatedLocations = related.map((r, i) => ({
        id: i + 1,
        physicalLocation: physicalLocation(r, opts.repoRoot),
        message: { text: r.message },
      }));
    }
    result.partialFingerprints = { [FINGERPRINT_KEY]: occurrence === 1 ? hash : `${hash}:${occurrence}` };
    const properties: Record<string, unknown> = { target: f.target };
    if (f.resource !== null) properties.resource = { ...f.resource };
    if (f.field !== null) properties.field = f.field;
    result.properties = properties;
    return result;
  });

  const driver: Record<string, unknown> = { name: DRIVER_NAME };
  if (opts.toolVersion !== undefined) driver.version = opts.toolVersion;
  driver.rules = descriptors;

  const s = report.summary;
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        invocations: [{ executionSuccessful: !s.incomplete }],
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri(opts.repoRoot) } },
        columnKind: 'utf16CodeUnits',
        results,
        properties: {
          targets: s.targets,
          resources: s.resources,
          waived: s.waived,
          incomplete: s.incomplete,
          tools: { ...s.tools },
        },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function rootUri(repoRoot: string): string {
  const href = pathToFileURL(path.resolve(repoRoot)).href;
  return href.endsWith('/') ? href : `${href}/`;
}
