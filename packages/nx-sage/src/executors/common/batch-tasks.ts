import type { TaskGraph } from '@nx/devkit';

/** Nx's per-task result of a batch (TaskResult in nx/src/config/misc-interfaces). */
export interface BatchTaskResult {
  task: string;
  result: { success: boolean; terminalOutput: string; startTime?: number; endTime?: number; status?: 'success' | 'failure' | 'skipped' };
}

/** The batch's tasks that have options, and each one's dependencies (task ids). Pure. */
export function batchTasks(taskGraph: TaskGraph, inputs: Record<string, unknown>): { ids: string[]; deps: Record<string, string[]> } {
  const ids = Object.keys(taskGraph.tasks).filter((id) => inputs[id] !== undefined);
  const deps: Record<string, string[]> = {};
  // Nx 24 edges are objects ({ id, ... }); older Nx used plain task ids.
  for (const id of ids) deps[id] = ((taskGraph.dependencies[id] ?? []) as unknown as (string | { id: string })[]).map((e) => (typeof e === 'string' ? e : e.id));
  return { ids, deps };
}

/** One task's result for Nx, ending now; `skipped`: not run because a dependency failed. */
export function batchResult(task: string, success: boolean, skipped: boolean, terminalOutput: string, startTime = Date.now()): BatchTaskResult {
  return { task, result: { success, ...(skipped ? { status: 'skipped' as const } : {}), terminalOutput, startTime, endTime: Date.now() } };
}
