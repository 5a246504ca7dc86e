import type { ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from '../../tree/errors';
import { spkgPaths } from '../../tree/paths';
import { runScript } from '../../stage/scripts';
import { parseStamp, recordTestResult, stampIdentity } from '../../swap/stamp';
import { withExclusiveSwap } from '../../swap/exclusive';
import type { SpkgExecutorOptions } from '../common/options';
import { runPackageExecutor } from '../common/run-executor';

/**
 * Runs the installed spkg-check (sage-spkg's run_test_suite) in the build directory when it is
 * still there (kept with SAGE_CHECK=yes), else in the package directory; records the result in
 * the stamp's test_result as Sage does. Shared lock while the tests read the tree; the stamp is
 * rewritten in an exclusive section, and only if it still describes the install that was tested.
 */
export default async function checkExecutor(options: SpkgExecutorOptions, context: ExecutorContext) {
  return runPackageExecutor('check', options, context, async ({ layout, spkg, logger, withLock }) => {
    const paths = spkgPaths(layout, spkg);
    const script = join(paths.pkgScriptsDir, 'spkg-check');
    const stampFile = join(paths.stampDir, paths.pkgName);
    if (!existsSync(script)) {
      if (spkg.files.includes('spkg-check.in') || spkg.files.includes('spkg-check')) {
        throw new BuildError(`the test suite cannot run: ${script} is missing`, {
          code: 'ESCRIPT', pkg: spkg.name, phase: 'spkg-check', logFile: logger.logFile,
          hint: 'install (or re-install) the package first',
        });
      }
      logger.info(`${spkg.name} has no test suite`);
      return;
    }
    const { code, tested } = await withLock('shared', `check ${spkg.name}`, async (signal) => {
      const tested = existsSync(stampFile) ? stampIdentity(parseStamp(readFileSync(stampFile, 'utf8'))) : undefined;
      const code = await runScript({ script, cwd: existsSync(paths.buildDir) ? paths.buildDir : spkg.dir, env: {}, logger, signal });
      return { code, tested };
    });
    const recorded = await withExclusiveSwap(withLock, layout, `record the test result of ${spkg.name}`, (m) => logger.info(m), async () =>
      recordTestResult(stampFile, tested, code === 0),
    );
    if (!recorded && tested !== undefined) logger.info(`the stamp of ${paths.pkgName} changed while its tests ran (reinstalled or uninstalled): test result not recorded`);
    if (code !== 0) {
      throw new BuildError(`spkg-check failed with exit code ${code}`, { code: 'ESCRIPT', pkg: spkg.name, phase: 'spkg-check', logFile: logger.logFile });
    }
    logger.info(`passed the test suite of ${paths.pkgName}`);
  });
}
