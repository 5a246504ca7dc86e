import type { ExecutorContext } from '@nx/devkit';
import { runStub, stubMode } from '../common/stub';
import { installPackage } from '../../swap/install-package';
import { pythonMinorVersion, type SpkgExecutorOptions } from '../common/options';
import { prepareVenv } from '../../stage/venv';
import { runPackageExecutor, type TaskOutput } from '../common/run-executor';
import { recordTaskFacts } from '../../report/facts';

/**
 * Installs the artifact of `build` into the tree in ONE exclusive section (old version out, new
 * files in, deferred pip install, post-install, stamp), or does nothing when the tree already has it.
 */
export default function installExecutor(options: SpkgExecutorOptions, context: ExecutorContext) {
  return installTask(options, context);
}

/** One install, its console output to `output` (the build batch installs what it built: build/batch.ts). */
export async function installTask(options: SpkgExecutorOptions, context: ExecutorContext, output: TaskOutput = {}) {
  if (stubMode()) return runStub('install', options, context.root);
  return runPackageExecutor('install', options, context, async ({ layout, spkg, artifactsDir, logger, withLock }) => {
    if (spkg.trees === 'SAGE_VENV') await prepareVenv(layout, await pythonMinorVersion(layout.python), (m) => logger.info(m));
    const plan = await installPackage({ layout, spkg, artifactsDir, logger, withLock, baseEnv: process.env });
    recordTaskFacts(context.root, {
      project: context.projectName ?? spkg.name,
      target: context.targetName ?? 'install',
      installed: plan.action === 'skip' ? 'noop' : 'swapped',
    });
  }, output);
}
