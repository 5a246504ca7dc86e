import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HolderRecord, holderFileName, makeToken, serializeHolderRecord } from './holder-info';
import { getLocalProcess } from './host';
import { TreeLockError, readLockHolders, withTreeLock } from './index';
import type { TreeLockMode, TreeLockOptions } from './types';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A pid that certainly belonged to a process of this host that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

/** Writes a hold dir the way another process would have left it. */
function plantHold(lockDir: string, mode: TreeLockMode, identity: { hostKey: string; pid: number; pidStart: string; host?: string }, ageMs = 0): string {
  const token = makeToken(identity);
  const record: HolderRecord = { ...identity, host: identity.host ?? 'elsewhere', token, mode, since: Date.now() - ageMs, owner: 'planted' };
  const dir = mode === 'exclusive' ? join(lockDir, 'writer') : join(lockDir, 'readers', token);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(lockDir, 'tmp'), { recursive: true });
  mkdirSync(join(lockDir, 'readers'), { recursive: true });
  writeFileSync(join(dir, holderFileName(token)), serializeHolderRecord(record));
  const mtime = new Date(Date.now() - ageMs);
  utimesSync(dir, mtime, mtime);
  return token;
}

describe('withTreeLock in one process', () => {
  let root: string;
  let tree: string;
  let lockDir: string;
  const quiet: TreeLockOptions = { log: () => undefined };
  const readers = () => readdirSync(join(lockDir, 'readers'));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nxsage-lock-unit-'));
    tree = join(root, 'local');
    lockDir = `${tree}.nxsage-lock`;
    mkdirSync(tree);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates the lock beside the tree on first use, never inside it, and leaves nothing held', async () => {
    expect(existsSync(lockDir)).toBe(false);
    const value = await withTreeLock(tree, 'exclusive', async (lock) => {
      expect(lock.mode).toBe('exclusive');
      expect(lock.signal.aborted).toBe(false);
      expect(readdirSync(join(lockDir, 'writer'))).toHaveLength(1);
      return 42;
    }, quiet);
    expect(value).toBe(42);
    expect(readdirSync(tree)).toEqual([]);
    expect(readdirSync(lockDir).sort()).toEqual(['readers', 'tmp']);
  });

  it('lets concurrent shared tasks of one process share one on-disk hold', async () => {
    const release = deferred();
    const first = withTreeLock(tree, 'shared', () => release.promise, quiet);
    await sleep(50);
    expect(readers()).toHaveLength(1);
    let secondRan = false;
    await withTreeLock(tree, 'shared', async () => {
      secondRan = true;
      expect(readers()).toHaveLength(1); // joined, no second reader dir
    }, quiet);
    expect(secondRan).toBe(true);
    expect(readers()).toHaveLength(1); // still held by the first task
    release.resolve();
    await first;
    expect(readers()).toHaveLength(0);
  });

  it('keeps two disk holds of one process apart: both heartbeat, releasing one keeps the other (proper-lockfile keys its table by file)', async () => {
    const heartbeat = { ...quiet, staleMs: 2000, updateMs: 1000 };
    const writer = deferred();
    const held = withTreeLock(tree, 'exclusive', () => writer.promise, quiet);
    await sleep(30);
    // Both wait behind the writer, so neither can join the other: two reader dirs.
    const [releaseA, releaseB] = [deferred(), deferred()];
    const a = withTreeLock(tree, 'shared', () => releaseA.promise, heartbeat);
    const b = withTreeLock(tree, 'shared', () => releaseB.promise, heartbeat);
    await sleep(50);
    writer.resolve();
    await held;
    await sleep(100);
    const dirs = readers();
    expect(dirs).toHaveLength(2);
    const mtimes = () => dirs.map((name) => statSync(join(lockDir, 'readers', name)).mtimeMs);
    const before = mtimes();
    await sleep(1600);
    const after = mtimes();
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    releaseA.resolve();
    await a;
    expect(readers()).toHaveLength(1);
    releaseB.resolve();
    await b;
    expect(readers()).toEqual([]);
  });

  it('makes an exclusive task wait for the shared tasks of its own process', async () => {
    const events: string[] = [];
    const release = deferred();
    const shared = withTreeLock(tree, 'shared', async () => {
      events.push('shared in');
      await release.promise;
      events.push('shared out');
    }, quiet);
    await sleep(30);
    const exclusive = withTreeLock(tree, 'exclusive', async () => void events.push('exclusive'), quiet);
    await sleep(100);
    expect(events).toEqual(['shared in']);
    release.resolve();
    await Promise.all([shared, exclusive]);
    expect(events).toEqual(['shared in', 'shared out', 'exclusive']);
  });

  it('prefers a waiting writer: a new shared task does not join the current hold', async () => {
    const events: string[] = [];
    const release = deferred();
    const first = withTreeLock(tree, 'shared', async () => {
      await release.promise;
      events.push('first reader out');
    }, quiet);
    await sleep(30);
    const writer = withTreeLock(tree, 'exclusive', async () => void events.push('writer'), quiet);
    await sleep(50);
    const late = withTreeLock(tree, 'shared', async () => void events.push('late reader'), quiet);
    await sleep(100);
    expect(events).toEqual([]);
    release.resolve();
    await Promise.all([first, writer, late]);
    expect(events).toEqual(['first reader out', 'writer', 'late reader']);
  });

  it('runs shared (and exclusive) inside exclusive on the same hold, without touching the disk', async () => {
    await withTreeLock(tree, 'exclusive', async () => {
      await withTreeLock(tree, 'shared', async (inner) => {
        expect(inner.mode).toBe('shared');
        expect(readers()).toEqual([]);
        await withTreeLock(tree, 'exclusive', async () => undefined, quiet);
      }, quiet);
    }, quiet);
    expect(readdirSync(lockDir).sort()).toEqual(['readers', 'tmp']);
  });

  it('refuses a shared → exclusive upgrade with ELOCKUPGRADE and still releases the shared hold', async () => {
    const attempt = withTreeLock(tree, 'shared', () => withTreeLock(tree, 'exclusive', async () => 'never', quiet), quiet);
    await expect(attempt).rejects.toMatchObject({ code: 'ELOCKUPGRADE', message: expect.stringContaining("Take 'exclusive' from the start") });
    expect(readers()).toEqual([]);
  });

  it('times out with an error naming the holder, after logging once who holds it', async () => {
    const messages: string[] = [];
    const release = deferred();
    const holder = withTreeLock(tree, 'exclusive', () => release.promise, { ...quiet, owner: 'numpy', description: 'pip install numpy' });
    await sleep(30);
    const error = await withTreeLock(tree, 'shared', async () => 'never', { timeoutMs: 300, pollMs: 20, log: (m) => messages.push(m) }).catch((e: unknown) => e);
    release.resolve();
    await holder;

    expect(error).toBeInstanceOf(TreeLockError);
    expect(error).toMatchObject({ code: 'ETIMEOUT', holder: { owner: 'numpy', mode: 'exclusive', pid: process.pid, description: 'pip install numpy' } });
    expect((error as Error).message).toMatch(/Timed out after 300 ms waiting for the shared lock on .*: exclusive hold by numpy \(pip install numpy\), pid \d+/);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/waiting for the shared lock .*exclusive hold by numpy .*pid \d+ on .* since \d{4}-/);
  });

  it('logs how long it waited once it gets the lock', async () => {
    const messages: string[] = [];
    const holder = withTreeLock(tree, 'exclusive', () => sleep(150), { ...quiet, owner: 'sagelib' });
    await sleep(20);
    await withTreeLock(tree, 'exclusive', async () => undefined, { log: (m) => messages.push(m) });
    await holder;
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('exclusive hold by sagelib');
    expect(messages[1]).toMatch(/got the exclusive lock on .* after \d+ ms/);
  });

  it('stops waiting on abort (EABORT) and leaves no writer dir behind', async () => {
    const release = deferred();
    const reader = withTreeLock(tree, 'shared', () => release.promise, quiet);
    await sleep(30);
    const controller = new AbortController();
    const writer = withTreeLock(tree, 'exclusive', async () => 'never', { ...quiet, signal: controller.signal });
    await sleep(50);
    expect(existsSync(join(lockDir, 'writer'))).toBe(true); // it took writer/ and waits for the reader
    controller.abort(new Error('user cancelled'));
    await expect(writer).rejects.toMatchObject({ code: 'EABORT' });
    expect(existsSync(join(lockDir, 'writer'))).toBe(false);
    release.resolve();
    await reader;
  });

  it('releases the lock when fn throws, and rethrows its error', async () => {
    await expect(withTreeLock(tree, 'exclusive', async () => {
      throw new Error('pip failed');
    }, quiet)).rejects.toThrow('pip failed');
    await expect(withTreeLock(tree, 'exclusive', async () => 'free again', { ...quiet, timeoutMs: 0 })).resolves.toBe('free again');
  });

  it('aborts the task and fails with ECOMPROMISED (no crash) when the hold is lost', async () => {
    let sawAbort = false;
    const result = withTreeLock(tree, 'exclusive', async (lock) => {
      // Someone else touches our dir: proper-lockfile's heartbeat sees an mtime that is not its own.
      const past = new Date(Date.now() - 60_000);
      utimesSync(join(lockDir, 'writer'), past, past);
      await new Promise<void>((resolve) => lock.signal.addEventListener('abort', () => resolve()));
      sawAbort = true;
      return 'done';
    }, { ...quiet, staleMs: 2000, updateMs: 1000 });
    await expect(result).rejects.toMatchObject({ code: 'ECOMPROMISED' });
    expect(sawAbort).toBe(true);
  }, 10_000);

  it('runs fn without any locking when disabled (option or NX_SAGE_LOCK_DISABLED=1)', async () => {
    await withTreeLock(tree, 'exclusive', async () => undefined, { ...quiet, disabled: true });
    process.env.NX_SAGE_LOCK_DISABLED = '1';
    try {
      await withTreeLock(tree, 'exclusive', async () => undefined, quiet);
    } finally {
      delete process.env.NX_SAGE_LOCK_DISABLED;
    }
    expect(existsSync(lockDir)).toBe(false);
  });

  it('reports holders for troubleshooting (readLockHolders)', async () => {
    expect(await readLockHolders(tree)).toEqual([]);
    const release = deferred();
    const reader = withTreeLock(tree, 'shared', () => release.promise, { ...quiet, owner: 'sagelib', description: 'build wheel' });
    await sleep(30);
    const writer = withTreeLock(tree, 'exclusive', async () => undefined, { ...quiet, owner: 'numpy' });
    await sleep(30);
    const holders = await readLockHolders(tree);
    expect(holders).toEqual([
      expect.objectContaining({ mode: 'exclusive', owner: 'numpy', pid: process.pid, host: getLocalProcess().host }),
      expect.objectContaining({ mode: 'shared', owner: 'sagelib', description: 'build wheel', pid: process.pid }),
    ]);
    expect(holders[1].since).toBeLessThanOrEqual(Date.now());
    release.resolve();
    await Promise.all([reader, writer]);
  });

  describe('holders left by other processes', () => {
    const local = () => getLocalProcess();

    it.each<[TreeLockMode, TreeLockMode]>([
      ['exclusive', 'exclusive'],
      ['exclusive', 'shared'],
      ['shared', 'exclusive'],
    ])('reclaims a dead local %s holder at once (not after staleMs) for a %s waiter', async (held, wanted) => {
      plantHold(lockDir, held, { hostKey: local().hostKey, pid: deadPid(), pidStart: '' });
      expect(await readLockHolders(tree)).toEqual([]); // the dead hold holds nothing
      const started = Date.now();
      await withTreeLock(tree, wanted, async () => undefined, { ...quiet, timeoutMs: 5000 });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(readdirSync(join(lockDir, 'readers'))).toEqual([]);
      expect(existsSync(join(lockDir, 'writer'))).toBe(false);
    });

    it('treats a reused pid (same pid, other start time) as dead', async () => {
      plantHold(lockDir, 'exclusive', { hostKey: local().hostKey, pid: process.pid, pidStart: '1' });
      await expect(withTreeLock(tree, 'exclusive', async () => 'ok', { ...quiet, timeoutMs: 1000 })).resolves.toBe('ok');
    });

    it('never breaks a live local holder, however old its heartbeat', async () => {
      // pid 1 is alive (and not ours to signal: EPERM counts as alive).
      plantHold(lockDir, 'shared', { hostKey: local().hostKey, pid: 1, pidStart: '' }, 10 * 60_000);
      await expect(withTreeLock(tree, 'exclusive', async () => 'never', { ...quiet, timeoutMs: 400, staleMs: 2000 })).rejects.toMatchObject({
        code: 'ETIMEOUT',
        holder: { pid: 1, mode: 'shared' },
      });
    });

    it('waits for a foreign-host holder with a fresh heartbeat, and reclaims it once its heartbeat stood still for staleMs here', async () => {
      plantHold(lockDir, 'exclusive', { hostKey: 'abcdef012345', pid: 4242, pidStart: '7', host: 'other-host' });
      await expect(withTreeLock(tree, 'shared', async () => 'never', { ...quiet, timeoutMs: 300, staleMs: 2000 })).rejects.toMatchObject({
        code: 'ETIMEOUT',
        holder: { host: 'other-host', pid: 4242 },
      });
      // An old mtime alone proves nothing (the holder's clock may be behind): the waiter must see it
      // unchanged for staleMs on its own clock (issue 13).
      const past = new Date(Date.now() - 3000);
      utimesSync(join(lockDir, 'writer'), past, past);
      const started = Date.now();
      await expect(withTreeLock(tree, 'shared', async () => 'ok', { ...quiet, timeoutMs: 6000, staleMs: 2000 })).resolves.toBe('ok');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    });
  });
});
