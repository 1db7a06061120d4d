#!/usr/bin/env node
// Prefixes each line of stdin with the seconds since it started and, at the end, lists every gap
// of GAP_SECONDS (default 10) or more between two lines, longest first: how long a log stayed
// silent, and between which lines. Used by tools/bin/fresh-machine.sh (docs/performance.md).
import readline from 'node:readline';

const limit = Number(process.env.GAP_SECONDS ?? 10) * 1000;
const t0 = Date.now();
let last = t0;
let lastLine = '(start)';
let longest = 0;
const gaps = [];
const secs = (ms) => (ms / 1000).toFixed(1);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const now = Date.now();
  longest = Math.max(longest, now - last);
  if (now - last >= limit) gaps.push({ at: last - t0, ms: now - last, after: lastLine, before: line });
  last = now;
  lastLine = line;
  process.stdout.write(`[${secs(now - t0).padStart(7)}] ${line}\n`);
}).on('close', () => {
  process.stdout.write(`== total ${secs(Date.now() - t0)} s, longest silence ${secs(longest)} s, ${gaps.length} gap(s) of ${secs(limit)} s or more\n`);
  for (const g of gaps.sort((a, b) => b.ms - a.ms)) {
    process.stdout.write(`== ${secs(g.ms)} s silent from ${secs(g.at)} s\n   after:  ${g.after.slice(0, 160)}\n   before: ${g.before.slice(0, 160)}\n`);
  }
});
