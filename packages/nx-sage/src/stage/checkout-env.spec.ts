import { buildSpkgEnv } from './env';
import { isCompleteEnv, wrapperExports } from './checkout-env';
import { spkgPaths, type SageLayout } from '../tree/paths';

const layout: SageLayout = {
  workspaceRoot: '/ws',
  sageRoot: '/ws/sage',
  pkgsDir: '/ws/sage/build/pkgs',
  sageLocal: '/ws/sage/local',
  sageVenv: '/ws/sage/local/var/lib/sage/venv-python3.12',
  distfiles: '/ws/sage/upstream',
  python: '/usr/bin/python3.12',
  jobs: 2,
};

describe('checkout env (what make + sage-spkg hand a package script)', () => {
  const spkg = { name: 'zlib', versionWithPatchlevel: '1.3.1', type: 'standard', source: 'normal', trees: 'SAGE_LOCAL' };
  const paths = spkgPaths(layout, spkg);
  const user = { PATH: '/usr/bin', HOME: '/root', MAKEFLAGS: '-j8 --jobserver-auth=3,4', MAKELEVEL: '1', NX_TASK_TARGET_PROJECT: 'zlib' };
  const env = buildSpkgEnv({ layout, spkg, paths, baseEnv: user, pkgDir: paths.buildDir, checkout: true });

  it('presets no CFLAGS/LDFLAGS/MAKEFLAGS: sage-build-env decides (-march, -O3)', () => {
    for (const name of ['CFLAGS', 'CXXFLAGS', 'FCFLAGS', 'LDFLAGS', 'CPPFLAGS', 'MAKEFLAGS', 'MAKELEVEL', 'MFLAGS']) expect(env[name]).toBeUndefined();
    expect(env.SAGE_LOCAL).toBeUndefined();
  });

  it("keeps the user's environment and CFLAGS/MAKE when set, drops nx's variables", () => {
    const mine = buildSpkgEnv({ layout, spkg, paths, baseEnv: { ...user, CFLAGS: '-O0', MAKE: 'make -j7' }, pkgDir: '/b', checkout: true });
    expect(mine).toMatchObject({ CFLAGS: '-O0', MAKE: 'make -j7', HOME: '/root' });
    expect(mine.NX_TASK_TARGET_PROJECT).toBeUndefined();
    expect(env.MAKE).toBe('make -j2');
  });

  it("sets sage-spkg's per-package variables and make's PATH prefix", () => {
    expect(env).toMatchObject({
      SAGE_INST_LOCAL: '/ws/sage/local',
      SAGE_DESTDIR: '/ws/sage/local/var/tmp/sage/build/zlib-1.3.1/inst',
      PKG_NAME: 'zlib-1.3.1',
      PKG_BASE: 'zlib',
      http_proxy: 'http://192.0.2.0:5187/',
    });
    expect(env.PATH).toBe('/ws/sage/src/bin:/ws/sage/local/bin:/ws/sage/build/bin:/usr/bin');
  });

  it('is the complete environment of the script (not merged over process.env)', () => {
    expect(isCompleteEnv(env)).toBe(true);
    expect(isCompleteEnv(buildSpkgEnv({ layout, spkg, paths, baseEnv: {}, pkgDir: '/b', checkout: false }))).toBe(false);
  });

  it("writes only sage-spkg's wrapper variables into a wrapper", () => {
    expect(Object.keys(wrapperExports(env)).sort()).toEqual(['PKG_BASE', 'PKG_NAME', 'PKG_VER', 'SAGE_PKG_DIR', 'SAGE_ROOT', 'SAGE_SPKG_SCRIPTS', 'SAGE_SPKG_WHEELS', 'SAGE_SRC']);
  });

  it('builds the editable packages as wheels (no write into the live venv from a build)', () => {
    const sagelib = { name: 'sagelib', versionWithPatchlevel: '10.10.beta4', type: 'standard', source: 'script', trees: 'SAGE_VENV' };
    expect(buildSpkgEnv({ layout, spkg: sagelib, paths: spkgPaths(layout, sagelib), baseEnv: { SAGE_EDITABLE: 'yes' }, pkgDir: '/b', checkout: true }).SAGE_EDITABLE).toBe('no');
    expect(env.SAGE_EDITABLE).toBeUndefined();
  });
});
