/**
 * `gitops diff --base REF`: every cluster's whole state (renderCluster: kustomize paths and Helm
 * charts) at REF and in the working tree, compared resource by resource, as Markdown comments that
 * each stay under GitHub's 65,536-character limit. The base tree is extracted with `git archive`
 * into a temporary folder outside the repository and rendered with this tree's tools and chart cache.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeTempDir, runTool, tempDir } from '../util/process.js';
import { stringify } from 'yaml';
import { exportRevision, removeRevision } from '../util/revision.js';
import { UsageError } from '../util/errors.js';
import { CHARTS_CACHE } from './helm-lock.js';
import { renderCluster, type ClusterObject, type ClusterState } from './cluster.js';

export const GITHUB_COMMENT_LIMIT = 65536;
export const MARKER = '<!-- gitops-render-diff -->';

export interface ResourceChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
  /** Where it comes from at the head (or base, when removed): chart name and version, or path. */
  via: string;
  diff: string;
}

export interface ClusterDiff {
  cluster: string;
  changes: ResourceChange[];
  /** Charts that are not rendered at one side: their changes cannot be shown. */
  notes: string[];
}

function keyOf(o: ClusterObject): string {
  return `${o.ref.kind} ${o.ref.namespace ? `${o.ref.namespace}/` : ''}${o.ref.name} (${o.ref.apiVersion})`;
}

function viaOf(o: ClusterObject): string {
  return o.chart ? `chart ${o.chart.chart} ${o.chart.version}${o.chart.template ? ` ${o.chart.template}` : ''}` : (o.path ?? '');
}

function listClusters(root: string): string[] {
  try {
    return readdirSync(path.join(root, 'clusters'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(root, 'clusters', d.name, 'kustomization.yaml')))
      .map((d) => `clusters/${d.name}`);
  } catch {
    return [];
  }
}

async function unifiedDiff(dir: string, label: string, a: string, b: string): Promise<string> {
  const fa = path.join(dir, 'a.yaml');
  const fb = path.join(dir, 'b.yaml');
  writeFileSync(fa, a);
  writeFileSync(fb, b);
  const r = await runTool('diff', ['-u', '--label', `a/${label}`, '--label', `b/${label}`, fa, fb], { timeoutMs: 60_000 });
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new UsageError(`diff failed: ${r.stderr || r.startError || 'no output'}`);
  return r.stdout;
}

function unrenderedOf(state: ClusterState): string[] {
  return state.charts.filter((c) => !c.rendered).map((c) => `${c.chart} ${c.version}`);
}

/** Compares two renders of one cluster, resource by resource. */
export async function diffStates(base: ClusterState, head: ClusterState): Promise<ClusterDiff> {
  const tmp = tempDir('gitops-diff-');
  try {
    const a = new Map(base.objects.map((o) => [keyOf(o), o]));
    const b = new Map(head.objects.map((o) => [keyOf(o), o]));
    const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
    const changes: ResourceChange[] = [];
    for (const key of keys) {
      const x = a.get(key);
      const y = b.get(key);
      const tx = x ? stringify(x.object, { lineWidth: 0 }) : '';
      const ty = y ? stringify(y.object, { lineWidth: 0 }) : '';
      if (tx === ty) continue;
      changes.push({ key, change: !x ? 'added' : !y ? 'removed' : 'changed', via: viaOf((y ?? x)!), diff: await unifiedDiff(tmp, key.replace(/[^\w.-]+/g, '_'), tx, ty) });
    }
    const missing = [...new Set([...unrenderedOf(base), ...unrenderedOf(head)])].sort();
    const notes = missing.length > 0 ? [`not rendered at base or head, so their changes are not shown (gitops charts fetch --pull fills the cache): ${missing.join(', ')}`] : [];
    return { cluster: head.cluster || base.cluster, changes, notes };
  } finally {
    removeTempDir(tmp);
  }
}

/** Renders every cluster at REF and in the working tree of repoRoot and compares them. */
export async function diffClusters(repoRoot: string, ref: string, progress: (line: string) => void = () => {}): Promise<ClusterDiff[]> {
  const base = await exportRevision(repoRoot, ref);
  if (!base.ok) throw new UsageError(`--base ${ref}: ${base.error}`);
  const tree = base.dir;
  try {
    const clusters = [...new Set([...listClusters(tree), ...listClusters(repoRoot)])].sort();
    const out: ClusterDiff[] = [];
    for (const c of clusters) {
      progress(`diff: ${c}`);
      const empty: ClusterState = { cluster: c, objects: [], charts: [], findings: [], incomplete: false };
      const base = existsSync(path.join(tree, c)) ? await renderCluster(tree, c, { cacheDir: path.join(repoRoot, CHARTS_CACHE), toolsRoot: repoRoot }) : empty;
      const head = existsSync(path.join(repoRoot, c)) ? await renderCluster(repoRoot, c) : empty;
      out.push(await diffStates(base, head));
    }
    return out;
  } finally {
    removeRevision(tree);
  }
}

/** Markdown comments, each under the limit: whole resources where they fit, a long one cut with a note. */
export function diffComments(diffs: ClusterDiff[], limit = GITHUB_COMMENT_LIMIT): string[] {
  const header = (n: number) => `${MARKER}\n### Rendered changes per cluster${n > 1 ? ` (part ${n})` : ''}\n\n`;
  const margin = 400;
  const sections: string[] = [];
  const changed = diffs.filter((d) => d.changes.length > 0);
  if (changed.length === 0) sections.push(`No rendered change in ${diffs.length} clusters (kustomize paths and rendered Helm charts).\n`);
  for (const d of diffs) {
    if (d.changes.length === 0 && d.notes.length === 0) continue;
    sections.push(`#### \`${d.cluster}\`: ${d.changes.length} resources changed\n\n${d.notes.map((n) => `- ${n}\n`).join('')}${d.notes.length ? '\n' : ''}`);
    for (const c of d.changes) {
      const head = `<details><summary><code>${c.key}</code> ${c.change} (${c.via})</summary>\n\n\`\`\`diff\n`;
      const tail = '```\n\n</details>\n\n';
      const room = limit - header(9).length - head.length - tail.length - margin;
      const body = c.diff.length > room ? `${c.diff.slice(0, room).replace(/\n[^\n]*$/, '')}\n… cut to fit GitHub's comment limit: the whole diff is in the workflow's artifact\n` : `${c.diff}\n`;
      sections.push(`${head}${body}${tail}`);
    }
  }
  const comments: string[] = [];
  let cur = '';
  for (const s of sections) {
    if (cur !== '' && header(comments.length + 1).length + cur.length + s.length > limit - margin) {
      comments.push(cur);
      cur = '';
    }
    cur += s;
  }
  if (cur !== '') comments.push(cur);
  return comments.map((c, i) => `${header(i + 1)}${c}`);
}
