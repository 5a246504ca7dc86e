import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Files and symlinks under `dir`, relative, sorted (sage-spkg: `find . -type f -o -type l | sort`). */
export function listTreeFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(join(dir, child));
      if (stat.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

export interface ManifestDiff {
  /** In the old manifest only: to delete. */
  removed: string[];
  /** In the new manifest only. */
  added: string[];
  /** In both: replaced in place. */
  replaced: string[];
}

/** What a swap from `oldFiles` to `newFiles` does to each path. */
export function diffManifests(oldFiles: readonly string[], newFiles: readonly string[]): ManifestDiff {
  const oldSet = new Set(oldFiles.map(stripLeadingSlash));
  const newSet = new Set(newFiles.map(stripLeadingSlash));
  return {
    removed: [...oldSet].filter((f) => !newSet.has(f)).sort(),
    added: [...newSet].filter((f) => !oldSet.has(f)).sort(),
    replaced: [...newSet].filter((f) => oldSet.has(f)).sort(),
  };
}

/** Sage's uninstaller order: deepest paths first, then by name, so emptied directories can go. */
export function removalOrder(files: readonly string[]): string[] {
  const depth = (f: string) => f.split('/').length;
  return files.map(stripLeadingSlash).sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Sage strips a leading "/" from manifest entries (issue 26013); so do we. */
export function stripLeadingSlash(file: string): string {
  return file.replace(/^\/+/, '');
}

/** Rejects manifest entries that would leave the tree (a corrupt or hostile stamp). */
export function isSafeManifestPath(file: string): boolean {
  const f = stripLeadingSlash(file);
  return f !== '' && !f.split('/').some((part) => part === '..' || part === '');
}
