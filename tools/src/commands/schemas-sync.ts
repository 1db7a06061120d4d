/**
 * `gitops schemas sync [--kubernetes-version X.Y.Z]`: regenerates schemas/ from pinned registry
 * packages. Progress goes to stderr; exit 0 on success, 2 when a download or conversion fails,
 * 2 for bad usage.
 */
import { syncSchemas, SyncError } from '../core/schema/sync.js';
import { CrdConversionError } from '../core/schema/convert.js';

export async function run(args: string[], cwd: string): Promise<number> {
  let kubernetesVersion: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--kubernetes-version') {
      kubernetesVersion = args[++i];
      if (!kubernetesVersion) {
        process.stderr.write('schemas sync: --kubernetes-version needs a value\n');
        return 2;
      }
    } else if (arg.startsWith('--kubernetes-version=')) {
      kubernetesVersion = arg.slice('--kubernetes-version='.length);
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write('usage: gitops schemas sync [--kubernetes-version X.Y.Z]\n');
      return 0;
    } else {
      process.stderr.write(`schemas sync: unknown argument ${arg}\n`);
      return 2;
    }
  }
  try {
    const result = await syncSchemas({
      cwd,
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
      process.stderr.write(`schemas sync: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
