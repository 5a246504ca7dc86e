import { posix } from 'node:path';

export type ArchiveEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** One member of an archive as listed (before anything is written). */
export interface ArchiveEntry {
  path: string;
  type: ArchiveEntryType;
  /** Target of a symlink (relative to the link's directory) or hardlink (relative to the archive root). */
  linkpath?: string;
}

export interface UnsafeEntry {
  path: string;
  reason: string;
}

/** Normalises a member name the way extractors see it: `./a//b/` → `a/b`. */
export function normalizeEntryPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/\/+/g, '/').replace(/^(\.\/)+/, '').replace(/\/$/, '');
}

const isAbsolute = (p: string) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
const hasDotDot = (p: string) => p.split(/[\\/]/).includes('..');

/** Whether `target` (already joined to a root-relative directory) stays inside the archive root. */
function staysInside(rootRelative: string): boolean {
  const normal = posix.normalize(rootRelative);
  return normal !== '..' && !normal.startsWith('../') && !posix.isAbsolute(normal);
}

/**
 * Every entry that could write outside the extraction directory: absolute names, `..` segments,
 * symlinks or hardlinks whose target leaves the archive, and device/fifo nodes. Pure: the caller
 * lists the archive, refuses it if this returns anything, and only then extracts.
 */
export function findUnsafeEntries(entries: readonly ArchiveEntry[]): UnsafeEntry[] {
  const unsafe: UnsafeEntry[] = [];
  for (const entry of entries) {
    const raw = entry.path;
    if (isAbsolute(raw)) {
      unsafe.push({ path: raw, reason: 'absolute path' });
      continue;
    }
    if (hasDotDot(raw)) {
      unsafe.push({ path: raw, reason: "'..' in the path" });
      continue;
    }
    const path = normalizeEntryPath(raw);
    if (entry.type === 'other') {
      unsafe.push({ path: raw, reason: 'device, fifo or other special file' });
    } else if (entry.type === 'symlink') {
      const target = entry.linkpath ?? '';
      if (!target || isAbsolute(target) || !staysInside(posix.join(posix.dirname(path), target))) {
        unsafe.push({ path: raw, reason: `symlink pointing outside the archive (-> ${target})` });
      }
    } else if (entry.type === 'hardlink') {
      const target = entry.linkpath ?? '';
      if (!target || isAbsolute(target) || hasDotDot(target) || !staysInside(target)) {
        unsafe.push({ path: raw, reason: `hardlink to a file outside the archive (-> ${target})` });
      }
    }
  }
  return unsafe;
}

/** The single top-level directory of an archive (sage-uncompress-spkg renames it to src), if any. */
export function singleTopDirectory(entries: readonly ArchiveEntry[]): string | undefined {
  const tops = new Set<string>();
  let topIsDirectory = false;
  for (const entry of entries) {
    const path = normalizeEntryPath(entry.path);
    if (!path || path === '.') continue;
    const [top, ...rest] = path.split('/');
    tops.add(top);
    if (rest.length > 0 || entry.type === 'directory') topIsDirectory = true;
    if (tops.size > 1) return undefined;
  }
  const [only] = [...tops];
  return tops.size === 1 && topIsDirectory ? only : undefined;
}
