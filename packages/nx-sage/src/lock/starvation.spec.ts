import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { msBetween, sleep, startTogether, startWorker, useWorkerSandbox } from './__fixtures__/harness';
import { type HoldInterval, checkIntervals, readIntervals } from './__fixtures__/intervals';
import { withTreeLock } from './index';

// Writer preference: 4 reader processes keep overlapping 200 ms shared holds going for 3.5 s, so some
// reader is always inside. A writer that starts waiting must get in within about one reader hold,
// not when the readers stop; and no reader may enter once it waits.
const READERS = 4;
const READER_HOLD_MS = 200;
const POLL_MS = 100;
const WAIT_BOUND_MS = READER_HOLD_MS + 2 * POLL_MS + 1000; // + margin for a loaded 2-core CI machine

describe('tree lock: writer starvation', () => {
  const sandbox = useWorkerSandbox();

  async function writerAmongReaders(disabled: boolean, readersRunMs: number) {
    const tree = join(sandbox.dir, 'local');
    const logDir = join(sandbox.dir, 'logs');
    mkdirSync(tree);
    mkdirSync(logDir);
    const readers = Array.from({ length: READERS }, (_, i) =>
      startWorker(
        { mode: 'readers', tree, logDir, durationMs: readersRunMs, delayMs: i * (READER_HOLD_MS / READERS), holdMs: READER_HOLD_MS },
        disabled ? { NX_SAGE_LOCK_DISABLED: '1' } : {},
      ),
    );
    await startTogether(readers);
    await sleep(500); // readers in their steady overlapping state
    const askedAt = process.hrtime.bigint();
    let waitingSince: bigint | undefined;
    const writer = await withTreeLock(tree, 'exclusive', async () => {
      const t0 = process.hrtime.bigint();
      await sleep(50);
      return { pid: process.pid, mode: 'exclusive', t0, t1: process.hrtime.bigint(), killed: false } satisfies HoldInterval;
    }, { disabled, pollMs: POLL_MS, log: (message) => void (message.includes('waiting') && (waitingSince ??= process.hrtime.bigint())) });
    const exits = await Promise.all(readers.map((reader) => reader.exited));
    const readerIntervals = readIntervals(logDir);
    return { askedAt, waitingSince, writer, exits, readerIntervals, check: checkIntervals([...readerIntervals, writer]) };
  }

  it('lets a waiting writer in after about one reader hold, and lets no new reader in meanwhile', async () => {
    const { askedAt, waitingSince, writer, exits, readerIntervals, check } = await writerAmongReaders(false, 3500);
    process.stdout.write(`writer waited ${msBetween(askedAt, writer.t0).toFixed(1)} ms behind ${READER_HOLD_MS} ms reader holds\n`);

    expect(exits.filter((exit) => exit.code !== 0)).toEqual([]);
    expect(check.violations).toEqual([]);
    expect(check.sharedOverlaps).toBeGreaterThan(0);
    expect(waitingSince).toBeDefined(); // it really had to wait for readers
    expect(msBetween(askedAt, writer.t0)).toBeLessThanOrEqual(WAIT_BOUND_MS);
    // Readers went on long after the writer, so a reader-preferring lock would have kept it out until then.
    expect(readerIntervals.some((interval) => interval.t0 > writer.t1 + 1_500_000_000n)).toBe(true);
    // A reader already past its check when the writer announced may still enter: allow 50 ms for that.
    const lateEntries = readerIntervals.filter((interval) => interval.t0 > waitingSince! + 50_000_000n && interval.t0 < writer.t0);
    expect(lateEntries).toEqual([]);
  }, 30_000);

  it('control: with locking disabled the writer overlaps the readers', async () => {
    const { exits, check } = await writerAmongReaders(true, 1000);
    expect(exits.filter((exit) => exit.code !== 0)).toEqual([]);
    expect(check.violations.length).toBeGreaterThan(0);
  }, 30_000);
});
