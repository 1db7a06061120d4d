import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../util/config.js';
import { readBundle } from '../policy/bundle.js';
import { POLICIES_DOC, renderPoliciesDoc } from '../maintain/policydocs.js';
import { parse } from './args.js';

const HELP = `Usage: gitops docs [--check]

Writes ${POLICIES_DOC} from the policies' METADATA (read from the built bundle, so run
'gitops policy build' first). --check writes nothing and exits 1 when the file is stale.
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values } = parse(args, { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, false);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const repoRoot = findRepoRoot(cwd);
  const text = renderPoliciesDoc(readBundle(repoRoot).manifest.rules);
  const file = path.join(repoRoot, POLICIES_DOC);
  if (values.check) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${POLICIES_DOC} is stale: run 'npx gitops docs' and commit it\n`);
      return 1;
    }
    process.stderr.write(`${POLICIES_DOC} is up to date\n`);
    return 0;
  }
  writeFileSync(file, text);
  process.stderr.write(`wrote ${POLICIES_DOC}\n`);
  return 0;
}
