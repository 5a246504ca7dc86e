import { AsyncLocalStorage } from 'node:async_hooks';
import type { DiskHold } from './hold';
import { getLocalProcess } from './host';
import { readWriterToken } from './inspect';
import { type LockLayout, ensureLockLayout, getLockLayout } from './layout';
import type { NormalizedLockOptions } from './options';
import { collectTmpGarbage } from './reclaim';
import { type LockContext, acquireExclusive, acquireShared } from './rw-lock';
import type { TreeLockMode } from './types';
import { ChangeFeed } from './wait';

/** A disk hold as used by the tasks of this process: shared holds are joined and reference-counted. */
export class ProcessHold {
  private refs = 0;
  private done = false;

  constructor(
    readonly disk: DiskHold,
    readonly mode: TreeLockMode,
    private readonly onReleased: (hold: ProcessHold) => void,
  ) {}

  /** Still held and not compromised. */
  get usable(): boolean {
    return !this.done && !this.disk.compromised;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  async releaseRef(): Promise<void> {
    if (--this.refs > 0 || this.done) return;
    this.done = true;
    try {
      await this.disk.release();
    } finally {
      this.onReleased(this);
    }
  }
}

/** What this process knows about one lock dir. */
interface LockDirState {
  layout: LockLayout;
  writerFeed: ChangeFeed;
  readersFeed: ChangeFeed;
  /** The shared hold that new shared tasks of this process join, while no writer waits. */
  joinable?: ProcessHold;
  ready?: Promise<void>;
}

// One entry per lock dir used by this process (a handful): like proper-lockfile's own table, this is
// process-wide by nature, because all tasks of the process must agree on one hold per lock dir.
const states = new Map<string, LockDirState>();

function getState(lockDir: string): LockDirState {
  let state = states.get(lockDir);
  if (!state) {
    const layout = getLockLayout(lockDir);
    state = { layout, writerFeed: new ChangeFeed(layout.lockDir), readersFeed: new ChangeFeed(layout.readersDir) };
    states.set(lockDir, state);
  }
  return state;
}

/** Creates the lock on first use; clears leftovers of crashed processes once per process. */
function ensureReady(state: LockDirState, staleMs: number): Promise<void> {
  state.ready ??= ensureLockLayout(state.layout).then(
    () => collectTmpGarbage(state.layout, getLocalProcess(), staleMs),
    (error: unknown) => {
      state.ready = undefined;
      throw error;
    },
  );
  return state.ready;
}

/** The holds of the current async context, per lock dir (for nesting and the upgrade check). */
export const heldLocks = new AsyncLocalStorage<ReadonlyMap<string, ProcessHold>>();

/**
 * Takes a hold for one task of this process. A shared task joins the process's current shared hold
 * unless a writer is waiting (writer preference holds across processes); then it takes its own,
 * which waits behind the writer like any other reader.
 */
export async function acquireProcessHold(opts: NormalizedLockOptions): Promise<ProcessHold> {
  const state = getState(opts.lockDir);
  await ensureReady(state, opts.staleMs);
  if (opts.mode === 'shared' && state.joinable?.usable) {
    const joinable = state.joinable;
    if ((await readWriterToken(state.layout)) === undefined && joinable.usable) return joinable.retain();
    if (state.joinable === joinable) state.joinable = undefined;
  }
  const ctx: LockContext = { opts, layout: state.layout, local: getLocalProcess(), writerFeed: state.writerFeed, readersFeed: state.readersFeed };
  const disk = opts.mode === 'shared' ? await acquireShared(ctx) : await acquireExclusive(ctx);
  const hold = new ProcessHold(disk, opts.mode, (released) => {
    if (state.joinable === released) state.joinable = undefined;
    // Wake this process's waiters at once instead of waiting for the notification to come round.
    (released.mode === 'shared' ? state.readersFeed : state.writerFeed).notify();
  });
  if (opts.mode === 'shared' && !state.joinable?.usable) state.joinable = hold;
  return hold.retain();
}
