import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../util/config.js';
import { UsageError } from '../util/errors.js';
import { diffClusters, diffComments } from '../render/diff.js';
import { parse } from './args.js';

const HELP = `Usage: gitops diff --base REF [--out DIR]

Renders every cluster's whole state (gitops render: kustomize paths and pinned Helm charts from
.cache/charts) at git REF and in the working tree, and shows what changes, resource by resource,
as Markdown. A chart bump shows as the rendered objects that change. The output is split into
comments under GitHub's 65,536-character limit.

  --out DIR   write DIR/comment-1.md, comment-2.md ... and DIR/render.diff (every change whole),
              and print changed=N and comments=M (for $GITHUB_OUTPUT); without it, print the
              comments to stdout
`;

export async function run(args: string[], cwd: string): Promise<number> {
  const { values, positionals } = parse(args, { base: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, false);
  void positionals;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.base) throw new UsageError('gitops diff needs --base REF (e.g. --base origin/main)');
  const repoRoot = findRepoRoot(cwd);
  const diffs = await diffClusters(repoRoot, values.base, values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`));
  const comments = diffComments(diffs);
  const changed = diffs.reduce((n, d) => n + d.changes.length, 0);
  if (values.out) {
    const dir = path.resolve(cwd, values.out);
    mkdirSync(dir, { recursive: true });
    comments.forEach((c, i) => writeFileSync(path.join(dir, `comment-${i + 1}.md`), c));
    writeFileSync(path.join(dir, 'render.diff'), diffs.flatMap((d) => d.changes.map((c) => c.diff)).join('\n'));
    process.stdout.write(`changed=${changed}\ncomments=${comments.length}\n`);
  } else {
    process.stdout.write(comments.join('\n'));
  }
  return 0;
}
