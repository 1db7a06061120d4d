import path from 'node:path';

/**
 * How a file is named in findings and reports: repository-relative with `/` for a file inside the
 * repository, as given otherwise (an absolute path outside it, or a name that is already relative).
 */
export function displayPath(repoRoot: string, file: string): string {
  if (path.isAbsolute(file) && repoRoot !== '') {
    const rel = path.relative(repoRoot, file);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return file;
}
