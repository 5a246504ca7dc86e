import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stands for the absolute install tree inside a relocatable artifact. */
export const TREE_PLACEHOLDER = '@@NX_SAGE_TREE@@';

// Only stored wheels and the requirement files that point at them: nothing compiled, no rpath, no
// configure prefix. Such an artifact can be restored into a tree at another path (another clone,
// another CI machine) once the requirement files' file:// URLs are rewritten.
const RELOCATABLE_PREFIXES = ['var/lib/sage/wheels/', 'var/lib/sage/scripts/'];

export function isRelocatable(files: readonly string[]): boolean {
  return files.length > 0 && files.every((file) => RELOCATABLE_PREFIXES.some((prefix) => file.startsWith(prefix)));
}

/** Text files of the manifest that may hold the tree path (spkg-requirements.txt). */
export function textFilesToRelocate(files: readonly string[]): string[] {
  return files.filter((file) => file.startsWith('var/lib/sage/scripts/') && file.endsWith('.txt'));
}

/** Replaces every occurrence of `from` by `to` in the given files under `root`. */
export function rewriteTreePath(root: string, files: readonly string[], from: string, to: string): void {
  for (const file of textFilesToRelocate(files)) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    if (text.includes(from)) writeFileSync(path, text.split(from).join(to));
  }
}
