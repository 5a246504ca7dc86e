// The tree lock: a cross-process, writer-preferring reader-writer lock on an install tree, built on
// proper-lockfile; plus the install mutex and the install modes built on it (install-lock.ts).
// Executors use withPackageLock (or withTreeLock); readLockHolders is for troubleshooting.
export type { HolderInfo, LockWait, TreeLockHandle, TreeLockMode, TreeLockOptions } from './types';
export { TreeLockError, type TreeLockErrorCode } from './errors';
export { withTreeLock } from './with-tree-lock';
export { readLockHolders } from './read-holders';
export { type InstallLockMode, type PackageLockMode, effectiveInstallMode, forcedInstallMode, installMutexDir, withInstallLock, withPackageLock } from './install-lock';
export { type AdditiveFacts, chooseInstallMode, countPresentDistributions, countPresentFiles, installOrder } from './install-mode';
