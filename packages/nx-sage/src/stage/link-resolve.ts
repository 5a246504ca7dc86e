/**
 * Path resolution the way the kernel does it — component by component, following every symlink met on
 * the way (relative to the directory that holds it) — over an abstract tree, so that the same code
 * checks an archive's member list before extraction (a simulated tree) and the extracted files after
 * (the disk). A lexical check is not enough: with `d/b -> ..`, the target `d/b/../..` of a later link
 * is lexically `.` but physically the parent of the root.
 */
export type NodeKind = 'directory' | 'file' | 'symlink' | 'missing' | 'other';

export interface TreeLookup {
  /** Kind of the node at a root-relative posix path ('' is the root), without following a final link. */
  kind(path: string): NodeKind;
  /** Target of the symlink at `path` (only called when kind(path) is 'symlink'). */
  readlink(path: string): string;
}

export type Resolution =
  | { inside: true; path: string; kind: NodeKind }
  | { inside: false; reason: string; via: string[] };

/** Linux's limit on symlinks followed in one resolution (ELOOP beyond it). */
const MAX_LINKS = 40;

/**
 * Resolves `target` as seen from the root-relative directory `fromDir`. A path that climbs above the
 * root, an absolute target (here or in a link on the way) and a loop are reported as outside, naming
 * the links followed (`via`). A missing component is taken as a directory that would be created, so
 * `missing/../..` still counts as leaving. `followFinal: false` resolves like link(2) and lstat: the
 * last component is not followed.
 */
export function resolveInTree(lookup: TreeLookup, fromDir: string, target: string, followFinal = true): Resolution {
  const via: string[] = [];
  let budget = MAX_LINKS;
  const split = (path: string) => path.split('/').filter((part) => part !== '' && part !== '.');

  const walk = (base: string[], rel: string, follow: boolean): string[] | string => {
    if (rel.startsWith('/')) return `absolute path ${rel}`;
    const parts = split(rel);
    let current = [...base];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '..') {
        if (current.length === 0) return 'climbs above the root';
        current.pop();
        continue;
      }
      const next = [...current, part];
      const path = next.join('/');
      const last = i === parts.length - 1;
      if (lookup.kind(path) === 'symlink' && (!last || follow)) {
        if (--budget < 0) return 'too many levels of symbolic links';
        via.push(path);
        const resolved = walk(current, lookup.readlink(path), true);
        if (typeof resolved === 'string') return resolved;
        current = resolved;
      } else {
        current = next;
      }
    }
    return current;
  };

  const result = walk(split(fromDir), target, followFinal);
  if (typeof result === 'string') return { inside: false, reason: result, via };
  const path = result.join('/');
  return { inside: true, path, kind: lookup.kind(path) };
}

/** `dir/name` → `dir`; `name` → '' (the root). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
