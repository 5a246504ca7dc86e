import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutSpkgEnv, spkgVariables } from './checkout-env';
import type { SageLayout, SpkgPaths } from '../tree/paths';

export interface SpkgEnvInput {
  layout: SageLayout;
  spkg: { name: string; versionWithPatchlevel: string; type: string; source: string };
  paths: SpkgPaths;
  /** The environment the executor runs in (process.env); only a few variables are taken from it. */
  baseEnv: Record<string, string | undefined>;
  /** SAGE_PKG_DIR: where the script cds to (the build directory). */
  pkgDir: string;
  /** A real Sage checkout (its env scripts decide flags); detected from SAGE_ROOT when not given. */
  checkout?: boolean;
}

/** Sage's own tooling is there: scripts get sage-env/sage-build-env as sage-spkg gives them. */
export function isSageCheckout(sageRoot: string): boolean {
  return existsSync(join(sageRoot, 'build', 'bin', 'sage-dist-helpers'));
}

const PATH_SEP = ':';

/**
 * The environment of spkg-* scripts, as sage-spkg + sage-env + sage-build-env set it up: Sage's
 * variables, the install tree first on every search path, and the compiler defaults, for trees
 * without Sage's tooling (our fixtures, demo/). A configured checkout gets checkoutSpkgEnv instead.
 * Pure apart from that detection (pass `checkout` to skip it); unit-tested as a table.
 */
export function buildSpkgEnv(input: SpkgEnvInput): Record<string, string> {
  if (input.checkout ?? isSageCheckout(input.layout.sageRoot)) return checkoutSpkgEnv(input);
  const { layout, spkg, paths, baseEnv } = input;
  const local = layout.sageLocal;
  const venv = layout.sageVenv;
  const prepend = (values: string[], current: string | undefined) =>
    [...values, ...(current ? current.split(PATH_SEP).filter(Boolean) : [])]
      .filter((v, i, all) => all.indexOf(v) === i)
      .join(PATH_SEP);
  const libDirs = [join(local, 'lib')];
  const env: Record<string, string> = {
    ...spkgVariables(input),
    SAGE_LOCAL: local,
    SAGE_VENV: venv,
    SAGE_SHARE: join(local, 'share'),
    SAGE_DISTFILES: layout.distfiles,
    SAGE_NUM_THREADS: String(layout.jobs),
    SAGE_NUM_THREADS_PARALLEL: String(layout.jobs),
    MAKE: `make -j${layout.jobs}`,
    // A child make must not inherit nx's or an outer make's jobserver settings.
    MAKEFLAGS: '',
    MFLAGS: '',
    UNAME: process.platform === 'darwin' ? 'Darwin' : process.platform === 'linux' ? 'Linux' : process.platform,
    PATH: prepend([join(venv, 'bin'), join(local, 'bin')], baseEnv.PATH),
    PKG_CONFIG_PATH: prepend([join(local, 'lib', 'pkgconfig'), join(local, 'share', 'pkgconfig')], baseEnv.PKG_CONFIG_PATH),
    CPATH: prepend([join(local, 'include')], baseEnv.CPATH),
    LIBRARY_PATH: prepend(libDirs, baseEnv.LIBRARY_PATH),
    LD_LIBRARY_PATH: prepend(libDirs, baseEnv.LD_LIBRARY_PATH),
    // -rpath so that programs and libraries built here find SAGE_LOCAL's libraries at run time.
    LDFLAGS: [`-L${join(local, 'lib')}`, `-Wl,-rpath,${join(local, 'lib')}`, baseEnv.LDFLAGS].filter(Boolean).join(' '),
    CPPFLAGS: [`-I${join(local, 'include')}`, baseEnv.CPPFLAGS].filter(Boolean).join(' '),
    CFLAGS: baseEnv.CFLAGS ?? '-O2 -g',
    CXXFLAGS: baseEnv.CXXFLAGS ?? '-O2 -g',
    FCFLAGS: baseEnv.FCFLAGS ?? '-O2 -g',
    // Packages must not pick up the user's site-packages or pip configuration.
    PYTHONNOUSERSITE: '1',
    PIP_CONFIG_FILE: '/dev/null',
    PIP_NO_INPUT: '1',
  };
  if (spkg.type === 'standard' && (spkg.source === 'normal' || spkg.source === 'wheel')) {
    // As sage-spkg: standard packages must not download anything while building.
    const proxy = 'http://192.0.2.0:5187/';
    Object.assign(env, { http_proxy: proxy, https_proxy: proxy, ftp_proxy: proxy, rsync_proxy: proxy });
  }
  for (const name of ['CC', 'CXX', 'FC', 'SAGE_DEBUG', 'SAGE_CHECK', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL']) {
    const value = baseEnv[name];
    if (value !== undefined && env[name] === undefined) env[name] = value;
  }
  return env;
}
