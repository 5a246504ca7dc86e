import { buildSpkgEnv } from './env';
import { spkgPaths, type SageLayout } from '../tree/paths';

const layout: SageLayout = {
  workspaceRoot: '/ws',
  sageRoot: '/ws/sage',
  pkgsDir: '/ws/sage/build/pkgs',
  sageLocal: '/ws/sage/local',
  sageVenv: '/ws/sage/local/var/lib/sage/venv-python3.11',
  distfiles: '/ws/sage/upstream',
  python: 'python3',
  jobs: 3,
};

describe('buildSpkgEnv', () => {
  const spkg = { name: 'sqlite', versionWithPatchlevel: '3440200.p1', type: 'standard', source: 'normal', trees: 'SAGE_LOCAL' };
  const paths = spkgPaths(layout, spkg);
  const env = buildSpkgEnv({ layout, spkg, paths, baseEnv: { PATH: '/usr/bin:/bin', LDFLAGS: '-Lextra', MAKEFLAGS: '-j8 --jobserver-auth=3,4' }, pkgDir: paths.buildDir });

  it("sets sage-spkg's variables", () => {
    expect(env).toMatchObject({
      SAGE_ROOT: '/ws/sage',
      SAGE_LOCAL: '/ws/sage/local',
      SAGE_INST_LOCAL: '/ws/sage/local',
      SAGE_BUILD_DIR: '/ws/sage/local/var/tmp/sage/build',
      SAGE_DESTDIR: '/ws/sage/local/var/tmp/sage/build/sqlite-3440200.p1/inst',
      SAGE_DESTDIR_LOCAL: '/ws/sage/local/var/tmp/sage/build/sqlite-3440200.p1/inst/ws/sage/local',
      SAGE_SPKG_WHEELS: '/ws/sage/local/var/lib/sage/wheels',
      SAGE_SPKG_SCRIPTS: '/ws/sage/local/var/lib/sage/scripts',
      PKG_NAME: 'sqlite-3440200.p1',
      PKG_BASE: 'sqlite',
      PKG_VER: '3440200.p1',
      MAKE: 'make -j3',
      SAGE_NUM_THREADS: '3',
    });
  });

  it('puts the venv and SAGE_LOCAL first on the search paths and links with an rpath', () => {
    expect(env.PATH).toBe('/ws/sage/local/var/lib/sage/venv-python3.11/bin:/ws/sage/local/bin:/usr/bin:/bin');
    expect(env.LDFLAGS).toBe('-L/ws/sage/local/lib -Wl,-rpath,/ws/sage/local/lib -Lextra');
    expect(env.CPPFLAGS).toBe('-I/ws/sage/local/include');
    expect(env.PKG_CONFIG_PATH.split(':')[0]).toBe('/ws/sage/local/lib/pkgconfig');
    expect(env.LIBRARY_PATH).toBe('/ws/sage/local/lib');
    expect(env.CFLAGS).toBe('-O2 -g');
  });

  it("drops the outer jobserver and poisons the proxy for standard packages, as sage-spkg", () => {
    expect(env.MAKEFLAGS).toBe('');
    expect(env.http_proxy).toBe('http://192.0.2.0:5187/');
    const optional = buildSpkgEnv({ layout, spkg: { ...spkg, type: 'optional' }, paths, baseEnv: {}, pkgDir: paths.buildDir });
    expect(optional.http_proxy).toBeUndefined();
  });

  it('installs Python packages into the venv tree', () => {
    const py = { name: 'sqlpy', versionWithPatchlevel: '1.0', type: 'standard', source: 'normal', trees: 'SAGE_VENV' };
    const pyEnv = buildSpkgEnv({ layout, spkg: py, paths: spkgPaths(layout, py), baseEnv: {}, pkgDir: '/b' });
    expect(pyEnv.SAGE_INST_LOCAL).toBe(layout.sageVenv);
    expect(pyEnv.SAGE_SPKG_WHEELS).toBe(`${layout.sageVenv}/var/lib/sage/wheels`);
  });
});
