/**
 * `gitops schemas sync [--kubernetes-version X.Y.Z]`: regenerates schemas/ from pinned registry
 * packages (see docs/schemas.md). Progress goes to stderr. Exit 0 on success; a failed download or
 * conversion (SyncError, CrdConversionError) and bad usage go to the top-level handler: exit 2.
 */
import { UsageError } from '../util/errors.js';
import { findRepoRoot } from '../util/config.js';
import { syncSchemas } from '../maintain/schema-sync.js';

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
  const root = findRepoRoot(cwd);
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
}
