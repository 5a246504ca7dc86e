import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveInstallMode, forcedInstallMode, installMutexDir, withInstallLock, withPackageLock } from './install-lock';
import type { LockWait, TreeLockOptions } from './types';
import { withTreeLock } from './with-tree-lock';

// Generous: these run real (in-process) locks, and a loaded CI machine is slow to the first hold.
jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('install modes (env)', () => {
  it('NX_SAGE_INSTALL_LOCK=exclusive forces every install exclusive; unset keeps the choice', () => {
    expect(forcedInstallMode({})).toBeUndefined();
    expect(effectiveInstallMode('additive', {})).toBe('additive');
    expect(effectiveInstallMode('additive', { NX_SAGE_INSTALL_LOCK: 'exclusive' })).toBe('exclusive');
    expect(effectiveInstallMode('exclusive', { NX_SAGE_INSTALL_LOCK: 'additive' })).toBe('exclusive');
    expect(() => forcedInstallMode({ NX_SAGE_INSTALL_LOCK: 'sometimes' })).toThrow(/NX_SAGE_INSTALL_LOCK must be/);
  });

  it('keeps the install mutex beside the tree lock', () => {
    expect(installMutexDir('/s/local')).toBe('/s/local.nxsage-lock.nxsage-install-lock');
    expect(installMutexDir('/s/local', '/locks/x')).toBe('/locks/x.nxsage-install-lock');
  });
});

describe('withInstallLock in one process', () => {
  let root: string;
  let tree: string;
  const waits: LockWait[] = [];
  const logged: string[] = [];
  const opts: TreeLockOptions = { log: (m) => logged.push(m), onWaited: (w) => waits.push(w) };
  /** Until a "waiting for" line was logged (a wait that is never logged is not a wait, by design). */
  const untilWaiting = async () => {
    for (let i = 0; i < 600 && !logged.some((m) => m.includes('waiting for')); i++) await sleep(50);
  };
  const saved = process.env.NX_SAGE_INSTALL_LOCK;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nxsage-install-lock-'));
    tree = join(root, 'local');
    mkdirSync(tree);
    waits.length = 0;
    logged.length = 0;
    delete process.env.NX_SAGE_INSTALL_LOCK;
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    if (saved === undefined) delete process.env.NX_SAGE_INSTALL_LOCK;
    else process.env.NX_SAGE_INSTALL_LOCK = saved;
  });

  /** A build: holds the tree lock shared until released. */
  async function holdBuild() {
    const entered = deferred();
    const release = deferred();
    const done = withTreeLock(tree, 'shared', async () => {
      entered.resolve();
      await release.promise;
    }, { ...opts, owner: 'longbuild', description: 'build longbuild' });
    await entered.promise;
    return { release: release.resolve, done };
  }

  it('an additive install runs while a build holds the tree shared', async () => {
    const build = await holdBuild();
    const mode = await withInstallLock(tree, 'additive', async (lock) => lock.mode, opts);
    expect(mode).toBe('shared');
    build.release();
    await build.done;
  });

  it('an exclusive install waits for the build, and the wait names it (onWaited)', async () => {
    const build = await holdBuild();
    let installed = false;
    const install = withInstallLock(tree, 'exclusive', async (lock) => {
      installed = true;
      return lock.mode;
    }, { ...opts, owner: 'pkg' });
    await untilWaiting();
    await sleep(300);
    expect(installed).toBe(false);
    build.release();
    expect(await install).toBe('exclusive');
    await build.done;
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ mode: 'exclusive', lockName: 'lock', holder: { owner: 'longbuild', mode: 'shared' } });
    expect(waits[0].waitedMs).toBeGreaterThanOrEqual(250);
  });

  it('control: NX_SAGE_INSTALL_LOCK=exclusive makes an additive install wait for the build', async () => {
    process.env.NX_SAGE_INSTALL_LOCK = 'exclusive';
    const build = await holdBuild();
    let installed = false;
    const install = withInstallLock(tree, 'additive', async (lock) => {
      installed = true;
      return lock.mode;
    }, opts);
    await untilWaiting();
    expect(installed).toBe(false);
    build.release();
    expect(await install).toBe('exclusive');
    await build.done;
  });

  it('the install mutex serialises installs: a second additive install waits for the first', async () => {
    const inside = deferred();
    const leave = deferred();
    const events: string[] = [];
    const first = withInstallLock(tree, 'additive', async () => {
      events.push('first in');
      inside.resolve();
      await leave.promise;
      events.push('first out');
    }, { ...opts, owner: 'first' });
    await inside.promise;
    const second = withPackageLock(tree, 'additive', async () => {
      events.push('second in');
    }, { ...opts, owner: 'second' });
    await untilWaiting();
    leave.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['first in', 'first out', 'second in']);
    expect(waits.map((w) => [w.lockName, w.mode, w.holder?.owner])).toEqual([['install lock', 'exclusive', 'first']]);
  });
});
