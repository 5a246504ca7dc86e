import { installBatchMode } from './batch-mode';

describe('installBatchMode', () => {
  const decide = (env: Record<string, string> = {}, argv: string[] = [], entries = 5) => installBatchMode({ env, argv, cacheEntries: () => entries });

  it('turns batches off when every build will run: empty local cache or the cache skipped', () => {
    expect(decide({}, [], 0).batchMode).toBe('false');
    expect(decide({}, ['--skip-nx-cache']).batchMode).toBe('false');
    expect(decide({ NX_SKIP_NX_CACHE: 'true' }).batchMode).toBe('false');
  });

  it('keeps batches when builds come from the cache (no-op runs, restored trees)', () => {
    expect(decide()).toEqual({ why: expect.stringMatching(/cached builds/) });
  });

  it('keeps batches in a fresh clone (empty local cache) when a remote cache may serve the builds', () => {
    const fresh = (env: Record<string, string>, nxJson: Record<string, unknown> = {}, argv: string[] = []) =>
      installBatchMode({ env, argv, cacheEntries: () => 0, nxJson }).batchMode;
    expect(fresh({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://127.0.0.1:9000' })).toBeUndefined();
    expect(fresh({}, { s3: { bucket: 'b' } })).toBeUndefined();
    expect(fresh({}, { nxCloudId: 'abc' })).toBeUndefined();
    // Controls: no remote cache, cloud turned off, the remote cache skipped.
    expect(fresh({})).toBe('false');
    expect(fresh({ NX_NO_CLOUD: 'true' }, { nxCloudId: 'abc' })).toBe('false');
    expect(fresh({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://127.0.0.1:9000' }, {}, ['--skip-remote-cache'])).toBe('false');
  });

  it('leaves an explicit choice alone: NX_BATCH_MODE, --batch, NX_SAGE_INSTALL_BATCH', () => {
    expect(decide({ NX_BATCH_MODE: 'true' }, [], 0).batchMode).toBeUndefined();
    expect(decide({}, ['--batch'], 0).batchMode).toBeUndefined();
    expect(decide({ NX_SAGE_INSTALL_BATCH: 'always' }, ['--skip-nx-cache'], 0).batchMode).toBeUndefined();
    expect(decide({ NX_SAGE_INSTALL_BATCH: 'never' }).batchMode).toBe('false');
    expect(() => decide({ NX_SAGE_INSTALL_BATCH: 'sometimes' })).toThrow(/NX_SAGE_INSTALL_BATCH must be/);
  });

  it('does not look at the cache when the answer is already known', () => {
    const cacheEntries = jest.fn(() => 0);
    installBatchMode({ env: { NX_SAGE_INSTALL_BATCH: 'always' }, argv: [], cacheEntries });
    installBatchMode({ env: {}, argv: ['--skip-nx-cache'], cacheEntries });
    expect(cacheEntries).not.toHaveBeenCalled();
  });
});
