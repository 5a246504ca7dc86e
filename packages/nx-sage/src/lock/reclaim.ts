import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoCode } from './errors';
import { formatProcessTag, holderFileName, parseToken } from './holder-info';
import type { LocalProcess } from './host';
import type { LockLayout } from './layout';
import { isProcessAlive } from './pid-liveness';

const trashPath = (layout: LockLayout, local: LocalProcess): string =>
  join(layout.tmpDir, `${formatProcessTag(local)}~${randomBytes(4).toString('hex')}.trash`);

/**
 * Removes `writer/` if, and only if, it still belongs to `token` (a holder judged dead or stale).
 * The claim is one rename of `writer/<token>.json`: it fails once the dir was released or reclaimed by
 * someone else and re-created by a new holder, because the new dir holds another token. So two
 * reclaimers cannot both win, and nobody removes a fresh holder's dir (proper-lockfile #121).
 */
export async function reclaimWriter(layout: LockLayout, token: string, local: LocalProcess): Promise<boolean> {
  const trash = trashPath(layout, local);
  try {
    await rename(join(layout.writerDir, holderFileName(token)), trash);
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return false;
    throw error;
  }
  try {
    await rmdir(layout.writerDir);
  } catch (error) {
    // ENOTEMPTY: a new holder renamed its dir over the empty one already; it is theirs now.
    if (!isErrnoCode(error, 'ENOENT', 'ENOTEMPTY', 'EEXIST')) throw error;
  }
  await rm(trash, { force: true });
  return true;
}

/** Reader dirs have unique names, so a plain rename to the trash is a safe claim. */
export async function reclaimReader(layout: LockLayout, name: string, local: LocalProcess): Promise<boolean> {
  const trash = trashPath(layout, local);
  try {
    await rename(join(layout.readersDir, name), trash);
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return false;
    throw error;
  }
  await rm(trash, { recursive: true, force: true });
  return true;
}

/**
 * Staging dirs and trash in tmp/ outlive a process only if it crashed mid-operation. Remove those of
 * dead local processes, and foreign ones far older than any lease.
 */
export async function collectTmpGarbage(layout: LockLayout, local: LocalProcess, staleMs: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(layout.tmpDir);
  } catch {
    return;
  }
  const now = Date.now();
  await Promise.all(
    names.map(async (name) => {
      const identity = parseToken(name);
      if (!identity) return;
      const path = join(layout.tmpDir, name);
      try {
        if (identity.hostKey === local.hostKey) {
          if (isProcessAlive(identity.pid, identity.pidStart)) return;
        } else if ((await stat(path)).mtimeMs > now - 10 * staleMs) {
          return;
        }
        await rm(path, { recursive: true, force: true });
      } catch {
        // Best effort: garbage never blocks anybody.
      }
    }),
  );
}
