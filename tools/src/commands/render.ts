import { stringify } from 'yaml';
import { findRepoRoot } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { annotated, clusterPathOf, renderCluster } from '../render/cluster.js';
import { parse } from './args.js';

const HELP = `Usage: gitops render CLUSTER [--require-charts]
       gitops render --cluster NAME

Prints the whole desired state of one cluster (clusters/NAME) as its Argo CD builds it: the
cluster's kustomization (root app-of-apps, AppProjects, Applications), every Application's
kustomize path, and every pinned Helm chart rendered with its values, release name and namespace
(from .cache/charts; never downloaded here). Each object carries gitops.funlynk.com/* annotations
saying where it came from. Charts that cannot be rendered are listed on stderr.

Exit codes: 0 rendered; 1 a chart has no lock entry or its values are wrong; 2 incomplete
(a render failed; with --require-charts also a chart that could not be rendered).
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values, positionals } = parse(args, { cluster: { type: 'string' }, 'require-charts': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const given = values.cluster ?? positionals[0];
  if (given === undefined || positionals.length > (values.cluster ? 0 : 1)) throw new UsageError('gitops render takes one cluster: gitops render clusters/prod (or --cluster prod)');
  const repoRoot = findRepoRoot(cwd);
  const cluster = clusterPathOf(repoRoot, cwd, given);
  if (cluster === null) throw new UsageError(`${given} is not a cluster: expected clusters/<name> with a kustomization`);
  const state = await renderCluster(repoRoot, cluster, { requireCharts: values['require-charts'] === true });
  process.stdout.write(state.objects.map((o) => `---\n${stringify(annotated(repoRoot, o), { lineWidth: 0 })}`).join(''));
  const rendered = state.charts.filter((c) => c.rendered).length;
  process.stderr.write(`render: ${cluster}: ${state.objects.length} objects; charts: ${rendered} rendered, ${state.charts.length - rendered} unrendered\n`);
  for (const f of state.findings) {
    const where = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}: ` : '';
    process.stderr.write(`  ${where}${f.severity} ${f.ruleId}: ${f.message}\n`);
  }
  if (state.incomplete) return 2;
  return state.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
