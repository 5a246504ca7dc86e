import type { ProjectGraph, TaskGraph } from '@nx/devkit';
import type { SpkgExecutorOptions } from '../common/options';

export interface RunInstall {
  /** The install target's name (nx.json's plugin options may rename it). */
  target: string;
  options: SpkgExecutorOptions;
}

/**
 * The packages whose install task (nx-sage:install) is part of this run, by project. The build batch
 * installs such a package right after building it, as make does: its dependents then find it in the
 * tree, and the install task only confirms it. A package the run only builds is not installed. Pure.
 */
export function installsInRun(runTasks: TaskGraph['tasks'], graph: Pick<ProjectGraph, 'nodes'>): Map<string, RunInstall> {
  const out = new Map<string, RunInstall>();
  for (const task of Object.values(runTasks)) {
    const { project, target } = task.target;
    const config = graph.nodes[project]?.data.targets?.[target];
    if (config?.executor === 'nx-sage:install') out.set(project, { target, options: config.options as SpkgExecutorOptions });
  }
  return out;
}
