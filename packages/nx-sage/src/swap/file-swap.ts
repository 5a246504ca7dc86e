import { copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

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
 * Replaces a package's files in a tree so that it can be undone: every file that is removed or
 * overwritten is kept in `backupDir` (a hard link or rename, so this is cheap) until `commit()`.
 * Each new file lands with one rename, so a process that does not hold the lock (a running
 * program) sees either the old or the new file, never a missing or half-written one.
 */
export class FileSwap {
  private readonly removed: string[] = [];
  private readonly replaced: string[] = [];
  private readonly added: string[] = [];

  constructor(
    private readonly tree: string,
    private readonly backupDir: string,
  ) {
    rmSync(backupDir, { recursive: true, force: true });
    mkdirSync(backupDir, { recursive: true });
  }

  /** Takes `rel` out of the tree (kept in the backup). Missing files are ignored, as in Sage. */
  remove(rel: string): void {
    const target = join(this.tree, rel);
    if (!exists(target) || lstatSync(target).isDirectory()) return;
    const backup = join(this.backupDir, rel);
    mkdirSync(dirname(backup), { recursive: true });
    moveFile(target, backup);
    this.removed.push(rel);
  }

  /** Moves `from` (a staged file or symlink) to `rel` in the tree, backing up what was there. */
  put(rel: string, from: string): void {
    const target = join(this.tree, rel);
    mkdirSync(dirname(target), { recursive: true });
    if (exists(target)) {
      if (lstatSync(target).isDirectory()) throw new Error(`${target} is a directory in the tree but a file in the package`);
      const backup = join(this.backupDir, rel);
      mkdirSync(dirname(backup), { recursive: true });
      try {
        linkSync(target, backup);
      } catch {
        copyEntry(target, backup);
      }
      moveFile(from, target);
      this.replaced.push(rel);
    } else {
      moveFile(from, target);
      this.added.push(rel);
    }
  }

  /** Puts the tree back as it was before this swap. */
  rollback(): void {
    for (const rel of this.added.reverse()) rmSync(join(this.tree, rel), { force: true });
    for (const rel of [...this.replaced.reverse(), ...this.removed.reverse()]) {
      const target = join(this.tree, rel);
      mkdirSync(dirname(target), { recursive: true });
      moveFile(join(this.backupDir, rel), target);
    }
    for (const rel of this.added) removeEmptyParents(this.tree, rel);
    rmSync(this.backupDir, { recursive: true, force: true });
  }

  /** Drops the backup and the directories the removed files leave empty. */
  commit(): void {
    for (const rel of this.removed) removeEmptyParents(this.tree, rel);
    rmSync(this.backupDir, { recursive: true, force: true });
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
