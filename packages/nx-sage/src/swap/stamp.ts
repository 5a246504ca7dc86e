import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The JSON record sage-spkg writes to `<tree>/var/lib/sage/installed/<pkg>-<ver>`. */
export interface SageStamp {
  package_name: string;
  package_version: string;
  install_date: string;
  system_uname: string;
  sage_version: string;
  test_result: string;
  /** Installed files and symlinks, relative to the tree (Sage's uninstaller removes exactly these). */
  files: string[];
  /** nx-sage's own field; Sage ignores unknown keys. */
  nx_sage?: { artifact_hash: string; source_hash?: string };
}

export interface StampFile {
  file: string;
  /** `<pkg>-<ver>` part after the package name. */
  version: string;
  mtimeMs: number;
  /** undefined: unreadable or old-style (not JSON). */
  stamp?: SageStamp;
}

/** Stamp JSON in sage-spkg's layout (4-space indent). */
export function formatStamp(stamp: SageStamp): string {
  return `${JSON.stringify(stamp, null, 4)}\n`;
}

export function parseStamp(text: string): SageStamp | undefined {
  try {
    const value = JSON.parse(text) as SageStamp;
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Temp files of an atomic write start with this (never `<pkg>-`, so readStamps ignores them). */
export const ATOMIC_TMP_PREFIX = '.nx-tmp-';

/** fsync a directory so a rename in it survives a power loss; best effort where unsupported. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `file` so that it is either the old or the complete new text, never half written: a temp
 * file beside it, fsync, rename over it, fsync of the directory.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `${ATOMIC_TMP_PREFIX}${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  fsyncDir(dirname(file));
}

/** Every stamp write goes through here (atomic). Callers hold the exclusive tree lock. */
export function writeStamp(file: string, stamp: SageStamp): void {
  writeFileAtomic(file, formatStamp(stamp));
}

/** All stamps `<pkg>-*` of a tree, oldest first (Sage's uninstaller works with the newest). */
export function readStamps(stampDir: string, pkg: string): StampFile[] {
  if (!existsSync(stampDir)) return [];
  const prefix = `${pkg}-`;
  return readdirSync(stampDir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => {
      const file = join(stampDir, name);
      let stamp: SageStamp | undefined;
      try {
        stamp = parseStamp(readFileSync(file, 'utf8'));
      } catch {
        stamp = undefined;
      }
      return { file, version: name.slice(prefix.length), mtimeMs: statSync(file).mtimeMs, stamp };
    })
    .sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
}

/** Which install a stamp describes: a stamp rewritten by another install is another install. */
export const stampIdentity = (stamp: SageStamp | undefined): string | undefined =>
  stamp ? JSON.stringify([stamp.package_version, stamp.install_date, stamp.nx_sage?.artifact_hash ?? null]) : undefined;

/**
 * Records a test suite's result in the stamp of the install that was tested. Call it inside an
 * exclusive section: it never resurrects a stamp that was removed meanwhile (an uninstall) and never
 * overwrites the stamp of a newer install. Returns whether the stamp was updated.
 */
export function recordTestResult(stampFile: string, testedIdentity: string | undefined, passed: boolean): boolean {
  if (testedIdentity === undefined || !existsSync(stampFile)) return false;
  const stamp = parseStamp(readFileSync(stampFile, 'utf8'));
  if (!stamp || stampIdentity(stamp) !== testedIdentity) return false;
  writeStamp(stampFile, { ...stamp, test_result: passed ? 'passed' : 'failed' });
  return true;
}
