#!/usr/bin/env node
// The `gitops` command. The TypeScript sources under tools/src are compiled to tools/dist by
// `npm ci` (the prepare script) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write("gitops: the toolchain is not built (tools/dist/cli.js is missing): run 'npm ci' or 'npm run build'\n");
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
