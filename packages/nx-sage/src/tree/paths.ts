import { join } from 'node:path';

/** Absolute locations of one Sage tree, resolved from the executor options. */
export interface SageLayout {
  workspaceRoot: string;
  /** SAGE_ROOT: the directory holding build/pkgs. */
  sageRoot: string;
  pkgsDir: string;
  sageLocal: string;
  sageVenv: string;
  distfiles: string;
  python: string;
  /** configure's SAGE_VENV_FLAGS, for build/bin/sage-venv. */
  venvFlags?: readonly string[];
  jobs: number;
  pipIndex?: string;
  /** Packages allowed to use an upstream file without a checksum (plugin option allowUnchecksummed). */
  allowUnchecksummed?: readonly string[];
}

/** The per-package paths sage-spkg derives from SAGE_INST_LOCAL and PKG_NAME. */
export interface SpkgPaths {
  /** SAGE_INST_LOCAL: the tree this package installs into. */
  tree: string;
  /** `<pkg>-<versionWithPatchlevel>`: stamp, log and build directory name (sage-spkg's PKG_NAME). */
  pkgName: string;
  /** SAGE_BUILD_DIR (shared by all packages). */
  buildRoot: string;
  /** SAGE_BUILD_DIR/PKG_NAME, recreated by every build. */
  buildDir: string;
  destdir: string;
  destdirLocal: string;
  stampDir: string;
  /** SAGE_SPKG_SCRIPTS of the tree. */
  scriptsRoot: string;
  /** SAGE_SPKG_SCRIPTS/<pkg>: installed prerm/piprm/postrm/check scripts. */
  pkgScriptsDir: string;
  wheelsDir: string;
  /** Where each install attempt unpacks the artifact (in its own `<pkg>.<pid>.<random>/`, swap/staging.ts). */
  installStagingRoot: string;
  logFile: string;
}

export type SageTreeName = 'SAGE_LOCAL' | 'SAGE_VENV' | 'SAGE_DOCS';

/** SAGE_LOCAL, SAGE_VENV or SAGE_DOCS (= SAGE_LOCAL, Sage's default) for a package's trees value. */
export function treeRoot(layout: SageLayout, trees: string): string {
  return trees === 'SAGE_VENV' ? layout.sageVenv : layout.sageLocal;
}

export function spkgPaths(
  layout: SageLayout,
  spkg: { name: string; versionWithPatchlevel: string; trees: string },
): SpkgPaths {
  const tree = treeRoot(layout, spkg.trees);
  const pkgName = `${spkg.name}-${spkg.versionWithPatchlevel}`;
  const buildRoot = join(layout.sageLocal, 'var', 'tmp', 'sage', 'build');
  const buildDir = join(buildRoot, pkgName);
  const destdir = join(buildDir, 'inst');
  const scriptsRoot = join(tree, 'var', 'lib', 'sage', 'scripts');
  return {
    tree,
    pkgName,
    buildRoot,
    buildDir,
    destdir,
    // SAGE_DESTDIR_LOCAL is a plain string concatenation in sage-spkg (the tree is absolute).
    destdirLocal: destdir + tree,
    stampDir: join(tree, 'var', 'lib', 'sage', 'installed'),
    scriptsRoot,
    pkgScriptsDir: join(scriptsRoot, spkg.name),
    wheelsDir: join(tree, 'var', 'lib', 'sage', 'wheels'),
    installStagingRoot: installStagingRoot(layout.sageLocal),
    logFile: join(layout.sageRoot, 'logs', 'pkgs', `${pkgName}.log`),
  };
}

/** Where install attempts stage (one directory each, swap/staging.ts). */
export const installStagingRoot = (sageLocal: string): string => join(sageLocal, 'var', 'tmp', 'sage', 'nx-install');

/** The venv's own interpreter (what `python3` means inside package scripts). */
export function venvPython(layout: SageLayout): string {
  return join(layout.sageVenv, 'bin', 'python3');
}
