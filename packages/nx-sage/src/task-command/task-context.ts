import type { ExecutorContext, ProjectGraph } from '@nx/devkit';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installGraph } from '../executors/build/dependency-installs';

/** Where Nx's project graph of this run is (set by the pre-run hook, report/hooks.ts). */
export const PROJECT_GRAPH_ENV = 'NX_SAGE_PROJECT_GRAPH';

export interface GraphFiles {
  read: (file: string) => ProjectGraph | null;
  write: (file: string, graph: ProjectGraph) => void;
}

/**
 * What the executors read from Nx's ExecutorContext, for a task started by nx:run-commands: the
 * workspace root, project and target come from the variables Nx sets for every task. The project graph
 * is read on first use: the run's install graph (dependency-installs.ts installGraph, ~5 % of the size)
 * when an earlier build of this run wrote it into the run's directory, else the file Nx wrote for this
 * run (what a forked executor reads), from which it is then written. Pure but for `files`.
 */
export function taskContext(env: Record<string, string | undefined>, cwd: string, files: GraphFiles): ExecutorContext {
  let graph: ProjectGraph | undefined;
  const context = {
    root: env.NX_WORKSPACE_ROOT || cwd,
    cwd,
    isVerbose: false,
    projectName: env.NX_TASK_TARGET_PROJECT,
    targetName: env.NX_TASK_TARGET_TARGET,
    configurationName: env.NX_TASK_TARGET_CONFIGURATION || undefined,
  } as ExecutorContext;
  const load = (): ProjectGraph => {
    const full = env[PROJECT_GRAPH_ENV];
    // Outside a run with nx-sage's hooks: Nx's own reader (loads Nx).
    if (!full) return (require('@nx/devkit') as typeof import('@nx/devkit')).readCachedProjectGraph();
    const runDir = env.NX_SAGE_RUN_DIR;
    const compact = runDir ? join(runDir, 'install-graph.json') : undefined;
    const known = compact ? files.read(compact) : null;
    if (known) return known;
    const whole = files.read(full);
    if (!whole) throw new Error(`nx-sage: cannot read Nx's project graph at ${full}; run the task through nx`);
    const small = installGraph(whole) as ProjectGraph;
    if (compact) files.write(compact, small);
    return small;
  };
  Object.defineProperty(context, 'projectGraph', { enumerable: true, get: () => (graph ??= load()) });
  return context;
}

/** The files for taskContext: JSON read (null when missing or unreadable), written whole (temp + rename). */
export const graphFiles: GraphFiles = {
  read: (file) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProjectGraph;
    } catch {
      return null;
    }
  },
  write: (file, graph) => {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(graph));
      renameSync(tmp, file);
    } catch {
      // Only the next build's time depends on it.
    }
  },
};
