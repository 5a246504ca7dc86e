import { parentOf, resolveInTree, type NodeKind, type TreeLookup } from './link-resolve';

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

/** Simulated extraction: what each path is after the members so far (parents are implied directories). */
class SimulatedTree implements TreeLookup {
  private readonly nodes = new Map<string, { kind: NodeKind; link?: string }>();
  kind(path: string): NodeKind {
    if (path === '') return 'directory';
    return this.nodes.get(path)?.kind ?? 'missing';
  }
  readlink(path: string): string {
    return this.nodes.get(path)?.link ?? '';
  }
  set(path: string, kind: NodeKind, link?: string): void {
    this.nodes.set(path, { kind, link });
  }
  symlinks(): Array<[string, string]> {
    return [...this.nodes].filter(([, node]) => node.kind === 'symlink').map(([path, node]) => [path, node.link ?? '']);
  }
}

const through = (via: string[]) => (via.length ? ` through the symlink${via.length > 1 ? 's' : ''} ${via.join(', ')}` : '');

/**
 * Every entry that could write or point outside the extraction directory, judged by simulating the
 * extraction in archive order: absolute names and `..` segments; an entry written through a symlink
 * made earlier in the archive (`l -> ..` then `l/x`); a symlink that, in the final tree, resolves
 * outside the root — through earlier or later links, as the kernel resolves it (`d/b -> ..` then
 * `a -> d/b/../..`); a hard link whose target is not a regular file of the archive reached inside it;
 * device/fifo nodes. Pure: the caller lists the archive, refuses it if this returns anything, and only
 * then extracts.
 */
export function findUnsafeEntries(entries: readonly ArchiveEntry[]): UnsafeEntry[] {
  const unsafe: UnsafeEntry[] = [];
  const tree = new SimulatedTree();
  const symlinkEntry = new Map<string, string>();
  const refused = new Set<string>();
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
    if (!path) continue;
    if (entry.type === 'other') {
      unsafe.push({ path: raw, reason: 'device, fifo or other special file' });
      continue;
    }
    const parts = path.split('/');
    const linkOnTheWay = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/')).find((dir) => tree.kind(dir) === 'symlink');
    if (linkOnTheWay) {
      unsafe.push({ path: raw, reason: `written through the symlink ${linkOnTheWay} (-> ${tree.readlink(linkOnTheWay)}) made earlier in the archive` });
      continue;
    }
    if (entry.type !== 'directory' && tree.kind(path) === 'directory') {
      unsafe.push({ path: raw, reason: `replaces the directory ${path} with a ${entry.type}` });
      continue;
    }
    const target = entry.linkpath ?? '';
    if (entry.type === 'symlink') {
      // Recorded even when refused, so that members written through it are named too.
      tree.set(path, 'symlink', target.replace(/\\/g, '/'));
      symlinkEntry.set(path, raw);
      if (!target || isAbsolute(target)) {
        unsafe.push({ path: raw, reason: `symlink pointing outside the archive (-> ${target})` });
        refused.add(path);
      }
    } else if (entry.type === 'hardlink') {
      // link(2) follows links in the target's directories, not a final one: only a regular file
      // already extracted inside the root may be linked.
      const resolved = !target || isAbsolute(target) || hasDotDot(target) ? undefined : resolveInTree(tree, '', normalizeEntryPath(target), false);
      if (!resolved || !resolved.inside) {
        unsafe.push({ path: raw, reason: `hardlink to a file outside the archive (-> ${target})${resolved && !resolved.inside ? through(resolved.via) : ''}` });
        continue;
      }
      if (resolved.kind !== 'file') {
        unsafe.push({ path: raw, reason: `hardlink to ${resolved.kind === 'missing' ? 'no earlier file' : `a ${resolved.kind}`} (-> ${target})` });
        continue;
      }
      tree.set(path, 'file');
    } else {
      tree.set(path, entry.type);
      symlinkEntry.delete(path);
    }
  }
  // Links are judged in the final tree: a later member can change what an earlier link resolves to.
  for (const [path, target] of tree.symlinks()) {
    if (refused.has(path)) continue;
    const resolved = resolveInTree(tree, parentOf(path), target);
    if (!resolved.inside) {
      unsafe.push({ path: symlinkEntry.get(path) ?? path, reason: `symlink resolves outside the archive (-> ${target}): ${resolved.reason}${through(resolved.via.filter((v) => v !== path))}` });
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
