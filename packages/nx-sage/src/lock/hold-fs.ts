import * as fs from 'node:fs';
import { join } from 'node:path';
import { isErrnoCode } from './errors';
import { holderFileName } from './holder-info';

type Callback = (error?: NodeJS.ErrnoException | null) => void;

/** The `fs` surface proper-lockfile uses, plus our safe self-removal. */
export interface HoldFs {
  mkdir(path: string, callback: Callback): void;
  stat(path: string, callback: (error: NodeJS.ErrnoException | null, stats: fs.Stats) => void): void;
  utimes(path: string, atime: Date, mtime: Date, callback: Callback): void;
  rmdir(path: string, callback: Callback): void;
  rmdirSync(path: string): void;
  realpath(path: string, callback: (error: NodeJS.ErrnoException | null, resolved: string) => void): void;
  /** Removes our holder file, then the dir if that left it empty; safe whatever happened meanwhile. */
  releaseOwn(): Promise<void>;
}

const lockedError = (path: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`Lock is already held: ${path}`), { code: 'ELOCKED', path });

/**
 * The `fs` that proper-lockfile uses for ONE hold (one object per hold, so every call knows whose
 * hold it is). It changes two operations:
 *
 * - `mkdir` renames a staged dir that already contains `<token>.json` into place. A hold therefore never
 *   exists without its holder file, and a crash cannot leave an anonymous dir that only mtime could clear.
 *   rename() onto a non-empty dir fails: that is the mutual exclusion. Onto an *empty* dir it succeeds,
 *   which is fine because an empty dir is never a hold. A taken target is reported as ELOCKED rather
 *   than EEXIST, so proper-lockfile never runs its own mtime reclaim (it breaks stalled live holders
 *   and lets two reclaimers both win, #121); reclaiming is done by reclaim.ts.
 * - `rmdir` removes only our own holder file and then the dir if it is empty. If our file is gone,
 *   the dir is no longer ours and is left alone.
 *
 * After release, a heartbeat still in flight must not touch the path: it may be the next holder's dir.
 *
 * `probeCache` becomes the object's prototype: proper-lockfile caches its mtime-precision probe (a
 * utimes and a stat) on the fs object, and `shareProbe` lends that answer to later holds of the same
 * lock dir (the same file system; precision differs between file systems, so never share wider).
 */
export function createHoldFs(target: string, stagingDir: string, token: string, probeCache: object): HoldFs {
  let state: 'staged' | 'held' | 'released' = 'staged';
  const inflight = new Set<Promise<void>>();
  const holderFile = join(target, holderFileName(token));

  const releaseOwn = async (): Promise<void> => {
    if (state !== 'held') return;
    state = 'released';
    await Promise.all(inflight);
    try {
      await fs.promises.unlink(holderFile);
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return;
      throw error;
    }
    try {
      await fs.promises.rmdir(target);
    } catch (error) {
      // ENOTEMPTY/EEXIST: the next holder already renamed its dir over our empty one.
      if (!isErrnoCode(error, 'ENOENT', 'ENOTEMPTY', 'EEXIST')) throw error;
    }
  };

  const methods: HoldFs = {
    mkdir(path, callback) {
      if (path !== target || state !== 'staged') return callback(lockedError(path));
      fs.rename(stagingDir, path, (error) => {
        if (!error) {
          state = 'held';
          // A rename keeps the staged dir's old mtime: touch it before anyone (on another host, judging by
          // heartbeat age) can see the hold, so a hold is fresh the moment it is taken.
          const now = new Date();
          return fs.utimes(path, now, now, () => callback(null));
        }
        callback(isErrnoCode(error, 'ENOTEMPTY', 'EEXIST') ? lockedError(path) : error);
      });
    },
    stat(path, callback) {
      fs.stat(path, callback);
    },
    utimes(path, atime, mtime, callback) {
      if (state !== 'held') return callback(null);
      const done = new Promise<void>((resolve) => {
        fs.utimes(path, atime, mtime, (error) => {
          resolve();
          callback(error);
        });
      });
      inflight.add(done);
      void done.then(() => inflight.delete(done));
    },
    rmdir(_path, callback) {
      releaseOwn().then(() => callback(null), callback);
    },
    rmdirSync() {
      if (state !== 'held') return;
      state = 'released';
      try {
        fs.unlinkSync(holderFile);
        fs.rmdirSync(target);
      } catch {
        // At exit nothing more can be done; a leftover dir of a dead local pid is reclaimed at once.
      }
    },
    realpath(path, callback) {
      fs.realpath(path, callback);
    },
    releaseOwn,
  };
  return Object.assign(Object.create(probeCache) as HoldFs, methods);
}

/** Copies proper-lockfile's cached probe result (own symbol properties) into the lock dir's cache. */
export function shareProbe(probed: HoldFs, probeCache: object): void {
  for (const key of Object.getOwnPropertySymbols(probed)) {
    if (!Object.prototype.hasOwnProperty.call(probeCache, key)) {
      Object.defineProperty(probeCache, key, { value: (probed as unknown as Record<symbol, unknown>)[key] });
    }
  }
}
