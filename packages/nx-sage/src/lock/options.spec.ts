import { DEFAULT_POLL_MS, DEFAULT_STALE_MS, DEFAULT_TIMEOUT_MS, DEFAULT_UPDATE_MS, defaultLockDir, normalizeLockOptions } from './options';

describe('normalizeLockOptions', () => {
  const tree = '/sage/local';

  it('puts the lock beside the tree and applies the defaults', () => {
    const opts = normalizeLockOptions(tree, 'exclusive', {}, {});
    expect(opts).toMatchObject({
      tree,
      lockDir: '/sage/local.nxsage-lock',
      mode: 'exclusive',
      timeoutMs: DEFAULT_TIMEOUT_MS.exclusive,
      staleMs: DEFAULT_STALE_MS,
      updateMs: DEFAULT_UPDATE_MS,
      pollMs: DEFAULT_POLL_MS,
      disabled: false,
    });
    expect(defaultLockDir(tree)).toBe(opts.lockDir);
    expect(normalizeLockOptions(tree, 'shared', {}, {}).timeoutMs).toBe(DEFAULT_TIMEOUT_MS.shared);
  });

  it('reads NX_SAGE_LOCK_TIMEOUT_MS and NX_SAGE_LOCK_DISABLED; explicit options win', () => {
    const env = { NX_SAGE_LOCK_TIMEOUT_MS: '1500', NX_SAGE_LOCK_DISABLED: '1' };
    expect(normalizeLockOptions(tree, 'shared', {}, env)).toMatchObject({ timeoutMs: 1500, disabled: true });
    expect(normalizeLockOptions(tree, 'shared', { timeoutMs: 10, disabled: false }, env)).toMatchObject({ timeoutMs: 10, disabled: false });
    expect(normalizeLockOptions(tree, 'shared', {}, { NX_SAGE_LOCK_TIMEOUT_MS: 'Infinity' }).timeoutMs).toBe(Infinity);
    expect(normalizeLockOptions(tree, 'shared', {}, { NX_SAGE_LOCK_DISABLED: '0' }).disabled).toBe(false);
  });

  it("clamps stale and update the way proper-lockfile does, so foreign leases are judged with the holders' numbers", () => {
    expect(normalizeLockOptions(tree, 'shared', { staleMs: 100, updateMs: 10 }, {})).toMatchObject({ staleMs: 2000, updateMs: 1000 });
    expect(normalizeLockOptions(tree, 'shared', { staleMs: 10_000, updateMs: 9000 }, {})).toMatchObject({ staleMs: 10_000, updateMs: 5000 });
  });

  it('names the option, the expectation and the value when one is wrong', () => {
    expect(() => normalizeLockOptions(tree, 'shared', { pollMs: 0 }, {})).toThrow('The `pollMs` option must be a number ≥ 1: 0 (number)');
    expect(() => normalizeLockOptions(tree, 'shared', { timeoutMs: '5' as never }, {})).toThrow(TypeError);
    expect(() => normalizeLockOptions(tree, 'shared', {}, { NX_SAGE_LOCK_TIMEOUT_MS: 'soon' })).toThrow("NX_SAGE_LOCK_TIMEOUT_MS must be a number of milliseconds ≥ 0 (or Infinity): 'soon'");
    expect(() => normalizeLockOptions(tree, 'upgrade' as never, {}, {})).toThrow("The lock mode must be 'shared' or 'exclusive': upgrade");
  });
});
