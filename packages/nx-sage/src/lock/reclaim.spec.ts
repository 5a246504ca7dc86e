import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryCreateHold } from './hold';
import { type HolderRecord, holderFileName, makeToken, serializeHolderRecord } from './holder-info';
import { getLocalProcess } from './host';
import { type LockLayout, ensureLockLayout, getLockLayout } from './layout';
import { collectTmpGarbage, reclaimReader, reclaimWriter } from './reclaim';

const local = getLocalProcess();
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

function recordFor(pid: number, mode: 'shared' | 'exclusive' = 'exclusive'): HolderRecord {
  const identity = { hostKey: local.hostKey, pid, pidStart: '' };
  return { ...identity, token: makeToken(identity), host: local.host, mode, since: Date.now() };
}

function plantWriter(layout: LockLayout, record: HolderRecord): void {
  mkdirSync(layout.writerDir);
  writeFileSync(join(layout.writerDir, holderFileName(record.token)), serializeHolderRecord(record));
}

const createWriterHold = (layout: LockLayout, record: HolderRecord) =>
  tryCreateHold({ layout, dir: layout.writerDir, record, staleMs: 30_000, updateMs: 3000, tree: '/t' });

describe('holds and reclaiming', () => {
  let layout: LockLayout;
  beforeEach(async () => {
    layout = getLockLayout(join(mkdtempSync(join(tmpdir(), 'nxsage-reclaim-')), 'local.nxsage-lock'));
    await ensureLockLayout(layout);
  });
  afterEach(() => rmSync(join(layout.lockDir, '..'), { recursive: true, force: true }));

  it('creates a hold with its holder file already inside, and refuses a taken dir', async () => {
    const first = await createWriterHold(layout, recordFor(process.pid));
    expect(first).toBeDefined();
    expect(readdirSync(layout.writerDir)).toEqual([holderFileName(first!.record.token)]);
    expect(await createWriterHold(layout, recordFor(process.pid))).toBeUndefined();
    expect(readdirSync(layout.tmpDir)).toEqual([]); // the loser's staging dir is gone
    await first!.release();
    expect(existsSync(layout.writerDir)).toBe(false);
  });

  it('takes over an empty writer dir (left by a crash between unlink and rmdir)', async () => {
    mkdirSync(layout.writerDir);
    const hold = await createWriterHold(layout, recordFor(process.pid));
    expect(hold).toBeDefined();
    await hold!.release();
  });

  it('lets only one of two reclaimers win, and never removes the next holder (proper-lockfile #121)', async () => {
    const dead = recordFor(deadPid());
    plantWriter(layout, dead);
    // Both judged the writer dead; they race.
    const results = await Promise.all([reclaimWriter(layout, dead.token, local), reclaimWriter(layout, dead.token, local)]);
    expect(results.sort()).toEqual([false, true]);
    // A new writer takes the lock; a late reclaimer that still acts on the old verdict must fail.
    const next = await createWriterHold(layout, recordFor(process.pid));
    expect(next).toBeDefined();
    expect(await reclaimWriter(layout, dead.token, local)).toBe(false);
    expect(readdirSync(layout.writerDir)).toEqual([holderFileName(next!.record.token)]);
    await next!.release();
  });

  it('removes a dead reader dir once, however many try', async () => {
    const record = recordFor(deadPid(), 'shared');
    mkdirSync(join(layout.readersDir, record.token));
    const results = await Promise.all([reclaimReader(layout, record.token, local), reclaimReader(layout, record.token, local)]);
    expect(results.sort()).toEqual([false, true]);
    expect(readdirSync(layout.readersDir)).toEqual([]);
  });

  it('releasing after losing the dir never touches the new holder', async () => {
    const mine = await createWriterHold(layout, recordFor(process.pid));
    // Somebody (wrongly) reclaims our dir and a new holder moves in.
    expect(await reclaimWriter(layout, mine!.record.token, local)).toBe(true);
    const next = await createWriterHold(layout, recordFor(process.pid));
    await mine!.release();
    expect(readdirSync(layout.writerDir)).toEqual([holderFileName(next!.record.token)]);
    await next!.release();
  });

  it('collects staging leftovers of dead local processes only', async () => {
    const deadToken = recordFor(deadPid()).token;
    const liveToken = recordFor(process.pid).token;
    mkdirSync(join(layout.tmpDir, deadToken));
    mkdirSync(join(layout.tmpDir, liveToken));
    writeFileSync(join(layout.tmpDir, `${deadToken}.trash`), '');
    await collectTmpGarbage(layout, local, 30_000);
    expect(readdirSync(layout.tmpDir)).toEqual([liveToken]);
  });
});
