import { join } from 'node:path';
import type { SageLayout, SpkgPaths } from '../tree/paths';

/**
 * Variables nx-sage must NOT set for a configured checkout: sage-env / sage-build-env treat a set
 * value as the user's override (CFLAGS → no -march, no -O3 for CFLAGS_O3 packages; MAKEFLAGS → sage-env
 * strips -j from MAKE). Only the user's own values pass through.
 */
export const LEFT_TO_SAGE_BUILD_ENV = ['CFLAGS', 'CXXFLAGS', 'FCFLAGS', 'F77FLAGS', 'LDFLAGS', 'CPPFLAGS', 'SAGE_EDITABLE', 'SAGE_WHEELS'] as const;

/** An outer make's (or nx's) jobserver must not reach a package's own make. */
export const JOBSERVER_VARIABLES = ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES'] as const;

/** What sage-spkg's script wrapper itself exports before sourcing Sage's env files (sage-spkg 10.10 l. 510-520). */
export const WRAPPER_EXPORTS = ['SAGE_ROOT', 'SAGE_SRC', 'SAGE_PKG_DIR', 'SAGE_SPKG_SCRIPTS', 'SAGE_SPKG_WHEELS', 'PKG_NAME', 'PKG_BASE', 'PKG_VER'] as const;

/** Packages whose spkg-install does `sdh_pip_editable_install` when SAGE_EDITABLE=yes (configure's default). */
export const EDITABLE_PACKAGES: ReadonlySet<string> = new Set(['sagelib', 'sage_setup', 'sage_docbuild']);

export interface CheckoutEnvInput {
  layout: SageLayout;
  spkg: { name: string; versionWithPatchlevel: string; type: string; source: string };
  paths: SpkgPaths;
  baseEnv: Record<string, string | undefined>;
  pkgDir: string;
}

/** sage-spkg's per-package variables (where the package builds, stages, installs and logs); every tree gets them. */
export function spkgVariables(input: Omit<CheckoutEnvInput, 'baseEnv'>): Record<string, string> {
  const { layout, spkg, paths } = input;
  return {
    SAGE_ROOT: layout.sageRoot,
    SAGE_SRC: join(layout.sageRoot, 'src'),
    SAGE_INST_LOCAL: paths.tree,
    SAGE_BUILD_DIR: paths.buildRoot,
    SAGE_DESTDIR: paths.destdir,
    SAGE_DESTDIR_LOCAL: paths.destdirLocal,
    SAGE_SPKG_INST: paths.stampDir,
    SAGE_SPKG_SCRIPTS: paths.scriptsRoot,
    SAGE_SPKG_WHEELS: paths.wheelsDir,
    SAGE_LOGS: join(layout.sageRoot, 'logs', 'pkgs'),
    SAGE_PKG_DIR: input.pkgDir,
    PKG_NAME: paths.pkgName,
    PKG_BASE: spkg.name,
    PKG_VER: spkg.versionWithPatchlevel,
  };
}

/**
 * The process environment of a package script in a configured Sage checkout: what make + sage-spkg
 * hand over (the user's environment, sage-spkg's per-package variables, make's PATH prefix), and
 * nothing more. Everything else (compiler flags, MAKE's default, SAGE_NUM_THREADS, SAGE_LOCAL,
 * pkg-config) is decided by Sage's own sage-env/sage-build-env, sourced by every script wrapper
 * and by the launcher of plain scripts. Pure: a function of its input only.
 */
export function checkoutSpkgEnv(input: CheckoutEnvInput): Record<string, string> {
  const { layout, spkg, paths, baseEnv } = input;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(baseEnv)) if (value !== undefined) env[name] = value;
  for (const name of JOBSERVER_VARIABLES) delete env[name];
  // nx's own variables are no business of a package build (and change its logs between runs).
  for (const name of Object.keys(env)) if (name.startsWith('NX_')) delete env[name];
  Object.assign(env, {
    ...spkgVariables(input),
    // make's per-package rule: PATH=$(SAGE_SRC)/bin:$(<tree>)/bin:$PATH; build/make/install adds build/bin.
    PATH: [join(layout.sageRoot, 'src', 'bin'), join(paths.tree, 'bin'), join(layout.sageRoot, 'build', 'bin'), baseEnv.PATH]
      .filter(Boolean)
      .join(':'),
  });
  // Under make a package's own make shares make's jobserver; nx has none, so a user without MAKE
  // gets the per-package share of nx's parallelism, the same default nx-sage's own trees use.
  if (!baseEnv.MAKE) env.MAKE = `make -j${layout.jobs}`;
  if (spkg.type === 'standard' && (spkg.source === 'normal' || spkg.source === 'wheel')) {
    const proxy = 'http://192.0.2.0:5187/';
    Object.assign(env, { http_proxy: proxy, https_proxy: proxy, ftp_proxy: proxy, rsync_proxy: proxy });
  }
  // Editable installs write into the live venv: under nx they build a wheel instead (see docs/sage-checkout-scripts.md).
  if (EDITABLE_PACKAGES.has(spkg.name)) env.SAGE_EDITABLE = 'no';
  COMPLETE_ENVS.add(env);
  return env;
}

/** Environments that are the whole environment of a script (not to be merged into process.env). */
const COMPLETE_ENVS = new WeakSet<object>();

export function isCompleteEnv(env: object): boolean {
  return COMPLETE_ENVS.has(env);
}

/** The part of the environment written into a wrapper (exactly sage-spkg's), the rest is inherited. */
export function wrapperExports(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of WRAPPER_EXPORTS) if (env[name] !== undefined) out[name] = env[name];
  return out;
}
