/**
 * `gitops schemas sync [--kubernetes-version X.Y.Z]`: regenerates schemas/ from pinned registry
 * packages (see docs/schemas.md). Progress goes to stderr. Exit 0 on success; 2 when a download
 * or conversion fails (bad usage is a UsageError for the top-level handler, also exit 2).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../util/errors.js';
import { CrdConversionError } from '../schema/convert.js';
import { syncSchemas, SyncError } from '../maintain/schema-sync.js';

/** The nearest folder at or above `cwd` that holds gitops.yaml (the repository root). */
function findRoot(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, 'gitops.yaml'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(cwd);
    dir = up;
  }
}

export async function run(args: string[], cwd: string): Promise<number> {
  let kubernetesVersion: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--kubernetes-version' || arg.startsWith('--kubernetes-version=')) {
      kubernetesVersion = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!kubernetesVersion || !/^\d+\.\d+\.\d+$/.test(kubernetesVersion)) {
        throw new UsageError('--kubernetes-version needs a version like 1.35.0');
      }
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write('usage: gitops schemas sync [--kubernetes-version X.Y.Z]\n');
      return 0;
    } else {
      throw new UsageError(`schemas sync: unknown argument '${arg}'`);
    }
  }
  const root = findRoot(cwd);
  try {
    const result = await syncSchemas({
      cwd: root,
      kubernetesVersion,
      log: (line) => process.stderr.write(`schemas: ${line}\n`),
    });
    process.stderr.write(
      `schemas: Kubernetes ${result.kubernetesVersion}, ${result.sources.length} sources, ${result.files} files, ` +
        `${(result.bytes / 1024 / 1024).toFixed(1)} MiB\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof SyncError || err instanceof CrdConversionError) {
      process.stderr.write(`gitops schemas sync: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
