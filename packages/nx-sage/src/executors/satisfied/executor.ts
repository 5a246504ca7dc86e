import type { ExecutorContext } from '@nx/devkit';
import type { SpkgExecutorOptions } from '../common/options';

/** Install target of packages nothing is built for: source `none`, or provided by the system. */
export default async function satisfiedExecutor(options: SpkgExecutorOptions, _context: ExecutorContext) {
  const why =
    options.reason === 'system'
      ? 'is provided by the system (nx.json: system), as configure marks a usable system package'
      : 'is a dummy package (source none): Sage only records the equivalent system packages';
  console.log(`nx-sage: note: ${options.package} ${why}; nothing to build or install.`);
  return { success: true };
}
