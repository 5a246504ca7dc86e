import { copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { swapStep } from './hooks';
import { lexists } from '../tree/lexists';

/** rename, falling back to copy + rename when source and target are on different file systems. */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const tmp = `${to}.nxsage-tmp`;
    copyEntry(from, tmp);
    renameSync(tmp, to);
    unlinkSync(from);
  }
}

function copyEntry(from: string, to: string): void {
  const stat = lstatSync(from);
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else copyFileSync(from, to);
}

/**
 * Moves a package's files in a tree so that the swap can be undone: every file that is removed or
 * overwritten is kept in `backupDir` (a hard link or rename, so this is cheap). Each new file lands
 * with one rename, so a process that does not hold the lock (a running program) sees either the old
 * or the new file, never a missing or half-written one. Undoing and finishing are done from the
 * swap's journal (recover.ts), which also works after a crash of this process.
 */
export class FileSwap {
  constructor(
    private readonly tree: string,
    private readonly backupDir: string,
  ) {
    mkdirSync(backupDir, { recursive: true });
  }

  /** Takes `rel` out of the tree (kept in the backup). Missing files are ignored, as in Sage. */
  remove(rel: string): void {
    const target = join(this.tree, rel);
    if (!lexists(target) || lstatSync(target).isDirectory()) return;
    const backup = join(this.backupDir, rel);
    mkdirSync(dirname(backup), { recursive: true });
    swapStep('remove');
    moveFile(target, backup);
  }

  /** Moves `from` (a staged file or symlink) to `rel` in the tree, backing up what was there. */
  put(rel: string, from: string): void {
    const target = join(this.tree, rel);
    mkdirSync(dirname(target), { recursive: true });
    if (lexists(target)) {
      if (lstatSync(target).isDirectory()) throw new Error(`${target} is a directory in the tree but a file in the package`);
      const backup = join(this.backupDir, rel);
      mkdirSync(dirname(backup), { recursive: true });
      if (!lexists(backup)) {
        try {
          linkSync(target, backup);
        } catch {
          copyEntry(target, backup);
        }
      }
    }
    swapStep('put');
    moveFile(from, target);
  }
}

/** rmdir the parents of `rel` while they are empty, never the tree itself (Sage's uninstaller). */
export function removeEmptyParents(tree: string, rel: string): void {
  let dir = dirname(rel);
  while (dir !== '.' && dir !== '/' && dir !== '') {
    const full = join(tree, dir);
    try {
      if (!lstatSync(full).isDirectory() || readdirSync(full).length > 0) return;
      rmdirSync(full);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}
