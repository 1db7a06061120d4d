import { mkdirSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RuleMeta } from '../policy/bundle.js';
import { admissionRules, generateGatekeeper, staleFiles } from '../policy/gatekeeper.js';

/** Writes what `generateGatekeeper` returns (only files whose content changed) and deletes stale ones. */
export function writeGatekeeper(repoRoot: string, rules: RuleMeta[]): void {
  const out = generateGatekeeper(repoRoot, rules);
  let changed = 0;
  for (const [rel, content] of out.files) {
    const abs = path.join(repoRoot, rel);
    if (existsSync(abs) && readFileSync(abs, 'utf8') === content) continue;
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    changed += 1;
  }
  const stale = staleFiles(repoRoot, out);
  for (const rel of stale) rmSync(path.join(repoRoot, rel));
  const admission = admissionRules(rules).length;
  process.stderr.write(`policy: gatekeeper: ${admission} admission rules (${rules.length - admission} CI-only), ${out.files.size} files (${changed} changed, ${stale.length} removed)\n`);
}
