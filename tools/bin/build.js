#!/usr/bin/env node
// Compiles tools/src into tools/dist with the project's TypeScript: `node tools/bin/build.js
// [tsc arguments]` runs `tsc` with those arguments (the npm scripts pass -p tsconfig.json). tsc
// prints nothing until it is done, and on a busy machine a cold compile takes over 10 s (measured
// in docs/performance.md, "Fresh machine"), so while it runs this prints a line to stderr every
// 5 s; a fast compile prints nothing of its own. tsc's output and exit code pass through.
// Plain JavaScript on purpose: it runs before tools/dist exists (npm ci's prepare script).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const EVERY_MS = Number(process.env.GITOPS_BUILD_PROGRESS_MS) > 0 ? Number(process.env.GITOPS_BUILD_PROGRESS_MS) : 5000;
const args = process.argv.slice(2);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const started = Date.now();
const child = spawn(process.execPath, [tsc, ...args], { stdio: 'inherit' });
const timer = setInterval(() => {
  const s = Math.floor((Date.now() - started) / 1000);
  process.stderr.write(`build: compiling with tsc ${args.join(' ')}, ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s\n`);
}, EVERY_MS);
const forward = (signal) => () => child.kill(signal);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward(signal));
child.on('error', (err) => {
  clearInterval(timer);
  process.stderr.write(`build: could not run tsc (${tsc}): ${err.message}\n`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  clearInterval(timer);
  if (signal !== null) {
    process.stderr.write(`build: tsc was stopped by ${signal}\n`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
