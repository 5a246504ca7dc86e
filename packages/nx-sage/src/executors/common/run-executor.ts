import type { ExecutorContext } from '@nx/devkit';
import { BuildError } from '../../tree/errors';
import type { WithLock } from '../../swap/install-package';
import { openPackageLogger, type PackageLogger } from '../../tree/logger';
import { spkgPaths, type SageLayout } from '../../tree/paths';
import { readSpkg, SpkgError, type Spkg } from '../../spkg';
import { resolveOptions, type SpkgExecutorOptions } from './options';
import { packageTreeLock } from './package-lock';

export interface ExecutorScope {
  layout: SageLayout;
  spkg: Spkg;
  artifactsDir: string;
  logger: PackageLogger;
  withLock: WithLock;
  options: SpkgExecutorOptions;
}

/** Where a task's console output goes besides the terminal (a batch keeps each task's own output). */
export interface TaskOutput {
  /** Takes every console line of the task, failures included (default: process.stdout, failures to stderr). */
  echo?: (text: string) => void;
}

/**
 * Shared frame of the package executors: resolve options, read the package, open its log, give
 * the body a lock helper; turn failures into one message naming package, phase and log.
 */
export async function runPackageExecutor(
  verb: string,
  options: SpkgExecutorOptions,
  context: ExecutorContext,
  body: (scope: ExecutorScope) => Promise<void>,
  output: TaskOutput = {},
): Promise<{ success: boolean }> {
  let logger: PackageLogger | undefined;
  try {
    const { layout, artifactsDir } = await resolveOptions(options, context.root);
    const spkg = readSpkg(layout.pkgsDir, options.package);
    const paths = spkgPaths(layout, spkg);
    logger = openPackageLogger({ logFile: paths.logFile, label: paths.pkgName, quiet: process.env.NX_SAGE_QUIET === '1', echo: output.echo });
    const log = logger;
    log.info(`${verb} ${paths.pkgName} (${new Date().toISOString()})`);
    // Lock waits feed the run report (who waited, how long, behind whom): the same waits as the log's.
    const withLock = packageTreeLock(layout.sageLocal, spkg.name, log, {
      workspaceRoot: context.root,
      project: context.projectName ?? spkg.name,
      target: context.targetName ?? verb,
    });
    await body({ layout, spkg, artifactsDir, logger: log, withLock, options });
    return { success: true };
  } catch (error) {
    reportFailure(verb, options.package, error, logger, output);
    return { success: false };
  } finally {
    logger?.close();
  }
}

function reportFailure(verb: string, pkg: string, error: unknown, logger: PackageLogger | undefined, output: TaskOutput): void {
  const message =
    error instanceof BuildError || error instanceof SpkgError
      ? error.message
      : `package '${pkg}', ${verb}: ${(error as Error)?.stack ?? String(error)}${logger ? `\n  log:  ${logger.logFile}` : ''}`;
  if (logger) logger.info(`FAILED: ${message}`);
  const text = `\nnx-sage: ${verb} of '${pkg}' failed:\n${message}\n`;
  if (output.echo) output.echo(`${text}\n`);
  else console.error(text);
}
