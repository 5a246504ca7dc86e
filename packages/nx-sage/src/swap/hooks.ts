/**
 * Seams for crash and race tests only. Nothing in production sets them (no environment variable
 * reaches them): a test process imports this module and assigns them itself (see
 * e2e/support/swap-child.js). Kept in one object so a reviewer sees every seam at once.
 */
export interface SwapTestHooks {
  /** Called at each step of a swap (journal written, each file moved, each script, stamp, commit). */
  onStep?: (step: string) => void;
  /** Control for the crash test: swap without a journal (as before issue 13). */
  journalDisabled?: boolean;
  /** Control for the concurrency test: one staging directory per package (as before issue 13). */
  sharedStaging?: boolean;
}

export const swapTestHooks: SwapTestHooks = {};

export function swapStep(step: string): void {
  swapTestHooks.onStep?.(step);
}
