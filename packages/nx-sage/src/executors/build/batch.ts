import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import type { SpkgExecutorOptions } from '../common/options';
import { batchResult, batchTasks, type BatchTaskResult } from '../common/batch-tasks';
import { buildParallelism } from './parallelism';
import { runPool } from './pool';
import { buildTask } from './executor';
import { installTask } from '../install/executor';
import { installsInRun } from './installs-in-run';
import { buildTimesFile, expectedSeconds, readBuildTimes, recordBuildTimes } from './estimates';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';

/**
 * Nx gets each task's console output as its result and keeps every result of a batch until the batch
 * ends, then sends them in one message: a whole Sage build's compiler output would not fit. The full
 * output is in each package's log.
 */
const OUTPUT_LIMIT = 256 * 1024;

function keepTail(text: string, limit: number): string {
  return text.length > limit ? text.slice(text.length - limit) : text;
}

function truncated(text: string): string {
  if (text.length <= OUTPUT_LIMIT) return text;
  return `[nx-sage: earlier output left out here; the whole of it is in the package's log (logs/pkgs/)]\n${keepTail(text, OUTPUT_LIMIT)}`;
}

interface Outcome {
  success: boolean;
  skipped?: boolean;
}

/**
 * Batch implementation of `build` (executors.json: batchImplementation, preferBatch). Nx hands it
 * every build whose dependencies are done or in the same batch (in a full build: all of them) after
 * restoring the cached ones, and it runs them here like `make -jN`: N at a time (`--parallel`, see
 * parallelism.ts), each as soon as its prerequisites are built, all in this one process. Why: a build
 * task of its own costs a process start per package (Nx's executor runner: 0.85 s of CPU, or our thin
 * command: 0.55 s), which on 2 cores was most of a full build (BENCHMARKS.md, makespan). Each build
 * is the same as the single executor's (prerequisite installs, shared tree lock, its log); results go
 * to Nx as each finishes.
 */
export default async function* buildBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, SpkgExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const { ids, deps } = batchTasks(taskGraph, inputs);
  const outputs = new Map<string, string>();
  const started = new Map<string, number>();
  const capture = (id: string, text: string) => outputs.set(id, keepTail((outputs.get(id) ?? '') + text, 2 * OUTPUT_LIMIT));
  const echoFor = (id: string) => (text: string) => {
    capture(id, text);
    process.stdout.write(text);
  };

  const installs = installsInRun(context.taskGraph?.tasks ?? {}, context.projectGraph);
  const timesFile = buildTimesFile(workspaceDataDirectoryForWorkspace(context.root));
  const lastTimes = readBuildTimes(timesFile);
  const measured: Record<string, number> = {};
  const metaOf = (id: string) => (context.projectGraph?.nodes[taskGraph.tasks[id].target.project]?.data.metadata as { sage?: { package?: string } } | undefined)?.sage;

  const run = async (id: string): Promise<Outcome> => {
    started.set(id, Date.now());
    const { project, target, configuration } = taskGraph.tasks[id].target;
    const build = await buildTask(inputs[id], { ...context, projectName: project, targetName: target, configurationName: configuration }, { echo: echoFor(id) });
    const pkg = metaOf(id)?.package;
    if (build.built && pkg) measured[pkg] = Math.round((Date.now() - started.get(id)!) / 100) / 10;
    const install = installs.get(project);
    if (build.success && install) {
      // The install's lines belong to its install task (its log, the console), not to this build's
      // cached output. That task confirms the package later, or tries again and reports the failure.
      const { success } = await installTask(install.options, { ...context, projectName: project, targetName: install.target }, { echo: (text) => process.stdout.write(text) });
      capture(id, success ? `nx-sage: installed right after its build\n` : `nx-sage: the install right after this build failed (its install task tries again and reports it)\n`);
    }
    return build;
  };
  const outcomes = runPool<Outcome>({
    ids,
    deps,
    limit: buildParallelism(process.env),
    estimate: (id) => expectedSeconds(metaOf(id), lastTimes),
    run,
    ok: (r) => r.success,
    blocked: (id, dep) => {
      const why = dep ? `not built: its dependency ${dep} failed` : 'not built: the batch could not order it (dependency cycle?)';
      echoFor(id)(`nx-sage: ${id}: ${why}\n`);
      return { success: false, skipped: true };
    },
    crashed: (id, error) => {
      echoFor(id)(`\nnx-sage: build of ${id} failed: ${(error as Error)?.stack ?? String(error)}\n`);
      return { success: false };
    },
  });
  try {
    for await (const { id, result } of outcomes) {
      yield batchResult(id, result.success, result.skipped === true, truncated(outputs.get(id) ?? ''), started.get(id));
    }
  } finally {
    recordBuildTimes(timesFile, measured);
  }
}
