import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSlotCount, withBuildSlot } from './build-slots';

describe('build slots', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nx-sage-slots-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Six 150 ms "builds" started together; the most that ran at the same time. */
  async function peakConcurrency(slots: number): Promise<number> {
    let running = 0;
    let peak = 0;
    const build = () =>
      withBuildSlot(join(dir, 'local'), slots, async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 150));
        running--;
      }, { pollMs: 20 });
    await Promise.all(Array.from({ length: 6 }, build));
    return peak;
  }

  it('lets no more than `slots` builds run at once', async () => {
    expect(await peakConcurrency(2)).toBe(2);
  });

  it('control: without a limit the same builds overlap beyond two (so the test above can see a missing limit)', async () => {
    expect(await peakConcurrency(Infinity)).toBeGreaterThan(2);
  });

  it('frees the slot when the build fails', async () => {
    await expect(withBuildSlot(join(dir, 'local'), 1, async () => Promise.reject(new Error('spkg-build failed')))).rejects.toThrow('spkg-build failed');
    await expect(withBuildSlot(join(dir, 'local'), 1, async () => 'next build ran')).resolves.toBe('next build ran');
  });

  it('says once that it waits, and gives up when aborted', async () => {
    const said: string[] = [];
    const controller = new AbortController();
    const holder = withBuildSlot(join(dir, 'local'), 1, () => new Promise((r) => setTimeout(r, 300)));
    await new Promise((r) => setTimeout(r, 50));
    const waiter = withBuildSlot(join(dir, 'local'), 1, async () => 'ran', { log: (m) => said.push(m), signal: controller.signal, pollMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort(new Error('stopped'));
    await expect(waiter).rejects.toThrow('stopped');
    await holder;
    expect(said).toEqual(['all 1 build slots are taken (NX_SAGE_BUILD_SLOTS); waiting for one']);
  });

  it('takes the count from NX_SAGE_BUILD_SLOTS, then the option, then the default; 0 means no limit', () => {
    expect(buildSlotCount(undefined, {})).toBe(4);
    expect(buildSlotCount(3, {})).toBe(3);
    expect(buildSlotCount(3, { NX_SAGE_BUILD_SLOTS: '8' })).toBe(8);
    expect(buildSlotCount(3, { NX_SAGE_BUILD_SLOTS: '0' })).toBe(Infinity);
    expect(buildSlotCount(undefined, { NX_SAGE_BUILD_SLOTS: '' })).toBe(4);
  });
});
