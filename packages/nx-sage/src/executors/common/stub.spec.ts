import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree, spkgFiles } from '../../testing/temp-tree';
import { artifactContent, runStub, STUB_ARTIFACT, stubMode } from './stub';

describe('stub executors (NX_SAGE_STUB_BUILDS)', () => {
  let ws: string;
  let env: Record<string, string>;
  const options = { package: 'gmp', sageRoot: 'sage', sageLocal: 'local', artifactsDir: 'sage/local/var/lib/sage/nx-artifacts/gmp' };
  const runs = () => (existsSync(join(ws, 'stub/runs.log')) ? readFileSync(join(ws, 'stub/runs.log'), 'utf8') : '');
  const stamps = () => readdirSync(join(ws, 'sage/local/var/lib/sage/installed')).sort();
  const bump = (version: string) => writeFileSync(join(ws, 'sage/build/pkgs/gmp/package-version.txt'), `${version}\n`);

  beforeEach(() => {
    ws = makeTempTree(Object.fromEntries(Object.entries(spkgFiles('gmp', { 'package-version.txt': '6.3.0.p0\n', type: 'standard\n' })).map(([k, v]) => [`sage/${k}`, v])));
    env = { NX_SAGE_STUB_BUILDS: join(ws, 'stub') };
  });
  afterEach(() => removeTree(ws));

  it('is off unless NX_SAGE_STUB_BUILDS is set', () => {
    expect(stubMode({})).toBeNull();
    expect(stubMode({ NX_SAGE_STUB_BUILDS: '' })).toBeNull();
    expect(stubMode(env)).toBe(join(ws, 'stub'));
  });

  it('build writes a deterministic artifact from the version with patchlevel and logs one line', async () => {
    expect(await runStub('build', options, ws, env)).toEqual({ success: true });
    const artifact = join(ws, options.artifactsDir, STUB_ARTIFACT);
    expect(readFileSync(artifact, 'utf8')).toBe(artifactContent('gmp', '6.3.0.p0'));
    expect(runs()).toBe('build gmp\n');
    await runStub('build', options, ws, env);
    expect(readFileSync(artifact, 'utf8')).toBe(artifactContent('gmp', '6.3.0.p0'));
    expect(runs()).toBe('build gmp\nbuild gmp\n');
  });

  it('install changes the tree and logs only when the stamp is missing or the artifact differs', async () => {
    await runStub('build', options, ws, env);
    await runStub('install', options, ws, env);
    expect(stamps()).toEqual(['gmp-6.3.0.p0']);
    await runStub('install', options, ws, env); // up to date: no line
    expect(runs()).toBe('build gmp\ninstall gmp\n');

    bump('6.3.0.p1');
    await runStub('build', options, ws, env);
    await runStub('install', options, ws, env);
    expect(stamps()).toEqual(['gmp-6.3.0.p1']); // the old version's stamp is gone, as after sage-spkg
    expect(runs()).toBe('build gmp\ninstall gmp\nbuild gmp\ninstall gmp\n');
  });

  it('install reinstalls when the stamp records another artifact (control for the no-op check)', async () => {
    await runStub('build', options, ws, env);
    await runStub('install', options, ws, env);
    writeFileSync(join(ws, options.artifactsDir, STUB_ARTIFACT), 'another artifact\n');
    await runStub('install', options, ws, env);
    expect(runs()).toBe('build gmp\ninstall gmp\ninstall gmp\n');
  });

  it('reads the version through a textual symlink (gfortran/package-version.txt → ../gcc/...)', async () => {
    writeFileSync(join(ws, 'sage/build/pkgs/gmp/package-version.txt'), '../../../VERSION.txt\n');
    writeFileSync(join(ws, 'sage/VERSION.txt'), '10.10.beta4\n');
    await runStub('build', options, ws, env);
    await runStub('install', options, ws, env);
    expect(stamps()).toEqual(['gmp-10.10.beta4']);
  });

  it('install without a built artifact fails', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await runStub('install', options, ws, env)).toEqual({ success: false });
    expect(spy.mock.calls[0][0]).toMatch(/no artifact .*run the build target first/);
    spy.mockRestore();
  });

  it('uninstall logs only when it changes something; download does nothing', async () => {
    await runStub('download', options, ws, env);
    await runStub('build', options, ws, env);
    await runStub('install', options, ws, env);
    await runStub('uninstall', options, ws, env);
    await runStub('uninstall', options, ws, env);
    expect(runs()).toBe('build gmp\ninstall gmp\nuninstall gmp\n');
    expect(stamps()).toEqual([]);
  });
});
