import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assertLockBuilt, makeTempDir, msBetween, removeDir, sleep, startTogether, startWorker, stopWorkers, type Worker } from './__fixtures__/harness';
import { checkIntervals, readIntervals } from './__fixtures__/intervals';
import { withTreeLock } from './index';
import type { TreeLockMode } from './types';

// Crash safety: holders killed with SIGKILL are found dead by pid (+ start time) within one poll, at
// the default staleMs of 30 s; a SIGSTOPped (stalled but alive) reader is never broken.
const RECOVERY_BOUND_MS = 1000 + 500; // the target (≤ 1 s) plus margin for a loaded 2-core CI machine
const disabledEnv = { NX_SAGE_LOCK_DISABLED: '1' };

describe('tree lock: crashed and stalled holders', () => {
  let dir: string;
  let tree: string;
  beforeAll(assertLockBuilt);
  beforeEach(() => {
    dir = makeTempDir();
    tree = join(dir, 'local');
    mkdirSync(tree);
  });
  afterEach(() => {
    stopWorkers();
    removeDir(dir);
  });

  /** A child takes `held` and is SIGKILLed mid-hold while this process waits for `wanted`. */
  async function killHolderWhileWaiting(held: TreeLockMode, wanted: TreeLockMode, disabled = false) {
    const victim = startWorker({ mode: 'hold', tree, lockMode: held, holdMs: 60_000 }, disabled ? disabledEnv : {});
    await victim.waitFor('HOLDING');
    const waiting = withTreeLock(tree, wanted, async () => process.hrtime.bigint(), { disabled, log: () => undefined, timeoutMs: 20_000 });
    await sleep(200); // the waiter is asleep on the lock now (or, disabled, already through)
    const killedAt = process.hrtime.bigint();
    victim.child.kill('SIGKILL');
    const enteredAt = await waiting;
    await victim.exited;
    return { enteredBeforeKill: enteredAt < killedAt, recoveryMs: msBetween(killedAt, enteredAt) };
  }

  it.each<[TreeLockMode, TreeLockMode]>([
    ['exclusive', 'exclusive'],
    ['exclusive', 'shared'],
    ['shared', 'exclusive'],
  ])('recovers from a SIGKILLed %s holder for a %s waiter within 1 s (default staleMs 30 s)', async (held, wanted) => {
    const { enteredBeforeKill, recoveryMs } = await killHolderWhileWaiting(held, wanted);
    expect(enteredBeforeKill).toBe(false);
    expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    expect(readdirSync(join(`${tree}.nxsage-lock`, 'tmp'))).toEqual([]);
  }, 15_000);

  it('control: with locking disabled the waiter does not wait for the holder', async () => {
    const { enteredBeforeKill } = await killHolderWhileWaiting('exclusive', 'exclusive', true);
    expect(enteredBeforeKill).toBe(true);
  }, 15_000);

  /** Survivors run mixed operations while victims in both modes are SIGKILLed mid-hold. */
  async function stressWithKills(env: Record<string, string>) {
    const logDir = join(dir, 'logs');
    mkdirSync(logDir);
    const survivors = Array.from({ length: 6 }, () =>
      startWorker({ mode: 'stress', tree, logDir, ops: 40, exclusiveRatio: 0.25, holdMaxMs: 10, gapMaxMs: 3, staleMs: 2000, updateMs: 1000 }, env),
    );
    const killedAt: Record<number, bigint> = {};
    const victims: Worker[] = [];
    await startTogether(survivors);
    for (const lockMode of ['exclusive', 'shared', 'exclusive', 'shared'] as const) {
      const victim = startWorker({ mode: 'hold', tree, logDir, lockMode, holdMs: 60_000, staleMs: 2000, updateMs: 1000 }, env);
      victims.push(victim);
      await victim.waitFor('HOLDING');
      await sleep(20 + Math.random() * 60);
      killedAt[victim.pid] = process.hrtime.bigint();
      victim.child.kill('SIGKILL');
    }
    const exits = await Promise.all(survivors.map((survivor) => survivor.exited));
    await Promise.all(victims.map((victim) => victim.exited));
    const intervals = readIntervals(logDir, killedAt);
    return { exits, intervals, check: checkIntervals(intervals) };
  }

  it('keeps 0 violations while holders in both modes are SIGKILLed mid-hold; survivors finish', async () => {
    const { exits, intervals, check } = await stressWithKills({});
    expect(exits.filter((exit) => exit.code !== 0)).toEqual([]);
    expect(intervals.filter((interval) => interval.killed).map((interval) => interval.mode).sort()).toEqual(['exclusive', 'exclusive', 'shared', 'shared']);
    expect(check.holds).toBe(6 * 40 + 4);
    expect(check.violations).toEqual([]);
    expect(check.sharedOverlaps).toBeGreaterThan(0);
  }, 40_000);

  it('control: the same run with locking disabled reports violations', async () => {
    const { exits, check } = await stressWithKills(disabledEnv);
    expect(exits.filter((exit) => exit.code !== 0)).toEqual([]);
    expect(check.violations.length).toBeGreaterThan(0);
  }, 40_000);

  /** A reader is SIGSTOPped for longer than staleMs while a writer waits; then continued. */
  async function stallReader(disabled: boolean, stallMs: number) {
    const options = { staleMs: 2000, updateMs: 1000 };
    const reader = startWorker({ mode: 'hold', tree, lockMode: 'shared', holdMs: 300, ...options }, disabled ? disabledEnv : {});
    await reader.waitFor('HOLDING');
    reader.child.kill('SIGSTOP');
    const writer = withTreeLock(tree, 'exclusive', async () => process.hrtime.bigint(), { ...options, disabled, log: () => undefined, timeoutMs: 20_000 });
    await sleep(stallMs);
    const readerDirs = disabled ? [] : readdirSync(join(`${tree}.nxsage-lock`, 'readers'));
    const heartbeatAgeMs = readerDirs.map((name) => Date.now() - statSync(join(`${tree}.nxsage-lock`, 'readers', name)).mtimeMs);
    const continuedAt = process.hrtime.bigint();
    reader.child.kill('SIGCONT');
    const writerEnteredAt = await writer;
    const released = await reader.waitFor('RELEASED');
    const exit = await reader.exited;
    return { writerEnteredAt, continuedAt, heartbeatAgeMs, readerAborted: released.split(' ')[2] === 'true', exit };
  }

  it('never breaks a stalled (SIGSTOPped) local reader, even past staleMs: the writer waits', async () => {
    // staleMs (2 s) + up to 1 s of future mtime (proper-lockfile's first precision probe sets the hold's
    // mtime to the next whole second + 5 ms) + margin.
    const { writerEnteredAt, continuedAt, heartbeatAgeMs, readerAborted, exit } = await stallReader(false, 3300);
    // Its heartbeat was older than staleMs: an mtime lease would have been broken by now.
    expect(heartbeatAgeMs).toEqual([expect.any(Number)]);
    expect(heartbeatAgeMs[0]).toBeGreaterThan(2000);
    expect(writerEnteredAt > continuedAt).toBe(true);
    expect(readerAborted).toBe(false); // its hold was never taken away
    expect(exit.code).toBe(0);
  }, 20_000);

  it('control: with locking disabled the writer enters while the reader is stopped', async () => {
    const { writerEnteredAt, continuedAt, exit } = await stallReader(true, 500);
    expect(writerEnteredAt < continuedAt).toBe(true);
    expect(exit.code).toBe(0);
  }, 20_000);
});
