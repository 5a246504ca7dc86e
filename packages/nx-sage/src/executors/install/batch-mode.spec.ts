import { installBatchMode } from './batch-mode';

describe('installBatchMode', () => {
  const decide = (env: Record<string, string> = {}, argv: string[] = []) => installBatchMode({ env, argv });

  it('keeps batches by default, also when every build will run (the build batch is the fast path)', () => {
    expect(decide().batchMode).toBeUndefined();
    expect(decide({}, ['--skip-nx-cache']).batchMode).toBeUndefined();
    expect(decide({ NX_SAGE_INSTALL_BATCH: 'always' }).batchMode).toBeUndefined();
  });

  it('turns batches off for NX_SAGE_INSTALL_BATCH=never, and leaves an explicit NX_BATCH_MODE or --batch alone', () => {
    expect(decide({ NX_SAGE_INSTALL_BATCH: 'never' }).batchMode).toBe('false');
    expect(decide({ NX_SAGE_INSTALL_BATCH: 'never', NX_BATCH_MODE: 'true' }).batchMode).toBeUndefined();
    expect(decide({ NX_SAGE_INSTALL_BATCH: 'never' }, ['--batch']).batchMode).toBeUndefined();
    expect(() => decide({ NX_SAGE_INSTALL_BATCH: 'sometimes' })).toThrow(/NX_SAGE_INSTALL_BATCH must be/);
  });
});
