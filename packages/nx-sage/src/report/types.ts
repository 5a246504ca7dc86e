/** What an executor knows about its own task that Nx does not: lock waits and what install did. */
export interface TaskFacts {
  project: string;
  target: string;
  /** Time spent waiting for the tree lock, in ms. */
  lockWaitMs?: number;
  /** Who held the lock while this task waited (e.g. `flint:install (pid 4242)`). */
  lockHolders?: string[];
  /** Every wait of this task for a lock, in the order they ended (lockWaitMs is their sum). */
  lockWaits?: LockWaitFact[];
  /** What install did: built in place, swapped a staged build in, or nothing (already installed). */
  installed?: 'built' | 'swapped' | 'noop';
}

/**
 * One wait for a lock by a task's process: the same wait as one "got the … lock … after" line of the
 * package log named by `log`.
 */
export interface LockWaitFact {
  waitMs: number;
  /** shared / exclusive, of the tree lock or of the install lock (the install mutex). */
  mode: 'shared' | 'exclusive';
  lock: 'tree' | 'install';
  /** What the section was for: `build sagelib`, `install gmp (prerequisite of sagelib)`, `install batch: a b`. */
  section: string;
  /** Who held the lock when the wait began (`singular (build singular), shared`). */
  behind?: string;
  /** The package log holding the wait's lines (its file name). */
  log?: string;
}

/** One task of the run, from Nx's task results (see hooks.ts). */
export interface RunTask {
  id: string;
  project: string;
  target: string;
  status: 'success' | 'failure' | 'skipped' | 'stopped' | 'local-cache' | 'local-cache-kept-existing' | 'remote-cache';
  startTime?: number;
  endTime?: number;
}

/** Task id → ids of the tasks of this run it depends on (the shape of Nx's TaskGraph.dependencies). */
export interface RunTaskGraph {
  dependencies: Record<string, string[]>;
}

/** built: ran and succeeded; cached: restored from the local or remote cache; failed includes stopped. */
export type TaskOutcome = 'built' | 'cached' | 'skipped' | 'failed';

export type OutcomeCounts = Record<TaskOutcome, number> & { tasks: number };

export interface ReportTask {
  id: string;
  project: string;
  target: string;
  status: RunTask['status'];
  outcome: TaskOutcome;
  durationMs: number;
  lockWaitMs?: number;
  lockHolders?: string[];
  lockWaits?: LockWaitFact[];
  installed?: TaskFacts['installed'];
}

export interface RunReport {
  version: 1;
  startTime?: number;
  endTime?: number;
  /** Wall time of the run (the hooks' start/end, else first start to last end). */
  wallMs: number;
  counts: OutcomeCounts;
  byTarget: Record<string, OutcomeCounts>;
  /** What the install tasks that reported facts did. */
  installs: Record<NonNullable<TaskFacts['installed']>, number>;
  tasks: ReportTask[];
  /** The slowest tasks that ran (not cached), longest first. */
  slowest: Array<{ id: string; durationMs: number }>;
  lockWait: {
    totalMs: number;
    /** Number of waits (each one "got … after" line in a package log). */
    waits: number;
    /** Waits and their time per lock and mode: `tree exclusive`, `tree shared`, `install exclusive`. */
    byKind: Array<{ kind: string; waitMs: number; waits: number }>;
    /** Tasks that waited, longest wait first. */
    tasks: Array<{ id: string; waitMs: number; holders: string[] }>;
    /** Per holder, the waits it caused; a wait behind two holders counts for both. */
    byHolder: Array<{ holder: string; waitMs: number; tasks: number }>;
  };
  /** The longest chain of task durations along task dependencies. */
  criticalPath: { totalMs: number; tasks: Array<{ id: string; durationMs: number }> };
}
