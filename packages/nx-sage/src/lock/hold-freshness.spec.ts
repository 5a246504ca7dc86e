import { mkdtempSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagedHold } from './hold';
import { type HolderRecord, holderFileName, makeToken, serializeHolderRecord } from './holder-info';
import { getLocalProcess } from './host';
import { inspectWriter } from './inspect';
import { type LockLayout, ensureLockLayout, getLockLayout } from './layout';

/*
 * Issue 13: a hold taken by a process on ANOTHER host (simulated: its token carries a foreign host key,
 * so waiters here can only judge it by its heartbeat) after a long wait must look fresh at once, and
 * skewed clocks must not make it look stale.
 */
const local = getLocalProcess();
const STALE_MS = 2000;
const foreignRecord = (): HolderRecord => {
  const identity = { hostKey: 'f0f0f0f0f0f0', pid: 4242, pidStart: '' };
  return { ...identity, token: makeToken(identity), host: 'other-host', mode: 'exclusive', since: Date.now() };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function verdictsFor(layout: LockLayout, ms: number): Promise<string[]> {
  const seen: string[] = [];
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    const view = await inspectWriter(layout, local, STALE_MS);
    seen.push(view.kind === 'held' ? view.verdict : 'free');
  }
  return seen;
}

describe('foreign-host holds: fresh when taken, staleness on the waiter\'s clock', () => {
  let layout: LockLayout;
  beforeEach(async () => {
    layout = getLockLayout(join(mkdtempSync(join(tmpdir(), 'nxsage-fresh-')), 'local.nxsage-lock'));
    await ensureLockLayout(layout);
  });
  afterEach(() => rmSync(join(layout.lockDir, '..'), { recursive: true, force: true }));

  it('a hold taken after a long wait is not judged stale by a waiter during its first seconds', async () => {
    const staged = await StagedHold.create({ layout, dir: layout.writerDir, record: foreignRecord(), staleMs: STALE_MS, updateMs: 1000, tree: '/t' });
    // It was staged an hour ago (a long wait; or the holder's clock is an hour behind).
    const stagingDir = join(layout.tmpDir, staged['params'].record.token);
    const old = new Date(Date.now() - 3600_000);
    utimesSync(stagingDir, old, old);
    // Control: the rename keeps that mtime, which the old rule (mtime older than stale) called stale.
    expect(statSync(stagingDir).mtimeMs).toBeLessThan(Date.now() - STALE_MS);

    const before = Date.now();
    const hold = await staged.tryTake();
    expect(hold).toBeDefined();
    try {
      expect(statSync(layout.writerDir).mtimeMs).toBeGreaterThanOrEqual(before - 1000); // touched at take-over
      const verdicts = await verdictsFor(layout, 1500);
      expect(verdicts.length).toBeGreaterThan(5);
      expect(verdicts.filter((v) => v !== 'live')).toEqual([]);
    } finally {
      await hold!.release();
    }
  }, 30_000);

  it('a foreign heartbeat far in the past (clock skew) is live while it moves, stale once it stops for staleMs', async () => {
    const record = foreignRecord();
    mkdirSync(layout.writerDir);
    writeFileSync(join(layout.writerDir, holderFileName(record.token)), serializeHolderRecord(record));
    const skewed = () => new Date(Date.now() - 3600_000); // the holder's clock is an hour behind ours
    utimesSync(layout.writerDir, skewed(), skewed());
    const beating = setInterval(() => utimesSync(layout.writerDir, skewed(), skewed()), 300);
    let alive: string[];
    try {
      alive = await verdictsFor(layout, 2500);
    } finally {
      clearInterval(beating);
    }
    expect(alive.filter((v) => v !== 'live')).toEqual([]);
    // The heartbeat stopped: stale only after staleMs measured here.
    const after = await verdictsFor(layout, STALE_MS + 1200);
    expect(after[0]).toBe('live');
    expect(after[after.length - 1]).toBe('stale');
  }, 30_000);
});
