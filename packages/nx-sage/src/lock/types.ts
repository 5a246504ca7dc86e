/** `shared` for work that only reads the tree (wheel builds); `exclusive` for work that changes it. */
export type TreeLockMode = 'shared' | 'exclusive';

/** Who holds (part of) a tree lock, as shown to waiters and by `readLockHolders`. */
export interface HolderInfo {
  host: string;
  pid: number;
  mode: TreeLockMode;
  /** Epoch milliseconds at which the hold was taken (NaN when the holder file could not be read). */
  since: number;
  /** What the hold is for, usually a package name. */
  owner?: string;
  description?: string;
}

export interface TreeLockOptions {
  /** Lock directory; default `${tree}.nxsage-lock` beside the tree (never inside it). */
  lockDir?: string;
  /** Shown to waiters, e.g. the package name. */
  owner?: string;
  /** Shown to waiters, e.g. `pip install numpy`. */
  description?: string;
  /** Longest wait before `ETIMEOUT`; default `NX_SAGE_LOCK_TIMEOUT_MS`, else 10 min (exclusive) / 30 min (shared). */
  timeoutMs?: number;
  /** Lease of holders on other hosts (proper-lockfile `stale`); default 30 s, at least 2 s. */
  staleMs?: number;
  /** Heartbeat period (proper-lockfile `update`); default 3 s, between 1 s and staleMs / 2. */
  updateMs?: number;
  /** Longest fallback poll while waiting (file-system notifications do the fast path); default 100 ms. */
  pollMs?: number;
  /** Cancels waiting (`EABORT`) and is passed on to `fn` through `TreeLockHandle.signal`. */
  signal?: AbortSignal;
  /** Receives the one "waiting for …" line and the "got … after …" line; default: stderr. */
  log?: (message: string) => void;
  /** What the lock is called in messages ("the exclusive <lockName> on <tree>"); default `lock`. */
  lockName?: string;
  /**
   * Called once the lock is held after a logged wait (the same wait as the "got … after" line), with
   * the exact time waited and the holder named in the "waiting for" line. Uncontended acquisitions
   * (no "waiting for" line) are not waits.
   */
  onWaited?: (wait: LockWait) => void;
  /** Run `fn` with no locking at all (race controls); also `NX_SAGE_LOCK_DISABLED=1`. */
  disabled?: boolean;
}

export interface TreeLockHandle {
  /** Aborts when the lock is compromised (or `options.signal` aborts): stop work promptly. */
  signal: AbortSignal;
  mode: TreeLockMode;
}

/** One wait for a lock, as reported to `TreeLockOptions.onWaited`. */
export interface LockWait {
  mode: TreeLockMode;
  /** `lock` (the tree lock) or `install lock` (the install mutex). */
  lockName: string;
  tree: string;
  waitedMs: number;
  /** The holder that blocked us when the wait was logged. */
  holder?: HolderInfo;
}
