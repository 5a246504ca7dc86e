import type { WithLock } from '../../swap/install-package';
import type { PackageLogger } from '../../tree/logger';
import { withTreeLock } from '../../lock';

/** The tree lock as one package takes it: held in its name, waits logged into its log. */
export function packageTreeLock(sageLocal: string, owner: string, logger: PackageLogger): WithLock {
  return (mode, description, fn) =>
    withTreeLock(sageLocal, mode, (lock) => fn(lock.signal), { owner, description, log: (m) => logger.info(m.replace(/^nx-sage: /, '')) });
}
