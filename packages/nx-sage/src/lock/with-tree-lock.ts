import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TreeLockError } from './errors';
import { type ProcessHold, acquireProcessHold, heldLocks } from './in-process';
import { type NormalizedLockOptions, normalizeLockOptions } from './options';
import type { TreeLockHandle, TreeLockMode, TreeLockOptions } from './types';

// Real paths of trees that existed when first locked (a tree does not turn into a symlink mid-build).
const resolvedTrees = new Map<string, string>();

/** The tree's real path when it exists, so that two spellings of one tree share one lock. */
export async function resolveTree(tree: string): Promise<string> {
  const absolute = resolve(tree);
  const known = resolvedTrees.get(absolute);
  if (known !== undefined) return known;
  try {
    const real = await realpath(absolute);
    resolvedTrees.set(absolute, real);
    return real;
  } catch {
    return absolute;
  }
}

const neverAborted = (): AbortSignal => new AbortController().signal;

/**
 * Runs `fn` while holding the lock of `tree` in `mode`: builds take it shared; install, uninstall and
 * reinstall take it exclusive (a reinstall is ONE exclusive section, because shared→exclusive upgrades
 * are refused). `lock.signal` aborts if the lock is lost; the call then fails with ECOMPROMISED once
 * `fn` has settled. Within `fn`, nested calls for the same tree reuse the hold (shared inside
 * exclusive is fine).
 */
export async function withTreeLock<T>(
  tree: string,
  mode: TreeLockMode,
  fn: (lock: TreeLockHandle) => Promise<T>,
  options: TreeLockOptions = {},
): Promise<T> {
  const opts = normalizeLockOptions(await resolveTree(tree), mode, options);
  if (opts.disabled) return fn({ signal: opts.signal ?? neverAborted(), mode });
  if (opts.signal?.aborted) {
    throw new TreeLockError('EABORT', `Did not wait for the ${mode} lock on ${opts.tree}: ${String(opts.signal.reason)}`, { cause: opts.signal.reason });
  }
  const outer = heldLocks.getStore()?.get(opts.lockDir);
  let hold: ProcessHold;
  if (outer?.usable) {
    if (mode === 'exclusive' && outer.mode === 'shared') {
      throw new TreeLockError(
        'ELOCKUPGRADE',
        `Cannot take the exclusive lock on ${opts.tree} inside a shared hold of it: upgrades deadlock as soon as two readers try.\n` +
          `  → Take 'exclusive' from the start (a reinstall is one exclusive section).`,
      );
    }
    hold = outer.retain();
  } else {
    hold = await acquireProcessHold(opts);
  }
  return runHeld(hold, fn, opts);
}

async function runHeld<T>(hold: ProcessHold, fn: (lock: TreeLockHandle) => Promise<T>, opts: NormalizedLockOptions): Promise<T> {
  const signal = opts.signal ? AbortSignal.any([hold.disk.signal, opts.signal]) : hold.disk.signal;
  const held = new Map(heldLocks.getStore() ?? []);
  held.set(opts.lockDir, hold);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await heldLocks.run(held, () => fn({ signal, mode: opts.mode })) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  try {
    await hold.releaseRef();
  } catch (error) {
    if (outcome.ok) throw error; // else fn's own error is the more useful one
  }
  const compromised = hold.disk.compromised;
  if (compromised) {
    throw new TreeLockError('ECOMPROMISED', compromised.message, { cause: outcome.ok ? compromised.cause : outcome.error });
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
