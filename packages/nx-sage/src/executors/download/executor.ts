import type { ExecutorContext } from '@nx/devkit';
import { runStub, stubMode } from '../common/stub';
import { ensureUpstream } from '../../stage/upstream';
import type { SpkgExecutorOptions } from '../common/options';
import { runPackageExecutor } from '../common/run-executor';

/**
 * `sage --package download`: SAGE_DISTFILES/<tarball> present and verified (see ensureUpstream).
 * Builds fetch their file themselves; this target fills SAGE_DISTFILES ahead of time (make download).
 */
export default async function downloadExecutor(options: SpkgExecutorOptions, context: ExecutorContext) {
  if (stubMode()) return runStub('download', options, context.root);
  return runPackageExecutor('download', options, context, async ({ layout, spkg, logger }) => {
    if (!(await ensureUpstream(layout, spkg, logger))) {
      logger.info(`${spkg.name} has no upstream file (source ${spkg.source}): nothing to download`);
    }
  });
}
