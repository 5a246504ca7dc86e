import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { TreeLockError, isErrnoCode } from './errors';
import { type HoldFs, createHoldFs, shareProbe } from './hold-fs';
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

export interface StageHoldParams {
  layout: LockLayout;
  /** The dir to hold: `writer/` or `readers/<token>/`. */
  dir: string;
  record: HolderRecord;
  staleMs: number;
  updateMs: number;
  /** For messages: the protected tree. */
  tree: string;
}

// proper-lockfile's mtime-precision answer, per lock dir (see createHoldFs).
const probeCaches = new Map<string, object>();
const probeCacheFor = (lockDir: string): object => {
  let cache = probeCaches.get(lockDir);
  if (!cache) probeCaches.set(lockDir, (cache = {}));
  return cache;
};

// A holder file older than this is rewritten before an attempt, so that `since` means "held since".
const SINCE_REFRESH_MS = 1000;

/**
 * A hold prepared in tmp/ (dir + holder file), ready to be renamed into place. Staging happens once
 * per acquisition, so that a waiter woken by a release needs only the rename (and proper-lockfile's
 * stat) to take over.
 */
export class StagedHold {
  private readonly holdFs: HoldFs;
  private taken = false;

  private constructor(
    private readonly params: StageHoldParams,
    private readonly stagingDir: string,
  ) {
    this.holdFs = createHoldFs(params.dir, stagingDir, params.record.token, probeCacheFor(params.layout.lockDir));
  }

  static async create(params: StageHoldParams): Promise<StagedHold> {
    const stagingDir = join(params.layout.tmpDir, params.record.token);
    const stage = async () => {
      await mkdir(stagingDir);
      await writeFile(join(stagingDir, holderFileName(params.record.token)), serializeHolderRecord(params.record));
    };
    try {
      await stage();
    } catch (error) {
      // Somebody removed the lock dir (e.g. with the tree): recreate it, once.
      if (!isErrnoCode(error, 'ENOENT')) throw error;
      await ensureLockLayout(params.layout);
      await stage();
    }
    return new StagedHold(params, stagingDir);
  }

  /**
   * One attempt to take the dir with proper-lockfile, which then keeps it fresh with heartbeats and
   * tells us if it is lost. Undefined if the dir is taken. Each dir is its own proper-lockfile `file`
   * (realpath off), because proper-lockfile keys its in-process table by `file`.
   */
  async tryTake(): Promise<DiskHold | undefined> {
    if (this.taken) throw new Error('A staged hold can be taken once');
    const { params, holdFs } = this;
    const record = params.record;
    if (Date.now() - record.since > SINCE_REFRESH_MS) {
      record.since = Date.now();
      await writeFile(join(this.stagingDir, holderFileName(record.token)), serializeHolderRecord(record));
    }
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
      releaseLock = await lock(params.dir, {
        realpath: false,
        lockfilePath: params.dir,
        retries: 0,
        stale: params.staleMs,
        update: params.updateMs,
        fs: holdFs,
        onCompromised,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
      await holdFs.releaseOwn(); // e.g. the mtime probe failed after the rename
      this.taken = true;
      throw error;
    }
    this.taken = true;
    shareProbe(holdFs, probeCacheFor(params.layout.lockDir));

    return {
      dir: params.dir,
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

  /** Removes the staging dir unless it was taken. */
  async discard(): Promise<void> {
    if (!this.taken) await rm(this.stagingDir, { recursive: true, force: true });
    this.taken = true;
  }
}

/** Stage and try once (tests, and callers that do not wait). */
export async function tryCreateHold(params: StageHoldParams): Promise<DiskHold | undefined> {
  const staged = await StagedHold.create(params);
  try {
    return await staged.tryTake();
  } finally {
    await staged.discard();
  }
}
