import { findRepoRoot } from '../util/config.js';
import { runBench, formatBench } from '../maintain/bench.js';
import { parse } from './args.js';

const HELP = `Usage: gitops bench [--runs N] [--json] [--no-apiserver]

Measures 'gitops validate' on the whole repository against kubeconform (schemas only) and
conftest (the same Rego policies, the same inputs) run on the same rendered input in the same
run, and prints the ratios (median of N runs, default 5). Wall-clock figures depend on the
machine; the ratios are what to compare between commits. See docs/performance.md.
It also times one whole-repository run with --apiserver and reports what that stage adds
(needs 'npx gitops setup --for apiserver'; --no-apiserver leaves it out).
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values } = parse(args, { runs: { type: 'string' }, json: { type: 'boolean' }, 'no-apiserver': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, false);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const runs = values.runs === undefined ? 5 : Number(values.runs);
  const result = await runBench(findRepoRoot(cwd), Number.isInteger(runs) && runs > 0 ? runs : 5, (l) => process.stderr.write(`${l}\n`), { apiserver: !values['no-apiserver'] });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatBench(result));
  return 0;
}
