/**
 * `gator verify` suites from the policies' own fixtures, with the expected verdicts taken from the
 * wasm bundle: for every admission rule, every object of each of its allowed and denied fixtures
 * is one case whose assertions are the wasm bundle's violations of that rule on that object (their
 * count, and each message). `gator verify` passing means the ConstraintTemplate and the bundle agree.
 *
 * The inventory of a case is the fixture's other objects of the kinds the rule declares it reads
 * (METADATA `reads`), as Gatekeeper's Config replicates them; so a rule that reads more than it
 * declares fails here.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { RuleMeta } from './bundle.js';
import type { PolicyEngine } from './evaluate.js';
import { resourcesFromDocs } from '../inputs/kubernetes.js';
import { parseYaml } from '../util/yaml.js';
import { constraintName, type TemplateObject } from './gatekeeper.js';

export interface GatorCase {
  rule: string;
  fixture: string;
  object: string;
  violations: string[];
}

export interface GatorSuites {
  /** The suite files written (absolute). */
  suites: string[];
  cases: GatorCase[];
}

function escapeRegex(text: string): string {
  return `^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** Writes one suite per admission rule into `dir` (outside the repository) and returns what it expects. */
export function writeGatorSuites(repoRoot: string, dir: string, engine: PolicyEngine, templates: TemplateObject[]): GatorSuites {
  const suites: string[] = [];
  const cases: GatorCase[] = [];
  for (const t of templates) {
    const rule: RuleMeta = t.rule;
    const name = constraintName(rule.id);
    const ruleDir = path.join(dir, name);
    mkdirSync(ruleDir, { recursive: true });
    writeFileSync(path.join(ruleDir, 'template.yaml'), stringify(t.object, { lineWidth: 0, blockQuote: 'literal' }));
    const tests = new Map<string, { name: string; template: string; constraint: string; cases: unknown[] }>();
    const testFor = (env: string) => {
      let test = tests.get(env);
      if (test === undefined) {
        const constraint = {
          apiVersion: 'constraints.gatekeeper.sh/v1beta1',
          kind: t.kind,
          metadata: { name: `${name}-${env}` },
          spec: { match: { kinds: [{ apiGroups: ['*'], kinds: rule.kinds }] }, parameters: { env } },
        };
        writeFileSync(path.join(ruleDir, `constraint-${env}.yaml`), stringify(constraint));
        test = { name: `${rule.id} (${env})`, template: 'template.yaml', constraint: `constraint-${env}.yaml`, cases: [] };
        tests.set(env, test);
      }
      return test;
    };
    const fixtures = path.join(repoRoot, path.dirname(rule.file), 'fixtures');
    for (const expect of ['allowed', 'denied']) {
      const sub = path.join(fixtures, expect);
      if (!existsSync(sub)) continue;
      for (const file of readdirSync(sub).filter((f) => f.endsWith('.yaml')).sort()) {
        const abs = path.join(sub, file);
        const rel = path.relative(repoRoot, abs);
        const { resources } = resourcesFromDocs(parseYaml(readFileSync(abs, 'utf8')).docs, abs);
        const env = file.startsWith('dev-') ? 'dev' : 'prod';
        const objects = resources.map((r) => r.object);
        engine.setTarget({ name: rel, env, resources: objects });
        objects.forEach((obj, index) => {
          const base = `${expect}-${file.replace(/\.yaml$/, '')}-${index}`;
          writeFileSync(path.join(ruleDir, `${base}.yaml`), stringify(obj));
          const inventory = objects.filter((o, i) => i !== index && (rule.reads ?? []).includes(String(o.kind)));
          const inventoryFiles: string[] = [];
          if (inventory.length > 0) {
            writeFileSync(path.join(ruleDir, `${base}.inventory.yaml`), inventory.map((o) => stringify(o)).join('---\n'));
            inventoryFiles.push(`${base}.inventory.yaml`);
          }
          const violations = engine.evaluate({ kind: 'kubernetes', index, resource: obj }).filter((v) => v.ruleId === rule.id).map((v) => v.message);
          const counts = new Map<string, number>();
          violations.forEach((m) => counts.set(m, (counts.get(m) ?? 0) + 1));
          const assertions: unknown[] = [{ violations: violations.length }];
          for (const [message, n] of [...counts].sort()) assertions.push({ message: escapeRegex(message), violations: n });
          const metadata = (obj.metadata ?? {}) as { name?: string };
          testFor(env).cases.push({
            name: `${rel} #${index} ${String(obj.kind)}/${metadata.name ?? ''}`,
            object: `${base}.yaml`,
            ...(inventoryFiles.length > 0 ? { inventory: inventoryFiles } : {}),
            assertions,
          });
          cases.push({ rule: rule.id, fixture: rel, object: `${String(obj.kind)}/${metadata.name ?? ''}`, violations });
        });
      }
    }
    const suite = path.join(ruleDir, 'suite.yaml');
    writeFileSync(suite, stringify({ kind: 'Suite', apiVersion: 'test.gatekeeper.sh/v1alpha1', metadata: { name }, tests: [...tests.values()] }, { lineWidth: 0 }));
    suites.push(suite);
  }
  return { suites, cases };
}
