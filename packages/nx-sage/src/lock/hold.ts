import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { TreeLockError, isErrnoCode } from './errors';
import { HoldFs } from './hold-fs';
import { type HolderRecord, holderFileName, serializeHolderRecord } from './holder-info';
import { type LockLayout, ensureLockLayout } from './layout';

/** One directory held on disk: the writer dir or one reader dir. */
export interface DiskHold {
  readonly dir: string;
  readonly record: HolderRecord;
  /** Aborts with an ECOMPROMISED TreeLockError if the hold is lost while held. */
  readonly signal: AbortSignal;
  readonly compromised: TreeLockError | undefined;
  release(): Promise<void>;
}

export interface CreateHoldParams {
  layout: LockLayout;
  /** The dir to hold: `writer/` or `readers/<token>/`. */
  dir: string;
  record: HolderRecord;
  staleMs: number;
  updateMs: number;
  /** For messages: the protected tree. */
  tree: string;
}

async function stage(layout: LockLayout, record: HolderRecord): Promise<string> {
  const stagingDir = join(layout.tmpDir, record.token);
  await mkdir(stagingDir);
  await writeFile(join(stagingDir, holderFileName(record.token)), serializeHolderRecord(record));
  return stagingDir;
}

async function stageEnsuringLayout(layout: LockLayout, record: HolderRecord): Promise<string> {
  try {
    return await stage(layout, record);
  } catch (error) {
    // Somebody removed the lock dir (e.g. with the tree): recreate it, once.
    if (!isErrnoCode(error, 'ENOENT')) throw error;
    await ensureLockLayout(layout);
    return stage(layout, record);
  }
}

/**
 * Tries once to take `dir` with proper-lockfile (which keeps it fresh with heartbeats and tells us if
 * it is lost). Resolves undefined if the dir is taken. Each dir is its own proper-lockfile `file`
 * (realpath off), because proper-lockfile keys its in-process table by `file`.
 */
export async function tryCreateHold(params: CreateHoldParams): Promise<DiskHold | undefined> {
  const { layout, dir, record } = params;
  const stagingDir = await stageEnsuringLayout(layout, record);
  const holdFs = new HoldFs(dir, stagingDir, record.token);
  const controller = new AbortController();
  let compromised: TreeLockError | undefined;
  let released = false;

  // Never throws (proper-lockfile's default throws from a timer and kills the process): it records
  // the loss and aborts the task's signal; withTreeLock fails the task once fn has settled.
  const onCompromised = (error: Error): void => {
    if (released) return;
    compromised = new TreeLockError('ECOMPROMISED', `The ${record.mode} lock on ${params.tree} was lost while held (${error.message}); the task was aborted.`, {
      cause: error,
    });
    controller.abort(compromised);
  };

  let releaseLock: () => Promise<void>;
  try {
    releaseLock = await lock(dir, {
      realpath: false,
      lockfilePath: dir,
      retries: 0,
      stale: params.staleMs,
      update: params.updateMs,
      fs: holdFs,
      onCompromised,
    });
  } catch (error) {
    await rm(stagingDir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    await holdFs.releaseOwn(); // e.g. the mtime probe failed after the rename
    throw error;
  }

  return {
    dir,
    record,
    signal: controller.signal,
    get compromised() {
      return compromised;
    },
    async release() {
      if (released) return;
      released = true;
      if (compromised) return holdFs.releaseOwn();
      try {
        await releaseLock();
      } catch (error) {
        // ERELEASED: compromised just now, proper-lockfile dropped it; remove our own file if left.
        if ((error as NodeJS.ErrnoException).code !== 'ERELEASED') throw error;
        await holdFs.releaseOwn();
      }
    },
  };
}
