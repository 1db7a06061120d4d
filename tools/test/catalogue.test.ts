/**
 * The catalogue of the gate's own rule ids: every id the gate can emit is in it (or is a policy of
 * the bundle), and every SARIF help link lands on a heading that exists in the generated docs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../src/policy/bundle.js';
import { GATE_RULES } from '../src/report/catalogue.js';
import { formatReport, ruleAnchor } from '../src/report/index.js';
import type { Finding, Report } from '../src/pipeline/types.js';
import { REPO } from './helpers.js';

const SRC = path.join(REPO, 'tools/src');
const catalogued = new Set(GATE_RULES.map((r) => r.id));
const policies = readBundle(REPO).manifest.rules;
const known = new Set([...catalogued, ...policies.map((r) => r.id)]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

/** String literals of tools/src shaped like a rule id (`ns/kebab-name`) that are paths or names instead. */
const NOT_RULE_IDS = new Set(['schemas/crds', 'library/node', 'policies/build', 'main/findings', 'example/prometheus-operator-crd', 'deploy/crds', 'overlays/dev', 'application/json', 'base/gatekeeper-policies']);

describe('the catalogue of gate-emitted rule ids', () => {
  it('holds every rule id literal of the gate sources', () => {
    const emitted = new Map<string, string>();
    for (const file of sources(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`]([a-z][a-z0-9]*\/[a-z0-9]+(?:-[a-z0-9]+)*)['"`]/g)) {
        // API versions (apps/v1, autoscaling/v2) have the same shape.
        if (!NOT_RULE_IDS.has(m[1]!) && !/\/v\d+((alpha|beta)\d+)?$/.test(m[1]!)) emitted.set(m[1]!, path.relative(REPO, file));
      }
    }
    expect(emitted.size).toBeGreaterThanOrEqual(25);
    const missing = [...emitted].filter(([id]) => !known.has(id)).map(([id, file]) => `${id} (${file})`);
    expect(missing).toEqual([]);
  });

  it('holds every rule id of the snapshot reports', () => {
    for (const name of ['repository.json', 'seed.json']) {
      const report = JSON.parse(readFileSync(path.join(REPO, 'tools/test/fixtures/report-snapshot', name), 'utf8')) as Report;
      const missing = [...new Set(report.findings.map((f) => f.ruleId))].filter((id) => !known.has(id));
      expect(missing, name).toEqual([]);
    }
  });

  it('gives each id one entry, and incomplete to exactly the input/ and tool/ errors', () => {
    expect(catalogued.size).toBe(GATE_RULES.length);
    for (const r of GATE_RULES) expect(r.incomplete, r.id).toBe(/^(input|tool)\//.test(r.id));
  });

  it('links every SARIF rule descriptor to a heading that exists in the generated docs', () => {
    const findings: Finding[] = GATE_RULES.map((r) => ({
      ruleId: r.id, severity: r.severity, message: r.title, target: '.', resource: null, location: null, field: null,
    }));
    const report: Report = {
      version: 1,
      summary: { targets: 1, resources: 0, errors: 0, warnings: 0, waived: 0, incomplete: false, durationMs: 0, tools: {} },
      findings,
    };
    const sarif = JSON.parse(formatReport(report, 'sarif', { color: false, repoRoot: REPO, rules: policies, helpBaseUri: 'https://example.invalid/blob/main' })) as {
      runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri: string }> } } }>;
    };
    const descriptors = sarif.runs[0]!.tool.driver.rules;
    expect(descriptors.length).toBe(known.size);
    const anchors = new Map<string, Set<string>>();
    const broken: string[] = [];
    for (const d of descriptors) {
      const [doc, anchor] = d.helpUri.replace('https://example.invalid/blob/main/', '').split('#') as [string, string];
      if (!anchors.has(doc)) {
        const headings = readFileSync(path.join(REPO, doc), 'utf8').split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => ruleAnchor(l.replace(/^#+ /, '')));
        anchors.set(doc, new Set(headings));
      }
      if (!anchors.get(doc)!.has(anchor)) broken.push(`${d.id}: ${d.helpUri}`);
    }
    expect(broken).toEqual([]);
  });
});
