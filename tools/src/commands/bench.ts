import path from 'node:path';
import { findRepoRoot } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { runBench, formatBench } from '../maintain/bench.js';
import { DEFAULT_SIZES, formatScale, runScaleBench, writeScale } from '../maintain/bench-scale.js';
import { DEFAULT_HOOK_FILE, formatHookBench, runHookBench, writeHookBench, type HookEdit } from '../maintain/bench-hook.js';
import { parse } from './args.js';

const HELP = `Usage: gitops bench [--runs N] [--json] [--no-apiserver]
       gitops bench --scale [--sizes 100,1000,3000,10000] [--layout overlays|folder] [--out DIR]
                    [--conftest-budget SECONDS] [--json]
       gitops bench --hook [--runs N] [--hook-file FILE] [--hook-edit LINE=TEXT] [--out DIR] [--json]

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

--hook: the pre-commit path. In a temporary copy of the committed tree (its own git repository,
outside this one; pinned tools, node_modules, the built gate and the charts linked), one untimed
whole run warms the caches, then a one-line change to FILE (default ${DEFAULT_HOOK_FILE}: its
first 'periodSeconds: N' becomes N + 1; --hook-edit replaces line LINE with TEXT) is staged and
'gitops validate --changed --staged' (the husky hook, node started with the options of
.husky/pre-commit) and 'gitops validate' (the whole repository; once more with the hook's node
options when it has some, for comparison) each run N times (default 3) from the same warm caches.
Reports median wall and CPU time, hook / whole ratios and the acceptance verdicts (ratio at most
0.25, hook under 1 s); writes hook.json to DIR (default docs/performance). Exits 1 when the hook
reports a finding the whole run does not (on the hook's targets and run-wide), exits otherwise than
the whole run's findings there imply, or the whole run judges otherwise with the hook's node
options (each a gate bug). 'npm run bench' runs this.
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values } = parse(args, {
    runs: { type: 'string' }, json: { type: 'boolean' }, 'no-apiserver': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    scale: { type: 'boolean' }, sizes: { type: 'string' }, layout: { type: 'string' }, out: { type: 'string' }, 'conftest-budget': { type: 'string' },
    hook: { type: 'boolean' }, 'hook-file': { type: 'string' }, 'hook-edit': { type: 'string' },
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
  if (values.hook) {
    const runs = values.runs === undefined ? 3 : Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs must be a whole number of at least 1, found '${values.runs}'`);
    const edit: HookEdit = { file: values['hook-file'] ?? DEFAULT_HOOK_FILE };
    if (values['hook-edit'] !== undefined) {
      const m = /^(\d+)=(.*)$/.exec(values['hook-edit']);
      if (!m) throw new UsageError(`--hook-edit must be LINE=TEXT, found '${values['hook-edit']}'`);
      edit.line = Number(m[1]);
      edit.text = m[2];
    }
    const result = await runHookBench(repoRoot, { runs, edit, log });
    const written = writeHookBench(result, path.resolve(cwd, values.out ?? path.join(repoRoot, 'docs', 'performance')));
    log(`wrote ${path.relative(cwd, written)}`);
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatHookBench(result));
    return result.findings.consistent ? 0 : 1;
  }
  const runs = values.runs === undefined ? 5 : Number(values.runs);
  const result = await runBench(repoRoot, Number.isInteger(runs) && runs > 0 ? runs : 5, log, { apiserver: !values['no-apiserver'] });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatBench(result));
  return 0;
}
