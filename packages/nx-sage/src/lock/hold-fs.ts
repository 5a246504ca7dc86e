import * as fs from 'node:fs';
import { join } from 'node:path';
import { isErrnoCode } from './errors';
import { holderFileName } from './holder-info';

type Callback = (error?: NodeJS.ErrnoException | null) => void;

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
 */
export class HoldFs {
  private state: 'staged' | 'held' | 'released' = 'staged';
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    readonly target: string,
    readonly stagingDir: string,
    readonly token: string,
  ) {}

  get isHeld(): boolean {
    return this.state === 'held';
  }

  mkdir = (path: string, callback: Callback): void => {
    if (path !== this.target || this.state !== 'staged') return callback(lockedError(path));
    fs.rename(this.stagingDir, path, (error) => {
      if (!error) {
        this.state = 'held';
        return callback(null);
      }
      callback(isErrnoCode(error, 'ENOTEMPTY', 'EEXIST') ? lockedError(path) : error);
    });
  };

  stat = (path: string, callback: (error: NodeJS.ErrnoException | null, stats: fs.Stats) => void): void => {
    fs.stat(path, callback);
  };

  utimes = (path: string, atime: Date, mtime: Date, callback: Callback): void => {
    if (this.state !== 'held') return callback(null);
    const done = new Promise<void>((resolve) => {
      fs.utimes(path, atime, mtime, (error) => {
        resolve();
        callback(error);
      });
    });
    this.inflight.add(done);
    void done.then(() => this.inflight.delete(done));
  };

  rmdir = (path: string, callback: Callback): void => {
    void this.releaseOwn().then(() => callback(null), callback);
  };

  rmdirSync = (): void => {
    if (this.state !== 'held') return;
    this.state = 'released';
    try {
      fs.unlinkSync(join(this.target, holderFileName(this.token)));
      fs.rmdirSync(this.target);
    } catch {
      // At exit nothing more can be done; a leftover dir of a dead local pid is reclaimed at once.
    }
  };

  realpath = (path: string, callback: (error: NodeJS.ErrnoException | null, resolved: string) => void): void => {
    fs.realpath(path, callback);
  };

  /** Removes our holder file, then the dir if that left it empty; safe whatever happened meanwhile. */
  async releaseOwn(): Promise<void> {
    if (this.state !== 'held') return;
    this.state = 'released';
    await Promise.all(this.inflight);
    try {
      await fs.promises.unlink(join(this.target, holderFileName(this.token)));
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return;
      throw error;
    }
    try {
      await fs.promises.rmdir(this.target);
    } catch (error) {
      // ENOTEMPTY/EEXIST: the next holder already renamed its dir over our empty one.
      if (!isErrnoCode(error, 'ENOENT', 'ENOTEMPTY', 'EEXIST')) throw error;
    }
  }
}
