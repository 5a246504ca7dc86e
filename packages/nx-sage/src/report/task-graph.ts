import type { ProjectGraph, TargetDependencyConfig } from '@nx/devkit';
import type { RunTask, RunTaskGraph } from './types';

/**
 * The dependencies among this run's tasks, rebuilt from the targets' `dependsOn` in the project graph
 * (Nx hands the post-run hook results, not its task graph). Handles `^target`, `target`, and the object
 * form with `dependencies: true` or `projects: [names]`. As in Nx, a `^target` dependency on a project
 * without that task in the run reaches through to that project's own dependencies. Pure.
 */
export function buildRunTaskGraph(tasks: readonly Pick<RunTask, 'id' | 'project' | 'target'>[], graph: Pick<ProjectGraph, 'nodes' | 'dependencies'>): RunTaskGraph {
  const idOf = new Map(tasks.map((t) => [`${t.project}:${t.target}`, t.id]));
  const dependencies: Record<string, string[]> = {};
  for (const task of tasks) {
    const found = new Set<string>();
    for (const spec of graph.nodes[task.project]?.data.targets?.[task.target]?.dependsOn ?? []) {
      const { target, upstream, projects } = normalizeDependsOn(spec, task.project);
      if (upstream) collectUpstream(task.project, target, graph, idOf, found);
      for (const project of projects) {
        const id = idOf.get(`${project}:${target}`);
        if (id && id !== task.id) found.add(id);
      }
    }
    dependencies[task.id] = [...found].sort();
  }
  return { dependencies };
}

/** Whether the task runs one of nx-sage's executors (`nx-sage:build`, `nx-sage:install`, …). */
export function isSageTask(graph: Pick<ProjectGraph, 'nodes'>, project: string, target: string): boolean {
  const config = graph.nodes[project]?.data.targets?.[target];
  return config?.executor?.startsWith('nx-sage:') ?? false;
}

function normalizeDependsOn(spec: string | TargetDependencyConfig, self: string): { target: string; upstream: boolean; projects: string[] } {
  if (typeof spec === 'string') {
    return spec.startsWith('^') ? { target: spec.slice(1), upstream: true, projects: [] } : { target: spec, upstream: false, projects: [self] };
  }
  const target = spec.target;
  if (spec.dependencies) return { target, upstream: true, projects: [] };
  const projects = spec.projects === undefined ? [self] : (Array.isArray(spec.projects) ? spec.projects : [spec.projects]).map((p) => (p === 'self' ? self : p));
  return { target, upstream: false, projects };
}

function collectUpstream(
  project: string,
  target: string,
  graph: Pick<ProjectGraph, 'dependencies'>,
  idOf: Map<string, string>,
  found: Set<string>,
  seen = new Set<string>([project]),
): void {
  for (const edge of graph.dependencies[project] ?? []) {
    if (seen.has(edge.target)) continue;
    seen.add(edge.target);
    const id = idOf.get(`${edge.target}:${target}`);
    if (id) found.add(id);
    else collectUpstream(edge.target, target, graph, idOf, found, seen);
  }
}
