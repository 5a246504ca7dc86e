import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLocalProcess } from '../lock/host';
import { isProcessAlive } from '../lock/pid-liveness';
import { swapTestHooks } from './hooks';

/** Who owns a staging directory: judged by pid liveness on this host, by age elsewhere. */
export interface StagingOwner {
  pid: number;
  pidStart: string;
  hostKey: string;
  host: string;
  since: number;
  pkg: string;
}

export const OWNER_FILE = 'owner.json';
// Foreign hosts' staging is removed only when far older than any install (a week).
const FOREIGN_STAGING_MAX_AGE_MS = 7 * 24 * 3600_000;

/**
 * A staging directory of ONE install attempt: `<root>/<pkg>.<pid>.<random>/` with its owner record
 * written first. Nobody but its owner removes it while the owner lives, so two installs of one
 * package (two install tasks, a build's prerequisite install and the install task) never share or
 * delete each other's files.
 */
export function createStaging(root: string, pkg: string): string {
  collectStaleStaging(root);
  const local = getLocalProcess();
  if (swapTestHooks.sharedStaging) {
    // Race control only: the pre-issue-13 layout, one directory per package, wiped by whoever comes.
    const dir = join(root, pkg);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  const dir = join(root, `${pkg}.${process.pid}.${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const owner: StagingOwner = { pid: local.pid, pidStart: local.pidStart, hostKey: local.hostKey, host: local.host, since: Date.now(), pkg };
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  return dir;
}

/** Removes our own staging directory (never another's: the caller passes what createStaging gave it). */
export function removeStaging(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Whether a staging directory may be collected: its owner is dead (or, abroad, it is very old). */
export function isStaleStaging(owner: StagingOwner | undefined, mtimeMs: number, now: number, local = getLocalProcess()): boolean {
  if (!owner) return now - mtimeMs > 3600_000; // no owner record: a crash between mkdir and write, or foreign junk
  if (owner.hostKey === local.hostKey) return !isProcessAlive(owner.pid, owner.pidStart);
  return now - mtimeMs > FOREIGN_STAGING_MAX_AGE_MS;
}

/** Best effort: staging left by crashed installs goes; live owners' staging is never touched. */
export function collectStaleStaging(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!/\.\d+\.[0-9a-f]+$/.test(name)) continue;
    const dir = join(root, name);
    try {
      let owner: StagingOwner | undefined;
      try {
        owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as StagingOwner;
      } catch {
        owner = undefined;
      }
      if (isStaleStaging(owner, statSync(dir).mtimeMs, now)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Garbage collection never fails an install.
    }
  }
}
