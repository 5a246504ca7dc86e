import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { UnsafeEntry } from './archive-entries';
import { parentOf, resolveInTree, type NodeKind, type TreeLookup } from './link-resolve';

function kindOf(stat: Stats | undefined): NodeKind {
  if (!stat) return 'missing';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isDirectory()) return 'directory';
  if (stat.isFile()) return 'file';
  return 'other';
}

/** The disk under `root` as a TreeLookup (root-relative posix paths). */
export function diskTree(root: string): TreeLookup {
  const stat = (path: string) => {
    try {
      return lstatSync(path === '' ? root : join(root, path));
    } catch {
      return undefined;
    }
  };
  return { kind: (path) => kindOf(stat(path)), readlink: (path) => readlinkSync(join(root, path)) };
}

/**
 * The check after extraction, on what is really on disk under `root`: every symlink resolves inside
 * `root` (kernel-style, through the other links), no special files, and every hard-linked file has all
 * its links inside `root` (a link count above the number of names found here means a name elsewhere).
 */
export function findEscapingLinks(root: string): UnsafeEntry[] {
  const tree = diskTree(root);
  const unsafe: UnsafeEntry[] = [];
  const inodes = new Map<string, { names: string[]; nlink: number }>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir === '' ? root : join(root, dir)).sort()) {
      const rel = dir === '' ? name : `${dir}/${name}`;
      const stat = lstatSync(join(root, rel));
      if (stat.isSymbolicLink()) {
        const target = readlinkSync(join(root, rel));
        const resolved = resolveInTree(tree, parentOf(rel), target);
        if (!resolved.inside) unsafe.push({ path: rel, reason: `symlink resolves outside the build directory (-> ${target}): ${resolved.reason}` });
      } else if (stat.isDirectory()) {
        walk(rel);
      } else if (stat.isFile()) {
        if (stat.nlink > 1) {
          const key = `${stat.dev}:${stat.ino}`;
          const seen = inodes.get(key) ?? { names: [], nlink: stat.nlink };
          seen.names.push(rel);
          inodes.set(key, seen);
        }
      } else {
        unsafe.push({ path: rel, reason: 'device, fifo or other special file' });
      }
    }
  };
  walk('');
  for (const { names, nlink } of inodes.values()) {
    if (names.length < nlink) unsafe.push({ path: names[0], reason: `hard link shared with ${nlink - names.length} file(s) outside the build directory` });
  }
  return unsafe;
}
