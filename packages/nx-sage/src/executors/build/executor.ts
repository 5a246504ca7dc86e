import type { ExecutorContext } from '@nx/devkit';
import { runStub, stubMode } from '../common/stub';
import { buildPackage } from '../../stage/build-package';
import { ensurePcFiles } from '../../stage/pc-files';
import { preinstFile, runPreinstBeforeBuild } from '../../stage/preinst';
import { adoptionPlan, readAdoptionFacts } from '../../swap/adopt';
import { spkgPaths } from '../../tree/paths';
import type { SpkgExecutorOptions } from '../common/options';
import { runPackageExecutor, type TaskOutput } from '../common/run-executor';
import { dependencyInstalls } from './dependency-installs';
import { installDependencies } from './install-dependencies';
import { emulateSageOrder, uninstallBeforeBuild } from './sage-order';

/**
 * Builds one package into its artifact (options.artifactsDir, cached by Nx): first its prerequisites
 * into the tree (as make does before a build), then the build under the tree lock SHARED: installs of
 * other packages wait, other builds run alongside; the tree is not changed.
 */
export default function buildExecutor(options: SpkgExecutorOptions, context: ExecutorContext) {
  return buildTask(options, context);
}

/**
 * One build, its console output to `output` (the batch runs many in one process: batch.ts). `built`:
 * the package was really built (not a dummy, not adopted from make, not a stub), so its time says
 * how long its build takes.
 */
export async function buildTask(options: SpkgExecutorOptions, context: ExecutorContext, output: TaskOutput = {}): Promise<{ success: boolean; built: boolean }> {
  if (stubMode()) return { ...(await runStub('build', options, context.root)), built: false };
  let built = false;
  const result = await runPackageExecutor('build', options, context, async ({ layout, spkg, artifactsDir, logger, withLock }) => {
    if (spkg.source === 'none') {
      logger.info(`${spkg.name} is a dummy package (source none): nothing to build`);
      return;
    }
    // A tree built by make: a package whose make-written stamp and files are in place is not rebuilt.
    const adoption = adoptionPlan(readAdoptionFacts(layout, spkgPaths(layout, spkg), spkg.name, spkg.versionWithPatchlevel));
    if (adoption.adopt) {
      logger.info(`nothing to build: ${adoption.reason}`);
      return;
    }
    const started = Date.now();
    if (context.projectGraph && context.projectName) {
      const steps = dependencyInstalls(context.projectGraph, context.projectName);
      await installDependencies({
        pkg: spkg.name,
        layout,
        inVenv: spkg.trees === 'SAGE_VENV',
        steps,
        workspaceRoot: context.root,
        logger,
        baseEnv: process.env,
        task: { workspaceRoot: context.root, project: context.projectName, target: context.targetName ?? 'build' },
      });
    }
    if (options.pcFiles?.length) {
      // Written into the live SAGE_LOCAL (make's `rm -f` + link): exclusive, so no build sees one missing.
      const files = options.pcFiles;
      await withLock('exclusive', `pkg-config files for ${spkg.name}`, (signal) =>
        ensurePcFiles({ sageRoot: layout.sageRoot, sageLocal: layout.sageLocal, files, signal, log: (m) => logger.info(m) }),
      );
    }
    if (emulateSageOrder()) await uninstallBeforeBuild(layout, spkg, logger);
    if (preinstFile(spkg)) {
      await withLock('exclusive', `preinst ${spkg.name}`, (signal) => runPreinstBeforeBuild({ layout, spkg, logger, signal, baseEnv: process.env }));
    }
    const meta = await withLock('shared', `build ${spkg.name}`, (signal) =>
      buildPackage({ layout, spkg, artifactsDir, logger, signal, baseEnv: process.env }),
    );
    logger.info(`built ${meta.package}-${meta.version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    built = true;
  }, output);
  return { ...result, built };
}
