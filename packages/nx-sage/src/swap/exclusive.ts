import type { InstallLockMode, PackageLockMode } from '../lock';
import type { SageLayout } from '../tree/paths';
import { journalsPending } from './journal';
import { recoverInterruptedSwaps } from './recover';

/**
 * Runs `fn` under the tree lock in `mode` (injected so the engine is testable without real locks):
 * `shared` for reading the tree; an install `additive` or `exclusive` (lock/install-lock.ts).
 */
export type WithLock = <T>(mode: PackageLockMode, description: string, fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** The trees of a layout that hold stamps and journals (the lock of SAGE_LOCAL covers both). */
export const layoutTrees = (layout: Pick<SageLayout, 'sageLocal' | 'sageVenv'>): string[] => [layout.sageLocal, layout.sageVenv];

/** Returned by an additive section that found an interrupted swap: the caller retries exclusive. */
export const NEEDS_EXCLUSIVE = Symbol('needs the exclusive lock');

/**
 * A section of the swap engine that changes the tree (additive: install mutex + shared; exclusive:
 * install mutex + exclusive). An exclusive holder FIRST finishes or rolls back any swap that a crashed
 * process left (swap/recover.ts), so everything after sees each package exactly old or new. Repairing
 * can remove files, so an additive section that finds a journal answers NEEDS_EXCLUSIVE instead.
 */
export function withSwapLock<T>(
  withLock: WithLock,
  mode: InstallLockMode,
  layout: Pick<SageLayout, 'sageLocal' | 'sageVenv'>,
  description: string,
  log: (message: string) => void,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T | typeof NEEDS_EXCLUSIVE> {
  return withLock(mode, description, async (signal) => {
    if (mode === 'additive') {
      if (journalsPending(layoutTrees(layout))) return NEEDS_EXCLUSIVE;
    } else {
      await recoverInterruptedSwaps(layoutTrees(layout), log);
    }
    return fn(signal);
  });
}

/** An exclusive section of the swap engine (uninstall, reinstall, and every install when additive is off). */
export async function withExclusiveSwap<T>(
  withLock: WithLock,
  layout: Pick<SageLayout, 'sageLocal' | 'sageVenv'>,
  description: string,
  log: (message: string) => void,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return (await withSwapLock(withLock, 'exclusive', layout, description, log, fn)) as T;
}
