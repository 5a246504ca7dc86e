import { type FSWatcher, watch } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { TreeLockError } from './errors';
import { type HolderRecord, describeHolder, formatDuration, toHolderInfo } from './holder-info';
import type { HolderInfo } from './types';
import type { NormalizedLockOptions } from './options';

/**
 * Counts changes of one directory, seen through fs.watch (inotify, FSEvents, kqueue). The watcher is
 * open only while somebody waits. Notifications are the fast path; every wait also has a timeout,
 * because they may be missing (NFS: other clients' changes, inotify limits) and because the death of a
 * holder changes nothing on disk.
 */
export class ChangeFeed {
  private count = 0;
  private subscribers = 0;
  private watcher: FSWatcher | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(readonly dir: string) {}

  get version(): number {
    return this.count;
  }

  /** Something changed (called by the watcher, and directly on in-process releases). */
  notify = (): void => {
    this.count++;
    for (const wake of [...this.wakers]) wake();
  };

  /** Opens the watcher for the caller's lifetime; returns the unsubscribe function. */
  subscribe(): () => void {
    if (this.subscribers++ === 0) this.open();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.subscribers === 0) this.close();
    };
  }

  /** Resolves once the version differs from `since`, after `delayMs`, or when `signal` aborts. */
  waitForChange(since: number, delayMs: number, signal?: AbortSignal): Promise<void> {
    if (this.count !== since || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, delayMs);
      signal?.addEventListener('abort', wake, { once: true });
      this.wakers.add(wake);
    });
  }

  private open(): void {
    try {
      // Not persistent: the waiter's own timer keeps the process alive while it waits.
      this.watcher = watch(this.dir, { persistent: false }, this.notify);
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined; // no notifications: the fallback poll still works
    }
  }

  private close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** Fallback poll: quick at first (for file systems without notifications), then every pollMs. */
export const nextPollDelay = (round: number, pollMs: number): number => Math.min(pollMs, 10 * 2 ** Math.min(round, 16));

/** One acquisition's waiting: deadline, cancellation, the single "waiting for" line, poll backoff. */
export class Waiter {
  private readonly started = performance.now();
  private readonly unsubscribes = new Map<ChangeFeed, () => void>();
  private round = 0;
  private logged = false;
  private holder: HolderInfo | undefined;

  constructor(private readonly opts: NormalizedLockOptions) {}

  /** Throws EABORT if the caller's signal aborted. */
  checkAbort(): void {
    const signal = this.opts.signal;
    if (signal?.aborted) {
      throw new TreeLockError('EABORT', `Stopped waiting for the ${this.opts.mode} ${this.opts.lockName} on ${this.opts.tree}: ${String(signal.reason)}`, {
        cause: signal.reason,
      });
    }
  }

  /**
   * We are blocked by a holder: wait for a change of `feed` after `version` (taken before the check
   * that found the holder) or for the next poll. The first call only opens the watcher and returns, so
   * that the caller checks again with notifications armed and no change can slip between.
   */
  async blocked(feed: ChangeFeed, version: number, loadHolder: () => Promise<HolderRecord | undefined>, wakeSignal?: AbortSignal): Promise<void> {
    if (!this.unsubscribes.has(feed)) {
      this.unsubscribes.set(feed, feed.subscribe());
      return;
    }
    this.checkAbort();
    const remaining = this.started + this.opts.timeoutMs - performance.now();
    if (!this.logged || remaining <= 0) {
      const holder = await loadHolder();
      const who = holder ? describeHolder(toHolderInfo(holder)) : 'a holder that is just leaving';
      if (remaining <= 0) {
        throw new TreeLockError(
          'ETIMEOUT',
          `Timed out after ${formatDuration(this.opts.timeoutMs)} waiting for the ${this.opts.mode} ${this.opts.lockName} on ${this.opts.tree}: ${who}.\n` +
            `  → If that process is stuck, stop it; if it is gone, remove ${this.opts.lockDir}; or raise timeoutMs / NX_SAGE_LOCK_TIMEOUT_MS.`,
          { holder: holder && toHolderInfo(holder) },
        );
      }
      this.logged = true;
      this.holder = holder && toHolderInfo(holder);
      this.log(`nx-sage: waiting for the ${this.opts.mode} ${this.opts.lockName} on ${this.opts.tree}: ${who}`);
    }
    const signal = wakeSignal ?? this.opts.signal;
    await feed.waitForChange(version, Math.min(nextPollDelay(this.round++, this.opts.pollMs), remaining), signal);
    this.checkAbort();
  }

  /** Call once the lock is held: reports how long we waited, if we said that we wait. */
  acquired(): void {
    if (!this.logged) return;
    const waitedMs = performance.now() - this.started;
    this.log(`nx-sage: got the ${this.opts.mode} ${this.opts.lockName} on ${this.opts.tree} after ${formatDuration(waitedMs)}`);
    try {
      this.opts.onWaited?.({ mode: this.opts.mode, lockName: this.opts.lockName, tree: this.opts.tree, waitedMs, holder: this.holder });
    } catch {
      // A failing observer must not break locking.
    }
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.values()) unsubscribe();
    this.unsubscribes.clear();
  }

  private log(message: string): void {
    try {
      this.opts.log(message);
    } catch {
      // A failing logger must not break locking.
    }
  }
}
