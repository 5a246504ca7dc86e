import { resolveOptions } from './options';

jest.mock('../../process/run', () => ({ run: jest.fn() }));

describe('resolveOptions', () => {
  const minor = async () => '3.12';
  const options = { package: 'gmp', sageRoot: 'sage', artifactsDir: 'sage/local/var/lib/sage/nx-artifacts/gmp' };

  it('resolves workspace-relative options to absolute paths with Sage defaults', async () => {
    const { layout, artifactsDir } = await resolveOptions(options, '/ws', {}, minor);
    expect(layout).toMatchObject({
      sageRoot: '/ws/sage',
      pkgsDir: '/ws/sage/build/pkgs',
      sageLocal: '/ws/sage/local',
      sageVenv: '/ws/sage/local/var/lib/sage/venv-python3.12',
      distfiles: '/ws/sage/upstream',
      python: 'python3',
    });
    expect(artifactsDir).toBe('/ws/sage/local/var/lib/sage/nx-artifacts/gmp');
  });

  it('lets SAGE_DISTFILES, SAGE_NUM_THREADS and NX_SAGE_PIP_INDEX override', async () => {
    const { layout } = await resolveOptions({ ...options, pipIndex: 'wheels' }, '/ws', { SAGE_DISTFILES: '/cache/up', SAGE_NUM_THREADS: '7', NX_SAGE_PIP_INDEX: 'https://example.invalid/simple' }, minor);
    expect(layout).toMatchObject({ distfiles: '/cache/up', jobs: 7, pipIndex: 'https://example.invalid/simple' });
    const local = await resolveOptions({ ...options, pipIndex: 'wheels', sageVenv: 'venv', jobs: 2 }, '/ws', {}, minor);
    expect(local.layout).toMatchObject({ pipIndex: '/ws/wheels', sageVenv: '/ws/sage/venv', jobs: 2 });
  });

  it('passes configure\'s SAGE_VENV_FLAGS on as words (none when unset)', async () => {
    expect((await resolveOptions({ ...options, venvFlags: ' --system-site-packages  --clear' }, '/ws', {}, minor)).layout.venvFlags).toEqual(['--system-site-packages', '--clear']);
    expect((await resolveOptions(options, '/ws', {}, minor)).layout).not.toHaveProperty('venvFlags');
  });

  it('names a missing option', async () => {
    await expect(resolveOptions({ ...options, package: '' }, '/ws', {}, minor)).rejects.toThrow(/option 'package' is required/);
  });
});
