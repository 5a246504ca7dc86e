import type { OutcomeCounts, ReportTask, RunReport, RunTask, RunTaskGraph, TaskFacts, TaskOutcome } from './types';

const SLOWEST = 5;

const OUTCOMES: Record<RunTask['status'], TaskOutcome> = {
  success: 'built',
  'local-cache': 'cached',
  'local-cache-kept-existing': 'cached',
  'remote-cache': 'cached',
  skipped: 'skipped',
  failure: 'failed',
  // A stopped task did not finish: it counts with the failures.
  stopped: 'failed',
};

/**
 * The run report from Nx's task results, the executors' facts and the task dependencies. Pure.
 * Every task lands in exactly one of built/cached/skipped/failed, so those add up to `tasks`.
 */
export function summarizeRun(
  results: readonly RunTask[],
  facts: readonly TaskFacts[],
  graph: RunTaskGraph,
  run: { startTime?: number; endTime?: number } = {},
): RunReport {
  const factsByTask = new Map(facts.map((f) => [`${f.project}:${f.target}`, f]));
  const starts = new Map(results.map((r) => [r.id, r.startTime ?? 0]));
  const tasks = results
    .map((result) => buildReportTask(result, factsByTask.get(`${result.project}:${result.target}`)))
    .sort((a, b) => starts.get(a.id)! - starts.get(b.id)! || a.id.localeCompare(b.id));

  const counts = countOutcomes(tasks);
  const byTarget: Record<string, OutcomeCounts> = {};
  for (const target of [...new Set(tasks.map((t) => t.target))].sort()) {
    byTarget[target] = countOutcomes(tasks.filter((t) => t.target === target));
  }
  const installs = { built: 0, swapped: 0, noop: 0 };
  for (const task of tasks) if (task.installed) installs[task.installed] += 1;

  return {
    version: 1,
    ...(run.startTime !== undefined ? { startTime: run.startTime } : {}),
    ...(run.endTime !== undefined ? { endTime: run.endTime } : {}),
    wallMs: wallTime(results, run),
    counts,
    byTarget,
    installs,
    tasks,
    slowest: tasks
      .filter((t) => t.outcome === 'built' || t.outcome === 'failed')
      .sort((a, b) => b.durationMs - a.durationMs || a.id.localeCompare(b.id))
      .slice(0, SLOWEST)
      .map(({ id, durationMs }) => ({ id, durationMs })),
    lockWait: summarizeLockWaits(tasks),
    criticalPath: findCriticalPath(tasks, graph),
  };
}

function buildReportTask(result: RunTask, facts: TaskFacts | undefined): ReportTask {
  const durationMs = result.startTime !== undefined && result.endTime !== undefined ? Math.max(0, result.endTime - result.startTime) : 0;
  return {
    id: result.id,
    project: result.project,
    target: result.target,
    status: result.status,
    outcome: OUTCOMES[result.status] ?? 'failed',
    durationMs,
    ...(facts?.lockWaitMs !== undefined ? { lockWaitMs: facts.lockWaitMs } : {}),
    ...(facts?.lockHolders?.length ? { lockHolders: facts.lockHolders } : {}),
    ...(facts?.lockWaits?.length ? { lockWaits: facts.lockWaits } : {}),
    ...(facts?.installed ? { installed: facts.installed } : {}),
  };
}

export function countOutcomes(tasks: readonly Pick<ReportTask, 'outcome'>[]): OutcomeCounts {
  const counts: OutcomeCounts = { tasks: tasks.length, built: 0, cached: 0, skipped: 0, failed: 0 };
  for (const task of tasks) counts[task.outcome] += 1;
  return counts;
}

function summarizeLockWaits(tasks: readonly ReportTask[]): RunReport['lockWait'] {
  const waited = tasks
    .filter((t) => (t.lockWaitMs ?? 0) > 0)
    .map((t) => ({ id: t.id, waitMs: t.lockWaitMs!, holders: t.lockHolders ?? [] }))
    .sort((a, b) => b.waitMs - a.waitMs || a.id.localeCompare(b.id));
  const byHolder = new Map<string, { waitMs: number; tasks: number }>();
  const charge = (holder: string, waitMs: number) => {
    const entry = byHolder.get(holder) ?? { waitMs: 0, tasks: 0 };
    entry.waitMs += waitMs;
    entry.tasks += 1;
    byHolder.set(holder, entry);
  };
  for (const wait of waited) {
    const list = tasks.find((t) => t.id === wait.id)?.lockWaits;
    if (list?.length) for (const one of list) charge(one.behind ?? '(unknown)', one.waitMs);
    else for (const holder of wait.holders.length ? wait.holders : ['(unknown)']) charge(holder, wait.waitMs);
  }
  const byKind = new Map<string, { waitMs: number; waits: number }>();
  let waits = 0;
  for (const task of tasks) {
    const list = task.lockWaits ?? [];
    // Facts from executors that only report a sum still count as one wait.
    waits += list.length || ((task.lockWaitMs ?? 0) > 0 ? 1 : 0);
    for (const wait of list) {
      const kind = `${wait.lock} ${wait.mode}`;
      const entry = byKind.get(kind) ?? { waitMs: 0, waits: 0 };
      entry.waitMs += wait.waitMs;
      entry.waits += 1;
      byKind.set(kind, entry);
    }
  }
  return {
    totalMs: waited.reduce((sum, w) => sum + w.waitMs, 0),
    waits,
    byKind: [...byKind].map(([kind, entry]) => ({ kind, ...entry })).sort((a, b) => b.waitMs - a.waitMs || a.kind.localeCompare(b.kind)),
    tasks: waited,
    byHolder: [...byHolder]
      .map(([holder, entry]) => ({ holder, ...entry }))
      .sort((a, b) => b.waitMs - a.waitMs || a.holder.localeCompare(b.holder)),
  };
}

/** Longest path by summed durations through the dependency DAG (a cycle, which Nx forbids, ends a path). */
export function findCriticalPath(tasks: readonly Pick<ReportTask, 'id' | 'durationMs'>[], graph: RunTaskGraph): RunReport['criticalPath'] {
  const duration = new Map(tasks.map((t) => [t.id, t.durationMs]));
  const best = new Map<string, { totalMs: number; next?: string }>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = best.get(id);
    if (known) return known.totalMs;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let next: string | undefined;
    let longest = 0;
    for (const dep of graph.dependencies[id] ?? []) {
      if (!duration.has(dep)) continue;
      const total = visit(dep);
      if (total > longest || (total === longest && next !== undefined && dep < next)) {
        longest = total;
        next = dep;
      }
    }
    visiting.delete(id);
    const entry = { totalMs: (duration.get(id) ?? 0) + longest, next };
    best.set(id, entry);
    return entry.totalMs;
  };
  let start: string | undefined;
  for (const { id } of [...tasks].sort((a, b) => a.id.localeCompare(b.id))) {
    if (start === undefined || visit(id) > visit(start)) start = id;
  }
  const path: Array<{ id: string; durationMs: number }> = [];
  for (let id = start; id !== undefined; id = best.get(id)?.next) path.push({ id, durationMs: duration.get(id) ?? 0 });
  // Dependencies first: the order the chain ran in.
  path.reverse();
  return { totalMs: start === undefined ? 0 : visit(start), tasks: path };
}

function wallTime(results: readonly RunTask[], run: { startTime?: number; endTime?: number }): number {
  if (run.startTime !== undefined && run.endTime !== undefined) return Math.max(0, run.endTime - run.startTime);
  const starts = results.map((r) => r.startTime).filter((t): t is number => t !== undefined);
  const ends = results.map((r) => r.endTime).filter((t): t is number => t !== undefined);
  return starts.length && ends.length ? Math.max(0, Math.max(...ends) - Math.min(...starts)) : 0;
}
