import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from '../tree/errors';
import { FileSwap, removeEmptyParents } from './file-swap';
import type { PackageLogger } from '../tree/logger';
import { isSafeManifestPath, removalOrder, stripLeadingSlash } from './manifest';
import { runScript } from '../stage/scripts';
import { readStamps, type StampFile } from './stamp';

export interface RemoveInstalledInput {
  pkg: string;
  tree: string;
  stampDir: string;
  pkgScriptsDir: string;
  logger: PackageLogger;
  signal?: AbortSignal;
  /** gmp/mpfr/mpc (Sage's --keep-files): only the stamps go, the files stay. */
  keepFiles?: boolean;
  /** Files the new version brings: they are replaced by the swap, not removed here. */
  keep?: ReadonlySet<string>;
  /** Record removals in this swap (undoable) instead of deleting. */
  swap?: FileSwap;
}

export interface RemoveInstalledResult {
  stamps: StampFile[];
  /** The stamp whose manifest was used (the newest), if any. */
  removedVersion?: string;
  removedFiles: number;
}

/**
 * sage-spkg-uninstall (build/sage_bootstrap/uninstall.py) for one package, under the caller's
 * exclusive lock: prerm (failure aborts), piprm (failure warns), the manifest's files and their
 * emptied directories, postrm (failure warns), the scripts directory, then every stamp.
 */
export async function removeInstalled(input: RemoveInstalledInput): Promise<RemoveInstalledResult> {
  const { pkg, tree, logger } = input;
  const stamps = readStamps(input.stampDir, pkg);
  const newest = stamps[stamps.length - 1];
  const result: RemoveInstalledResult = { stamps, removedVersion: newest?.version, removedFiles: 0 };
  const removeStamps = () => {
    for (const stamp of stamps) rmSync(stamp.file, { force: true });
  };
  if (!newest) return result;
  if (input.keepFiles) {
    logger.info(`keeping the files of ${pkg}-${newest.version} (toolchain package, as Sage's --keep-existing); removing its stamp only`);
    removeStamps();
    return result;
  }
  const files = newest.stamp?.files;
  if (!Array.isArray(files)) {
    logger.info(`old-style or unreadable stamp ${newest.file}: no manifest, files of ${pkg} (if any) are left in place`);
    removeStamps();
    return result;
  }

  const script = (name: string) => join(input.pkgScriptsDir, `spkg-${name}`);
  const runInstalled = async (name: string) =>
    existsSync(script(name)) ? runScript({ script: script(name), cwd: tree, env: {}, logger, signal: input.signal }) : 0;

  const prerm = await runInstalled('prerm');
  if (prerm !== 0) {
    throw new BuildError(`the pre-uninstall script of ${pkg}-${newest.version} failed (exit code ${prerm}); nothing was removed`, {
      code: 'EUNINSTALL',
      pkg,
      phase: 'uninstall',
      file: script('prerm'),
      logFile: logger.logFile,
      hint: 'repair the package state by hand (see the script), then retry',
    });
  }
  const piprm = await runInstalled('piprm');
  if (piprm !== 0) logger.info(`warning: the pip-uninstall script of ${pkg} failed (exit code ${piprm}); some files may be left behind`);

  for (const file of removalOrder(files)) {
    if (!isSafeManifestPath(file)) {
      logger.info(`warning: ignoring manifest entry outside the tree: ${file}`);
      continue;
    }
    const rel = stripLeadingSlash(file);
    if (input.keep?.has(rel)) continue;
    if (input.swap) input.swap.remove(rel);
    else {
      rmSync(join(tree, rel), { force: true });
      removeEmptyParents(tree, rel);
    }
    result.removedFiles++;
  }
  const postrm = await runInstalled('postrm');
  if (postrm !== 0) logger.info(`warning: the post-uninstall script of ${pkg} failed (exit code ${postrm})`);
  // Within an install the caller swaps the scripts directory itself (undoably).
  if (!input.swap) rmSync(input.pkgScriptsDir, { recursive: true, force: true });
  removeStamps();
  return result;
}
