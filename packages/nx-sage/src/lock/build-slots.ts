import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as lockfile from 'proper-lockfile';

/** How many packages build at once unless NX_SAGE_BUILD_SLOTS or the build option `buildSlots` says otherwise. */
export const DEFAULT_BUILD_SLOTS = 4;

export interface BuildSlotOptions {
  /** Called once when every slot is taken and the build starts waiting. */
  log?: (message: string) => void;
  signal?: AbortSignal;
  /** How often a waiting build tries the slots again. */
  pollMs?: number;
}

/** Slot count from NX_SAGE_BUILD_SLOTS, else the option, else the default; 0 or less means no limit. */
export function buildSlotCount(option: number | undefined, env: Record<string, string | undefined> = process.env): number {
  const fromEnv = env.NX_SAGE_BUILD_SLOTS === undefined || env.NX_SAGE_BUILD_SLOTS === '' ? NaN : Number(env.NX_SAGE_BUILD_SLOTS);
  const n = Number.isFinite(fromEnv) ? fromEnv : (option ?? DEFAULT_BUILD_SLOTS);
  return n > 0 ? Math.floor(n) : Infinity;
}

/**
 * Runs `fn` holding one of `slots` build slots of the tree, a counting semaphore across processes (as
 * make's jobserver is for `make -jN`). Nx's `parallel` also counts cache lookups and no-op installs,
 * which cost nothing; with the limit here, nx.json's `parallel` can be high (a no-op run looks up all
 * builds at once) while no more than `slots` packages really build. Slots are proper-lockfile locks,
 * so the slot of a killed build is reclaimed once its lock goes stale.
 */
export async function withBuildSlot<T>(sageLocal: string, slots: number, fn: () => Promise<T>, options: BuildSlotOptions = {}): Promise<T> {
  if (!Number.isFinite(slots)) return fn();
  const dir = `${sageLocal}.nxsage-build-slots`;
  mkdirSync(dir, { recursive: true });
  const pollMs = options.pollMs ?? 200;
  let told = false;
  for (;;) {
    for (let i = 0; i < slots; i++) {
      const file = join(dir, `slot-${i}`);
      let release: (() => Promise<void>) | undefined;
      try {
        release = await lockfile.lock(file, { realpath: false, lockfilePath: `${file}.lock`, stale: 20_000, update: 5_000 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ELOCKED') continue;
        throw error;
      }
      try {
        return await fn();
      } finally {
        await release().catch(() => undefined);
      }
    }
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted while waiting for a build slot');
    if (!told) {
      options.log?.(`all ${slots} build slots are taken (NX_SAGE_BUILD_SLOTS); waiting for one`);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
