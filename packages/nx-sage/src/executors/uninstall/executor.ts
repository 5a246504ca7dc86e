import type { ExecutorContext } from '@nx/devkit';
import { runStub, stubMode } from '../common/stub';
import { spkgPaths } from '../../tree/paths';
import { removeInstalled } from '../../swap/remove-installed';
import { withExclusiveSwap } from '../../swap/exclusive';
import type { SpkgExecutorOptions } from '../common/options';
import { runPackageExecutor } from '../common/run-executor';

/** sage-spkg-uninstall: removes exactly the files of the stamp's manifest (exclusive lock). */
export default async function uninstallExecutor(options: SpkgExecutorOptions, context: ExecutorContext) {
  if (stubMode()) return runStub('uninstall', options, context.root);
  return runPackageExecutor('uninstall', options, context, async ({ layout, spkg, logger, withLock }) => {
    const paths = spkgPaths(layout, spkg);
    await withExclusiveSwap(withLock, layout, `uninstall ${spkg.name}`, (m) => logger.info(m), async (signal) => {
      const result = await removeInstalled({
        pkg: spkg.name,
        tree: paths.tree,
        stampDir: paths.stampDir,
        pkgScriptsDir: paths.pkgScriptsDir,
        logger,
        signal,
        // As Sage's Makefile: toolchain packages are uninstalled with --keep-files only when rebuilt,
        // an explicit uninstall removes them.
        keepFiles: false,
      });
      if (!result.removedVersion) logger.info(`${spkg.name} is not installed in ${paths.tree}: nothing to remove`);
      else logger.info(`uninstalled ${spkg.name}-${result.removedVersion}: removed ${result.removedFiles} files`);
    });
  });
}

