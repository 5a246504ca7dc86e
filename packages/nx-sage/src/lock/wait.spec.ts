import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TreeLockError } from './errors';
import { normalizeLockOptions } from './options';
import { ChangeFeed, Waiter, nextPollDelay } from './wait';

describe('nextPollDelay', () => {
  it('starts quick and is bounded by pollMs', () => {
    expect([0, 1, 2, 3, 4, 5, 30].map((round) => nextPollDelay(round, 100))).toEqual([10, 20, 40, 80, 100, 100, 100]);
    expect(nextPollDelay(0, 5)).toBe(5);
  });
});

describe('ChangeFeed', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nxsage-feed-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('wakes a waiter on a change in the directory long before the fallback poll', async () => {
    const feed = new ChangeFeed(dir);
    const unsubscribe = feed.subscribe();
    const version = feed.version;
    const started = performance.now();
    const waiting = feed.waitForChange(version, 5000);
    setTimeout(() => mkdirSync(join(dir, 'writer')), 20);
    await waiting;
    unsubscribe();
    expect(feed.version).toBeGreaterThan(version);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('falls back to the poll when nothing changes, and returns at once if a change was already seen', async () => {
    const feed = new ChangeFeed(join(dir, 'missing')); // cannot be watched: polling only
    const unsubscribe = feed.subscribe();
    const started = performance.now();
    await feed.waitForChange(feed.version, 30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    const version = feed.version;
    feed.notify();
    await feed.waitForChange(version, 60_000);
    unsubscribe();
  });
});

describe('Waiter', () => {
  const holder = { host: 'vm', hostKey: 'a', pid: 7, pidStart: '', token: 't', mode: 'exclusive' as const, since: Date.now(), owner: 'numpy' };

  it('arms first, then logs once, then times out naming the holder', async () => {
    const messages: string[] = [];
    const opts = normalizeLockOptions('/sage/local', 'shared', { timeoutMs: 80, pollMs: 10, log: (m) => messages.push(m) }, {});
    const feed = new ChangeFeed('/nonexistent-nxsage');
    const waiter = new Waiter(opts);
    const load = async () => holder;
    await waiter.blocked(feed, feed.version, load); // arming: returns at once, logs nothing
    expect(messages).toEqual([]);
    let error: unknown;
    try {
      for (;;) await waiter.blocked(feed, feed.version, load);
    } catch (e) {
      error = e;
    } finally {
      waiter.close();
    }
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('waiting for the shared lock on /sage/local: exclusive hold by numpy, pid 7 on vm');
    expect(error).toBeInstanceOf(TreeLockError);
    expect(error).toMatchObject({ code: 'ETIMEOUT', holder: { owner: 'numpy', pid: 7 } });
  });

  it('throws EABORT when the caller aborts', async () => {
    const controller = new AbortController();
    const opts = normalizeLockOptions('/sage/local', 'exclusive', { signal: controller.signal, log: () => undefined }, {});
    const feed = new ChangeFeed('/nonexistent-nxsage');
    const waiter = new Waiter(opts);
    setTimeout(() => controller.abort('stop'), 50);
    const waitUntilError = async () => {
      for (;;) await waiter.blocked(feed, feed.version, async () => holder);
    };
    await expect(waitUntilError()).rejects.toMatchObject({ code: 'EABORT' });
    waiter.close();
  });
});
