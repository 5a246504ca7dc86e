import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTogether, startWorker, useWorkerSandbox } from './__fixtures__/harness';
import { checkIntervals, readIntervals } from './__fixtures__/intervals';

// 8 processes × 60 operations, 20 % exclusive, holds of 0–8 ms: every hold logs its interval from
// inside the hold, and the checker looks for overlaps.
const WORKERS = 8;
const OPS = 60;

async function runStress(dir: string, env: Record<string, string> = {}) {
  const tree = join(dir, 'local');
  const logDir = join(dir, 'logs');
  mkdirSync(tree);
  mkdirSync(logDir);
  const workers = Array.from({ length: WORKERS }, () =>
    startWorker({ mode: 'stress', tree, logDir, ops: OPS, exclusiveRatio: 0.2, holdMaxMs: 8, gapMaxMs: 2 }, env),
  );
  await startTogether(workers);
  const exits = await Promise.all(workers.map((worker) => worker.exited));
  return { tree, exits, check: checkIntervals(readIntervals(logDir)) };
}

describe('tree lock: stress across processes', () => {
  const sandbox = useWorkerSandbox();

  it('never lets an exclusive hold overlap any other hold, while shared holds do overlap', async () => {
    const { tree, exits, check } = await runStress(sandbox.dir);

    expect(exits.filter((exit) => exit.code !== 0)).toEqual([]);
    expect(check.holds).toBe(WORKERS * OPS);
    expect(check.exclusive).toBeGreaterThan(0);
    expect(check.violations).toEqual([]);
    // A lock that serialised everything would pass the line above: sharing must be visible too.
    expect(check.sharedOverlaps).toBeGreaterThan(0);
    // Nothing leaked: no writer dir, no reader dirs, no staging leftovers.
    expect(readdirSync(`${tree}.nxsage-lock`).sort()).toEqual(['readers', 'tmp']);
    expect(readdirSync(`${tree}.nxsage-lock/readers`)).toEqual([]);
    expect(readdirSync(`${tree}.nxsage-lock/tmp`)).toEqual([]);
  }, 45_000);

  it('control: the same harness with locking disabled (NX_SAGE_LOCK_DISABLED=1) reports violations', async () => {
    const { exits, check } = await runStress(sandbox.dir, { NX_SAGE_LOCK_DISABLED: '1' });

    expect(exits.filter((exit) => exit.code !== 0)).toEqual([]);
    expect(check.holds).toBe(WORKERS * OPS);
    expect(check.violations.length).toBeGreaterThan(0);
  }, 45_000);
});
