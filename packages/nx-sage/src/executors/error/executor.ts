import type { ExecutorContext } from '@nx/devkit';

export interface ErrorExecutorOptions {
  package: string;
  /** The problem found when the graph was inferred (file:line, the construct, what to do). */
  message: string;
}

/**
 * The targets of a package whose metadata could not be read or evaluated: the workspace stays usable
 * (the graph never fails because of one package), and running the package says why it cannot build.
 */
export default async function errorExecutor(options: ErrorExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const target = `${context.projectName ?? options.package}:${context.targetName ?? 'build'}`;
  console.error(`nx-sage: cannot run ${target}: package '${options.package}' is broken\n${options.message}`);
  return { success: false };
}
