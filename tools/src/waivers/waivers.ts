/**
 * Waivers: expiring, owned exceptions in policies/waivers.yaml. An expired waiver is an error, a
 * waiver that matches nothing is a warning, a malformed one is an input error. Dates are computed
 * here (the wasm runtime has no time.*) with an injectable clock.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FileCache } from '../util/cache.js';
import { asObject, locateField } from '../util/yaml.js';
import type { Finding } from '../pipeline/types.js';

export const WAIVERS_FILE = 'policies/waivers.yaml';

export interface Waiver {
  rule: string;
  resource: { kind: string; name: string; namespace?: string } | null;
  container?: string;
  target?: string;
  /** For a file finding (Dockerfile, compose file): the file it is about. */
  file?: string;
  owner: string;
  reason: string;
  expires: string;
  line: number;
}

export interface WaiverResult {
  kept: Finding[];
  waived: number;
  /** Expired, unused and malformed waivers. */
  findings: Finding[];
}

function loc(line: number, column = 1) {
  return { file: WAIVERS_FILE, line, column };
}

export function loadWaivers(repoRoot: string, cache: FileCache = new FileCache()): { waivers: Waiver[]; problems: Finding[] } {
  const abs = path.join(repoRoot, WAIVERS_FILE);
  if (!existsSync(abs)) return { waivers: [], problems: [] };
  const read = cache.read(abs);
  if (read.parsed === null) {
    return { waivers: [], problems: [{ ruleId: 'input/unreadable', severity: 'error', message: `${WAIVERS_FILE}: cannot read (${read.error})`, target: WAIVERS_FILE, resource: null, location: loc(1), field: null }] };
  }
  const parsed = read.parsed;
  const problems: Finding[] = parsed.problems.map((p) => ({
    ruleId: 'input/yaml', severity: 'error', message: `${WAIVERS_FILE}: ${p.message}`, target: WAIVERS_FILE,
    resource: null, location: loc(p.line, p.column), field: null,
  }));
  const doc = parsed.docs[0];
  if (!doc || doc.value === null) return { waivers: [], problems };
  const listed = asObject(doc.value)?.waivers;
  if (!Array.isArray(listed)) {
    problems.push({
      ruleId: 'input/waiver', severity: 'error', target: WAIVERS_FILE, resource: null, location: loc(doc.line, doc.column), field: null,
      message: `${WAIVERS_FILE} must hold a mapping with a 'waivers:' list (an empty one is 'waivers: []')`,
    });
    return { waivers: [], problems };
  }
  const waivers: Waiver[] = [];
  listed.forEach((item, i) => {
    const { line } = locateField(doc.doc, parsed.lineCounter, `waivers[${i}]`);
    const w = asObject(item) ?? {};
    const missing = ['rule', 'owner', 'reason', 'expires'].filter((k) => typeof w[k] !== 'string');
    const expires = String(w.expires ?? '');
    if (missing.length > 0 || !/^\d{4}-\d{2}-\d{2}$/.test(expires)) {
      problems.push({
        ruleId: 'input/waiver', severity: 'error', target: WAIVERS_FILE, resource: null, location: loc(line), field: null,
        message: missing.length > 0
          ? `waiver #${i + 1} lacks ${missing.join(', ')}: every waiver needs rule, owner, reason and expires (YYYY-MM-DD)`
          : `waiver #${i + 1}: expires must be a date YYYY-MM-DD, found '${expires}'`,
      });
      return;
    }
    const res = asObject(w.resource);
    if (!(res && typeof res.kind === 'string' && typeof res.name === 'string') && typeof w.file !== 'string') {
      problems.push({
        ruleId: 'input/waiver', severity: 'error', target: WAIVERS_FILE, resource: null, location: loc(line), field: null,
        message: `waiver #${i + 1} names no resource ({kind, name}) and no file: a waiver covers one thing, never a whole rule`,
      });
      return;
    }
    waivers.push({
      rule: String(w.rule), owner: String(w.owner), reason: String(w.reason), expires, line,
      resource: res && typeof res.kind === 'string' && typeof res.name === 'string'
        ? { kind: res.kind, name: res.name, ...(typeof res.namespace === 'string' ? { namespace: res.namespace } : {}) }
        : null,
      ...(typeof w.container === 'string' ? { container: w.container } : {}),
      ...(typeof w.target === 'string' ? { target: w.target } : {}),
      ...(typeof w.file === 'string' ? { file: w.file } : {}),
    });
  });
  return { waivers, problems };
}

export function waiverMatches(w: Waiver, f: Finding): boolean {
  if (w.rule !== f.ruleId) return false;
  if (w.target !== undefined && w.target !== f.target) return false;
  if (w.resource) {
    if (!f.resource || f.resource.kind !== w.resource.kind || f.resource.name !== w.resource.name) return false;
    if (w.resource.namespace !== undefined && w.resource.namespace !== f.resource.namespace) return false;
  }
  if (w.file !== undefined && f.location?.file !== w.file) return false;
  if (w.container !== undefined && f.container !== w.container) return false;
  return w.resource !== null || w.file !== undefined;
}

/** Applies waivers to findings. `today` is YYYY-MM-DD (injectable clock). */
export function applyWaivers(findings: Finding[], waivers: Waiver[], today: string, reportUnused = true): WaiverResult {
  const used = new Set<Waiver>();
  const out: WaiverResult = { kept: [], waived: 0, findings: [] };
  const active = waivers.filter((w) => w.expires >= today);
  for (const f of findings) {
    const w = f.severity === 'info' ? undefined : active.find((x) => waiverMatches(x, f));
    if (w) {
      used.add(w);
      out.waived += 1;
    } else out.kept.push(f);
  }
  for (const w of waivers) {
    const what = w.resource ? `${w.resource.kind}/${w.resource.name}` : w.file ?? '?';
    if (w.expires < today) {
      out.findings.push({
        ruleId: 'waiver/expired', severity: 'error', target: WAIVERS_FILE, resource: null, location: loc(w.line), field: null,
        message: `waiver of ${w.rule} for ${what} (owner ${w.owner}) expired on ${w.expires}: fix the finding or renew the waiver with a new reason`,
      });
    } else if (reportUnused && !used.has(w)) {
      out.findings.push({
        ruleId: 'waiver/unused', severity: 'warning', target: WAIVERS_FILE, resource: null, location: loc(w.line), field: null,
        message: `waiver of ${w.rule} for ${what} (owner ${w.owner}) matches no finding: remove it`,
      });
    }
  }
  return out;
}
