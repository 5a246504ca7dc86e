// The tree lock: a cross-process, writer-preferring reader-writer lock on an install tree, built on
// proper-lockfile. Executors use withTreeLock; readLockHolders is for troubleshooting.
export type { HolderInfo, TreeLockHandle, TreeLockMode, TreeLockOptions } from './types';
export { TreeLockError, type TreeLockErrorCode } from './errors';
export { withTreeLock } from './with-tree-lock';
export { readLockHolders } from './read-holders';
