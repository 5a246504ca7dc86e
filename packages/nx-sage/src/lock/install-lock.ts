import { resolveTree, withTreeLock } from './with-tree-lock';
import { defaultLockDir } from './options';
import type { TreeLockHandle, TreeLockOptions } from './types';

/**
 * How an install holds the tree (the reasoning: lock/README.md, "Additive installs").
 *
 * - `additive`: a FRESH install (no stamp, no file of the artifact in the tree, none of its Python
 *   distributions in the venv, no pre/post-install script). It takes the install mutex, then the tree
 *   lock SHARED: builds keep running beside it, because adding a package that nothing installed
 *   before cannot take anything away from them (the seed race is a package being UNinstalled or
 *   reinstalled under a running build). Files land metadata last (installOrder), so a build that
 *   looks for the package through its metadata (dist-info, .pc) never finds half of it.
 * - `exclusive`: everything that removes or replaces files (reinstall, upgrade, uninstall): the
 *   install mutex, then the tree lock EXCLUSIVE, as before.
 *
 * The install mutex serialises installs among themselves (two pips in one venv, two packages that
 * ship the same file). Order is fixed: mutex first, tree lock second, never the other way round, so
 * the two locks cannot deadlock; the facts that made an install additive are checked again inside
 * both locks, where no other install and no exclusive holder can change them.
 */
export type InstallLockMode = 'additive' | 'exclusive';

/** Every mode a package's work asks for: builds and checks `shared`, installs one of InstallLockMode. */
export type PackageLockMode = 'shared' | InstallLockMode;

export const INSTALL_MUTEX_SUFFIX = '.nxsage-install-lock';

/**
 * NX_SAGE_INSTALL_LOCK=exclusive makes every install exclusive (the behaviour before additive
 * installs): the control of the lock-granularity test and the benchmark's comparison.
 */
export function forcedInstallMode(env: NodeJS.ProcessEnv = process.env): InstallLockMode | undefined {
  const value = env.NX_SAGE_INSTALL_LOCK?.trim().toLowerCase();
  if (!value) return undefined;
  if (value === 'exclusive' || value === 'additive') return value;
  throw new TypeError(`NX_SAGE_INSTALL_LOCK must be 'exclusive' or 'additive' (or unset): '${env.NX_SAGE_INSTALL_LOCK}'`);
}

/** The mode an install really takes: `exclusive` when forced, else what the install qualifies for. */
export function effectiveInstallMode(wanted: InstallLockMode, env: NodeJS.ProcessEnv = process.env): InstallLockMode {
  return forcedInstallMode(env) === 'exclusive' ? 'exclusive' : wanted;
}

/** The install mutex lives beside the tree lock (never inside the tree). */
export const installMutexDir = (tree: string, treeLockDir?: string): string =>
  treeLockDir ? `${treeLockDir}${INSTALL_MUTEX_SUFFIX}` : `${defaultLockDir(tree)}${INSTALL_MUTEX_SUFFIX}`;

/**
 * Runs an install's section: the install mutex, then the tree lock shared (`additive`) or exclusive.
 * `options` apply to both (owner, description, log, signal, timeouts); waits for the mutex are logged
 * as waits for "the exclusive install lock".
 */
export async function withInstallLock<T>(
  tree: string,
  mode: InstallLockMode,
  fn: (lock: TreeLockHandle) => Promise<T>,
  options: TreeLockOptions = {},
): Promise<T> {
  const treeMode = effectiveInstallMode(mode) === 'additive' ? 'shared' : 'exclusive';
  const real = await resolveTree(tree);
  return withTreeLock(
    real,
    'exclusive',
    (mutex) =>
      withTreeLock(tree, treeMode, fn, {
        ...options,
        signal: options.signal ? AbortSignal.any([options.signal, mutex.signal]) : mutex.signal,
      }),
    { ...options, lockDir: installMutexDir(real, options.lockDir), lockName: 'install lock' },
  );
}

/**
 * The lock a package's work takes on its tree: `shared` for builds and checks (the tree lock alone),
 * `additive` / `exclusive` for installs (withInstallLock).
 */
export function withPackageLock<T>(tree: string, mode: PackageLockMode, fn: (lock: TreeLockHandle) => Promise<T>, options: TreeLockOptions = {}): Promise<T> {
  return mode === 'shared' ? withTreeLock(tree, 'shared', fn, options) : withInstallLock(tree, mode, fn, options);
}
