import type { ExecutorContext, ProjectGraph } from '@nx/devkit';

/** Where Nx's project graph of this run is (set by the pre-run hook, report/hooks.ts). */
export const PROJECT_GRAPH_ENV = 'NX_SAGE_PROJECT_GRAPH';

/**
 * What the executors read from Nx's ExecutorContext, for a task started by nx:run-commands: the
 * workspace root, project and target come from the variables Nx sets for every task; the project
 * graph is read on first use, from the file Nx wrote for this run (a forked executor reads the same
 * file). Pure but for `readGraph`.
 */
export function taskContext(
  env: Record<string, string | undefined>,
  cwd: string,
  readGraph: (file: string) => ProjectGraph,
): ExecutorContext {
  let graph: ProjectGraph | undefined;
  const context = {
    root: env.NX_WORKSPACE_ROOT || cwd,
    cwd,
    isVerbose: false,
    projectName: env.NX_TASK_TARGET_PROJECT,
    targetName: env.NX_TASK_TARGET_TARGET,
    configurationName: env.NX_TASK_TARGET_CONFIGURATION || undefined,
  } as ExecutorContext;
  Object.defineProperty(context, 'projectGraph', {
    enumerable: true,
    get: () => {
      if (!graph) {
        const file = env[PROJECT_GRAPH_ENV];
        // Outside a run with nx-sage's hooks: Nx's own reader (loads Nx).
        graph = file ? readGraph(file) : (require('@nx/devkit') as typeof import('@nx/devkit')).readCachedProjectGraph();
      }
      return graph;
    },
  });
  return context;
}
