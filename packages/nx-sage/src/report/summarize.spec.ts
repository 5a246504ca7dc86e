import { findCriticalPath, summarizeRun } from './summarize';
import type { RunTask, TaskFacts } from './types';

const T0 = 1_700_000_000_000;

/** A task that ran from `start` to `end` seconds after T0. */
function task(id: string, status: RunTask['status'], start?: number, end?: number): RunTask {
  const [project, target] = id.split(':');
  return { id, project, target, status, ...(start !== undefined ? { startTime: T0 + start * 1000 } : {}), ...(end !== undefined ? { endTime: T0 + end * 1000 } : {}) };
}

describe('summarizeRun', () => {
  const results: RunTask[] = [
    task('gmp:download', 'success', 0, 1),
    task('gmp:build', 'local-cache', 1, 1.2),
    task('gmp:install', 'success', 1.2, 3),
    task('mpfr:build', 'success', 3, 13),
    task('mpfr:install', 'success', 13, 15),
    task('flint:build', 'failure', 15, 45),
    task('flint:install', 'skipped'),
    task('pari:build', 'remote-cache', 3, 3.5),
    task('pari:install', 'local-cache-kept-existing', 3.5, 4),
    task('ntl:build', 'stopped', 3, 5),
  ];
  const facts: TaskFacts[] = [
    { project: 'gmp', target: 'install', lockWaitMs: 0, installed: 'swapped' },
    { project: 'mpfr', target: 'install', lockWaitMs: 1500, lockHolders: ['gmp:install (pid 10)'], installed: 'swapped' },
    { project: 'pari', target: 'install', lockWaitMs: 400, lockHolders: ['gmp:install (pid 10)', 'ntl:build (pid 11)'], installed: 'noop' },
    { project: 'nosuch', target: 'install', lockWaitMs: 99 },
  ];
  const graph = {
    dependencies: {
      'gmp:build': ['gmp:download'],
      'gmp:install': ['gmp:build'],
      'mpfr:build': ['gmp:install'],
      'mpfr:install': ['mpfr:build', 'gmp:install'],
      'flint:build': ['mpfr:install', 'gmp:install'],
      'flint:install': ['flint:build', 'mpfr:install'],
      'pari:build': ['gmp:install'],
      'pari:install': ['pari:build'],
      'ntl:build': ['gmp:install'],
    },
  };

  it('counts every task once: built + cached + skipped + failed = tasks, overall and per target', () => {
    const report = summarizeRun(results, facts, graph);
    expect(report.counts).toEqual({ tasks: 10, built: 4, cached: 3, skipped: 1, failed: 2 });
    const sum = (c: typeof report.counts) => c.built + c.cached + c.skipped + c.failed;
    expect(sum(report.counts)).toBe(results.length);
    expect(report.byTarget).toEqual({
      build: { tasks: 5, built: 1, cached: 2, skipped: 0, failed: 2 },
      download: { tasks: 1, built: 1, cached: 0, skipped: 0, failed: 0 },
      install: { tasks: 4, built: 2, cached: 1, skipped: 1, failed: 0 },
    });
    for (const counts of Object.values(report.byTarget)) expect(sum(counts)).toBe(counts.tasks);
    expect(Object.values(report.byTarget).reduce((n, c) => n + c.tasks, 0)).toBe(report.counts.tasks);
  });

  it.each(Array.from({ length: 20 }, (_, seed) => seed))('numbers add up for a random run (seed %i)', (seed) => {
    const statuses: RunTask['status'][] = ['success', 'failure', 'skipped', 'stopped', 'local-cache', 'local-cache-kept-existing', 'remote-cache'];
    let state = seed + 1;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const random = Array.from({ length: 1 + (next() % 60) }, (_, i) => task(`p${i}:${['build', 'install', 'download'][next() % 3]}`, statuses[next() % statuses.length], i, i + (next() % 5)));
    const { counts, byTarget } = summarizeRun(random, [], { dependencies: {} });
    expect(counts.built + counts.cached + counts.skipped + counts.failed).toBe(random.length);
    expect(counts.tasks).toBe(random.length);
    expect(Object.values(byTarget).reduce((n, c) => n + c.built + c.cached + c.skipped + c.failed, 0)).toBe(random.length);
  });

  it('lists the slowest tasks that ran (cached ones do not count), longest first', () => {
    expect(summarizeRun(results, facts, graph).slowest).toEqual([
      { id: 'flint:build', durationMs: 30_000 },
      { id: 'mpfr:build', durationMs: 10_000 },
      { id: 'ntl:build', durationMs: 2000 },
      { id: 'gmp:install', durationMs: 1800 },
      { id: 'mpfr:install', durationMs: 2000 },
    ].sort((a, b) => b.durationMs - a.durationMs || a.id.localeCompare(b.id)));
  });

  it('adds up lock waits, per task and per holder, and ignores facts of tasks not in the run', () => {
    const { lockWait } = summarizeRun(results, facts, graph);
    expect(lockWait.totalMs).toBe(1900);
    expect(lockWait.tasks).toEqual([
      { id: 'mpfr:install', waitMs: 1500, holders: ['gmp:install (pid 10)'] },
      { id: 'pari:install', waitMs: 400, holders: ['gmp:install (pid 10)', 'ntl:build (pid 11)'] },
    ]);
    expect(lockWait.byHolder).toEqual([
      { holder: 'gmp:install (pid 10)', waitMs: 1900, tasks: 2 },
      { holder: 'ntl:build (pid 11)', waitMs: 400, tasks: 1 },
    ]);
  });

  it('counts every recorded wait, per lock and mode, and charges each to the holder it waited behind', () => {
    const waits: TaskFacts[] = [
      {
        project: 'mpfr',
        target: 'build',
        lockWaitMs: 3000,
        lockWaits: [
          { waitMs: 2000, mode: 'exclusive', lock: 'tree', section: 'install gmp-6.3.0 (prerequisite of mpfr)', behind: 'flint (build flint), shared', log: 'gmp-6.3.0.log' },
          { waitMs: 1000, mode: 'exclusive', lock: 'install', section: 'install gmp-6.3.0 (prerequisite of mpfr)', behind: 'gmp (install gmp-6.3.0), exclusive' },
        ],
      },
      { project: 'gmp', target: 'install', lockWaitMs: 500, lockWaits: [{ waitMs: 500, mode: 'shared', lock: 'tree', section: 'check gmp-6.3.0', behind: 'flint (build flint), shared' }] },
    ];
    const { lockWait } = summarizeRun(results, waits, graph);
    expect(lockWait.totalMs).toBe(3500);
    expect(lockWait.waits).toBe(3);
    expect(lockWait.byKind).toEqual([
      { kind: 'tree exclusive', waitMs: 2000, waits: 1 },
      { kind: 'install exclusive', waitMs: 1000, waits: 1 },
      { kind: 'tree shared', waitMs: 500, waits: 1 },
    ]);
    expect(lockWait.byHolder).toEqual([
      { holder: 'flint (build flint), shared', waitMs: 2500, tasks: 2 },
      { holder: 'gmp (install gmp-6.3.0), exclusive', waitMs: 1000, tasks: 1 },
    ]);
  });

  it('counts what installs did and keeps the facts on the tasks', () => {
    const report = summarizeRun(results, facts, graph);
    expect(report.installs).toEqual({ built: 0, swapped: 2, noop: 1 });
    expect(report.tasks.find((t) => t.id === 'pari:install')).toMatchObject({ outcome: 'cached', installed: 'noop', lockWaitMs: 400 });
    expect(report.tasks.find((t) => t.id === 'flint:install')).toMatchObject({ outcome: 'skipped', durationMs: 0 });
  });

  it('finds the critical path along dependencies, in the order it ran (a skipped task adds nothing to it)', () => {
    const { criticalPath } = summarizeRun(results, facts, graph);
    expect(criticalPath.tasks.map((t) => t.id)).toEqual(['gmp:download', 'gmp:build', 'gmp:install', 'mpfr:build', 'mpfr:install', 'flint:build']);
    expect(criticalPath.totalMs).toBe(1000 + 200 + 1800 + 10_000 + 2000 + 30_000);
  });

  it('uses the run times for the wall time when given, else first start to last end', () => {
    expect(summarizeRun(results, [], graph).wallMs).toBe(45_000);
    expect(summarizeRun(results, [], graph, { startTime: T0 - 500, endTime: T0 + 46_000 })).toMatchObject({ wallMs: 46_500, startTime: T0 - 500 });
  });

  it('reports an empty run as zeros', () => {
    expect(summarizeRun([], [], { dependencies: {} })).toMatchObject({
      wallMs: 0,
      counts: { tasks: 0, built: 0, cached: 0, skipped: 0, failed: 0 },
      slowest: [],
      lockWait: { totalMs: 0, tasks: [], byHolder: [] },
      criticalPath: { totalMs: 0, tasks: [] },
    });
  });
});

describe('findCriticalPath', () => {
  it('prefers the heavier branch over the longer one', () => {
    const tasks = [
      { id: 'a', durationMs: 10 },
      { id: 'b', durationMs: 5 },
      { id: 'c', durationMs: 20 },
      { id: 'd', durationMs: 30 },
    ];
    // c <- b <- a (35) versus d <- a (40).
    const path = findCriticalPath(tasks, { dependencies: { b: ['a'], c: ['b'], d: ['a'] } });
    expect(path).toEqual({ totalMs: 40, tasks: [{ id: 'a', durationMs: 10 }, { id: 'd', durationMs: 30 }] });
  });

  it('ignores dependencies outside the run and survives a cycle', () => {
    const path = findCriticalPath([{ id: 'a', durationMs: 1 }, { id: 'b', durationMs: 2 }], { dependencies: { a: ['b', 'zzz'], b: ['a'] } });
    expect(path.totalMs).toBe(3);
    expect(path.tasks.map((t) => t.id).sort()).toEqual(['a', 'b']);
  });
});
