import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTogether, startWorker, useWorkerSandbox } from './__fixtures__/harness';

// A reinstall is ONE exclusive section: writers remove the marker package and put it back inside one
// hold; readers check it is present at the start and at the end of every shared hold.
describe('tree lock: reinstall atomicity', () => {
  const sandbox = useWorkerSandbox();

  async function reinstallWhileReading(env: Record<string, string>) {
    const tree = join(sandbox.dir, 'local');
    mkdirSync(join(tree, 'marker'), { recursive: true });
    writeFileSync(join(tree, 'marker', '__init__.py'), '');
    const durationMs = 1200;
    const writers = Array.from({ length: 2 }, () => startWorker({ mode: 'reinstall', tree, durationMs }, env));
    const readers = Array.from({ length: 4 }, () => startWorker({ mode: 'check', tree, durationMs }, env));
    await startTogether([...writers, ...readers]);
    const summaries = await Promise.all([...writers, ...readers].map(async (worker) => {
      const exit = await worker.exited;
      if (exit.code !== 0) throw new Error(`worker ${worker.pid} failed: ${exit.stderr}`);
      return JSON.parse((await worker.waitFor('DONE')).slice('DONE '.length)) as { reinstalls?: number; collisions?: number; holds?: number; misses?: number };
    }));
    const sum = (key: 'reinstalls' | 'collisions' | 'holds' | 'misses') => summaries.reduce((total, summary) => total + (summary[key] ?? 0), 0);
    return { reinstalls: sum('reinstalls'), collisions: sum('collisions'), holds: sum('holds'), misses: sum('misses') };
  }

  it('never lets a shared holder see the tree between uninstall and install', async () => {
    const { reinstalls, collisions, holds, misses } = await reinstallWhileReading({});
    expect(reinstalls).toBeGreaterThan(10);
    expect(collisions).toBe(0);
    expect(holds).toBeGreaterThan(10);
    expect(misses).toBe(0);
  }, 30_000);

  it('control: with locking disabled readers do see the marker missing', async () => {
    const { reinstalls, misses } = await reinstallWhileReading({ NX_SAGE_LOCK_DISABLED: '1' });
    expect(reinstalls).toBeGreaterThan(10);
    expect(misses).toBeGreaterThan(0);
  }, 30_000);
});
