import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The install state of a Sage tree as one short digest: what an install task's Nx cache key is made
 * of, next to the artifact it installs (graph/targets.ts). Nx then skips an install (a cache hit)
 * only when an earlier run, starting from exactly this state, installed or verified the same
 * artifact: a no-op run starts no install process at all.
 *
 * What it covers, and why that is enough: every change nx-sage makes to a tree writes or removes a
 * stamp (new file by rename) and a journal file, Sage's make writes stamps, and pip adds or removes
 * dist-info directories; each changes the mtime and ctime of the directory it happens in. The
 * directories' inode numbers and ctimes (which nobody can set back: `cp -a`, `tar x` and a new
 * directory all get new ones) make a restored or recreated tree a new state. A tree without a stamp
 * directory yet (SAGE_LOCAL or a named SAGE_VENV) is a state never seen again (a random value), so a
 * deleted tree is never "up to date"; a default venv deleted or created changes SAGE_LOCAL's var/lib/sage.
 * The host and the tree's real path make the state of one checkout on one machine.
 *
 * What it does not cover: an installed file deleted by hand under an unchanged stamp. make does not
 * notice that either; `nx run-many -t install --skip-nx-cache` checks every file of every manifest.
 */
export interface TreeStateEntry {
  path: string;
  /** `ino:ctimeNs:mtimeNs:size`, or `absent`. */
  stat: string;
}

/** One line for Nx's runtime input. Pure. */
export function formatTreeState(host: string, entries: readonly TreeStateEntry[]): string {
  const hash = createHash('sha256').update(host);
  for (const entry of entries) hash.update(`\n${entry.path}\t${entry.stat}`);
  return `nx-sage tree state ${hash.digest('hex').slice(0, 32)}`;
}

/** A state no later run can have: nothing is skipped. */
export const unknownTreeState = (why: string): string => `nx-sage tree state unknown (${why}) ${randomBytes(8).toString('hex')}`;

const statOf = (path: string): string => {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.ctimeNs}:${s.mtimeNs}:${s.size}`;
  } catch {
    return 'absent';
  }
};

const lib = (tree: string, dir: string) => join(tree, 'var', 'lib', 'sage', dir);

/** The venvs of a SAGE_LOCAL when SAGE_VENV is Sage's default (`var/lib/sage/venv-python3.X`). */
function defaultVenvs(sageLocal: string): string[] {
  const dir = join(sageLocal, 'var', 'lib', 'sage');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.startsWith('venv-')).sort().map((name) => join(dir, name));
}

/** The directories and stamps whose metadata make up the state of these trees (reads the disk); why not, when a tree has no stamps yet. */
export function collectTreeState(sageLocal: string, sageVenv?: string): TreeStateEntry[] | string {
  // SAGE_VENV may be SAGE_LOCAL itself.
  const trees = [...new Set([sageLocal, ...(sageVenv ? [sageVenv] : defaultVenvs(sageLocal))])];
  // A tree (SAGE_LOCAL, or a SAGE_VENV given by name) without its stamp directory is new or was deleted.
  for (const tree of trees) if (!existsSync(lib(tree, 'installed'))) return `no ${lib(tree, 'installed')} yet`;
  const entries: TreeStateEntry[] = [];
  const add = (path: string) => entries.push({ path, stat: statOf(path) });
  // Where the default venvs live: a venv created or deleted there changes it.
  add(join(sageLocal, 'var', 'lib', 'sage'));
  for (const tree of trees) {
    entries.push({ path: tree, stat: `real ${realpathSync(tree)}` });
    for (const dir of [lib(tree, 'installed'), lib(tree, 'nx-journal')]) {
      add(dir);
      // A stamp rewritten in place (by hand) changes only its own metadata.
      if (existsSync(dir)) for (const name of readdirSync(dir).sort()) add(join(dir, name));
    }
    const pythonLib = join(tree, 'lib');
    if (existsSync(pythonLib)) {
      for (const name of readdirSync(pythonLib).filter((n) => n.startsWith('python')).sort()) add(join(pythonLib, name, 'site-packages'));
    }
  }
  return entries;
}

/** What the runtime command prints: the digest, or a value that matches nothing when unreadable. */
export function treeState(sageLocal: string, sageVenv?: string): string {
  try {
    const entries = collectTreeState(sageLocal, sageVenv);
    return typeof entries === 'string' ? unknownTreeState(entries) : formatTreeState(hostname(), entries);
  } catch (error) {
    return unknownTreeState((error as Error).message);
  }
}
