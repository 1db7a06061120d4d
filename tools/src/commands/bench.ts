import path from 'node:path';
import { findRepoRoot } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { runBench, formatBench } from '../maintain/bench.js';
import { DEFAULT_SIZES, formatScale, runScaleBench, writeScale } from '../maintain/bench-scale.js';
import { parse } from './args.js';

const HELP = `Usage: gitops bench [--runs N] [--json] [--no-apiserver]
       gitops bench --scale [--sizes 100,1000,3000,10000] [--layout overlays|folder] [--out DIR]
                    [--conftest-budget SECONDS] [--json]

Measures 'gitops validate' on the whole repository against kubeconform (schemas only) and
conftest (the same Rego policies, the same inputs) run on the same rendered input in the same
run, and prints the ratios (median of N runs, default 5). It also times one whole-repository run
with --apiserver and reports what that stage adds (needs 'npx gitops setup --for apiserver';
--no-apiserver leaves it out).

--scale: the same comparison on synthetic trees of 100 to 10,000 objects (ten per app), laid out
as many overlays (100 objects each) and as one plain folder, in CPU seconds and the gate's peak
memory; writes scale.json and scale.svg to DIR (default docs/performance). 'npm run bench' runs
this. conftest grows faster than linearly on one large folder: a run stopped at
--conftest-budget (default 900 s) is reported as a lower bound. Figures depend on the machine;
the ratios are what to compare. See docs/performance.md.
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values } = parse(args, {
    runs: { type: 'string' }, json: { type: 'boolean' }, 'no-apiserver': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    scale: { type: 'boolean' }, sizes: { type: 'string' }, layout: { type: 'string' }, out: { type: 'string' }, 'conftest-budget': { type: 'string' },
  }, false);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const repoRoot = findRepoRoot(cwd);
  const log = (l: string) => process.stderr.write(`${l}\n`);
  if (values.scale) {
    const sizes = values.sizes === undefined ? DEFAULT_SIZES : values.sizes.split(',').map(Number);
    if (sizes.some((n) => !Number.isInteger(n) || n < 10)) throw new UsageError(`--sizes must be whole numbers of at least 10, found '${values.sizes}'`);
    if (values.layout !== undefined && !['overlays', 'folder'].includes(values.layout)) throw new UsageError(`--layout must be overlays or folder, found '${values.layout}'`);
    const layouts = values.layout === undefined ? undefined : [values.layout as 'overlays' | 'folder'];
    const budget = values['conftest-budget'] === undefined ? undefined : Number(values['conftest-budget']);
    if (budget !== undefined && !(budget > 0)) throw new UsageError(`--conftest-budget must be a number of seconds, found '${values['conftest-budget']}'`);
    const result = await runScaleBench(repoRoot, { sizes, layouts, log, conftestBudgetSeconds: budget });
    const written = writeScale(result, path.resolve(cwd, values.out ?? path.join(repoRoot, 'docs', 'performance')));
    log(`wrote ${written.map((f) => path.relative(cwd, f)).join(', ')}`);
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatScale(result));
    return 0;
  }
  const runs = values.runs === undefined ? 5 : Number(values.runs);
  const result = await runBench(repoRoot, Number.isInteger(runs) && runs > 0 ? runs : 5, log, { apiserver: !values['no-apiserver'] });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatBench(result));
  return 0;
}
