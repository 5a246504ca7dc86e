import { logger, readCachedProjectGraph, type PostTasksExecution, type PostTasksExecutionContext, type PreTasksExecution, type ProjectGraph } from '@nx/devkit';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';
import type { NxSagePluginOptions } from '../graph/options';
import { clearRunFacts, readRunFacts, RUN_DIR_ENV, RUN_ID_ENV, runFactsDir } from './facts';
import { formatReport } from './format';
import { summarizeRun } from './summarize';
import { buildRunTaskGraph, isSageTask } from './task-graph';
import type { RunTask, TaskFacts } from './types';

/** NX_SAGE_REPORT=false turns the end-of-run report off. NX_SAGE_REPORT_FILE moves its JSON. */
const reportDisabled = () => process.env.NX_SAGE_REPORT === 'false';

/**
 * Before Nx runs tasks: give the run an id every executor inherits (Nx copies env changes made here
 * into its own process, and executors are its children), and start the run's facts afresh. The id
 * also names the run's memo (executors/common/run-memo.ts), so it is set with the report off too.
 */
export const preTasksExecution: PreTasksExecution<NxSagePluginOptions> = (_options, context) => {
  process.env[RUN_ID_ENV] = context.id;
  // Computed, never inherited: an `nx` started inside a task has the outer run's directory in its env.
  process.env[RUN_DIR_ENV] = runFactsDir(context.workspaceRoot, context.id, {});
  try {
    clearRunFacts(context.workspaceRoot, context.id);
  } catch (error) {
    logger.verbose(`nx-sage: could not clear the report data: ${(error as Error).message}`);
  }
};

/**
 * After Nx ran tasks: when nx-sage tasks were among them, print the short report and write it as JSON.
 * Runs where the Nx daemon is on execute this hook in the daemon, whose output goes to the daemon
 * log, not the terminal: the JSON file is written either way.
 */
export const postTasksExecution: PostTasksExecution<NxSagePluginOptions> = async (_options, context) => {
  const factsDir = runFactsDir(context.workspaceRoot, context.id);
  try {
    if (reportDisabled()) return;
    const file = writeRunReport(context, readRunFacts(factsDir), readProjectGraph());
    if (file) process.stdout.write(`\n${file.text}\n`);
  } catch (error) {
    logger.warn(`nx-sage: could not write the run report: ${(error as Error).message}`);
  } finally {
    rmSync(factsDir, { recursive: true, force: true });
  }
};

/** Builds, writes and formats the report; null when the run had no nx-sage tasks. */
export function writeRunReport(
  context: Pick<PostTasksExecutionContext, 'workspaceRoot' | 'taskResults' | 'startTime' | 'endTime'>,
  facts: TaskFacts[],
  graph: ProjectGraph | null,
): { path: string; text: string } | null {
  const recorded = new Set(facts.map((f) => `${f.project}:${f.target}`));
  // A task is nx-sage's when it runs one of our executors, or (graph unreadable, or a custom
  // executor wrapping ours) when it recorded facts.
  const tasks = toRunTasks(context.taskResults).filter(
    (t) => recorded.has(`${t.project}:${t.target}`) || (graph !== null && isSageTask(graph, t.project, t.target)),
  );
  if (tasks.length === 0) return null;
  const report = summarizeRun(tasks, facts, graph ? buildRunTaskGraph(tasks, graph) : { dependencies: {} }, {
    startTime: context.startTime,
    endTime: context.endTime,
  });
  const path = reportFilePath(context.workspaceRoot);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  const shown = relative(context.workspaceRoot, path);
  return { path, text: formatReport(report, shown.startsWith('..') || isAbsolute(shown) ? path : shown) };
}

/** NX_SAGE_REPORT_FILE (relative to the workspace root), else nx-sage-report.json in Nx's workspace data. */
export function reportFilePath(workspaceRoot: string): string {
  const configured = process.env.NX_SAGE_REPORT_FILE;
  if (configured) return resolve(workspaceRoot, configured);
  return join(workspaceDataDirectoryForWorkspace(workspaceRoot), 'nx-sage-report.json');
}

export function toRunTasks(taskResults: PostTasksExecutionContext['taskResults']): RunTask[] {
  return Object.values(taskResults).map((result) => ({
    id: result.task.id,
    project: result.task.target.project,
    target: result.task.target.target,
    status: result.status,
    ...(result.task.startTime !== undefined ? { startTime: result.task.startTime } : {}),
    ...(result.task.endTime !== undefined ? { endTime: result.task.endTime } : {}),
  }));
}

function readProjectGraph(): ProjectGraph | null {
  try {
    return readCachedProjectGraph();
  } catch {
    return null;
  }
}
