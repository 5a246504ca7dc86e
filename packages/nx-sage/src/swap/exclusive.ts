import { installStagingRoot, type SageLayout } from '../tree/paths';
import { recoverInterruptedSwaps } from './recover';
import { collectStaleStaging } from './staging';

/** Runs `fn` under the tree lock in `mode` (injected so the engine is testable without real locks). */
export type WithLock = <T>(mode: 'shared' | 'exclusive', description: string, fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** The trees of a layout that hold stamps and journals (the lock of SAGE_LOCAL covers both). */
export const layoutTrees = (layout: Pick<SageLayout, 'sageLocal' | 'sageVenv'>): string[] => [layout.sageLocal, layout.sageVenv];

/**
 * An exclusive section of the swap engine. Its holder FIRST finishes or rolls back any swap that a
 * crashed process left (swap/recover.ts), so everything after sees each package exactly old or new,
 * and collects the staging directories of dead installs.
 */
export function withExclusiveSwap<T>(
  withLock: WithLock,
  layout: Pick<SageLayout, 'sageLocal' | 'sageVenv'>,
  description: string,
  log: (message: string) => void,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return withLock('exclusive', description, async (signal) => {
    await recoverInterruptedSwaps(layoutTrees(layout), log);
    collectStaleStaging(installStagingRoot(layout.sageLocal));
    return fn(signal);
  });
}
