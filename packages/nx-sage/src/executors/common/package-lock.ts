import { basename } from 'node:path';
import type { WithLock } from '../../swap/install-package';
import type { PackageLogger } from '../../tree/logger';
import { type LockWait, withPackageLock } from '../../lock';
import { recordTaskFacts } from '../../report/facts';
import type { LockWaitFact } from '../../report/types';

/** The Nx task in whose name a process waits (the run report charges the wait to it). */
export interface WaitingTask {
  workspaceRoot: string;
  project: string;
  target: string;
}

/** A wait as the run report records it: the same wait, holder and number as the log's "got … after" line. */
export function lockWaitFact(wait: LockWait, section: string, logFile?: string): LockWaitFact {
  const h = wait.holder;
  const behind = h ? `${h.owner ?? `pid ${h.pid}`}${h.description ? ` (${h.description})` : ''}, ${h.mode}` : undefined;
  return {
    waitMs: Math.round(wait.waitedMs),
    mode: wait.mode,
    lock: wait.lockName === 'install lock' ? 'install' : 'tree',
    section,
    ...(behind ? { behind } : {}),
    ...(logFile ? { log: basename(logFile) } : {}),
  };
}

/**
 * The locks as one package takes them: held in its name, waits logged into its log and, when `task`
 * is given, recorded for the run report against that task (the build that installs a prerequisite,
 * the install task, the batch).
 */
export function packageTreeLock(sageLocal: string, owner: string, logger: PackageLogger, task?: WaitingTask, sectionSuffix = ''): WithLock {
  return (mode, description, fn) =>
    withPackageLock(sageLocal, mode, (lock) => fn(lock.signal), {
      owner,
      description,
      log: (m) => logger.info(m.replace(/^nx-sage: /, '')),
      onWaited: task
        ? (wait) => {
            const fact = lockWaitFact(wait, `${description}${sectionSuffix}`, logger.logFile);
            recordTaskFacts(task.workspaceRoot, {
              project: task.project,
              target: task.target,
              lockWaitMs: fact.waitMs,
              ...(fact.behind ? { lockHolders: [fact.behind] } : {}),
              lockWaits: [fact],
            });
          }
        : undefined,
    });
}
