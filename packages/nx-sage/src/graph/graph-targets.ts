import type { ProjectGraph, TargetConfiguration } from '@nx/devkit';

/** Every target of the project graph that `executor` runs (e.g. 'nx-sage:build'), in graph order. Pure. */
export function* targetsRunBy(graph: Pick<ProjectGraph, 'nodes'>, executor: string): Generator<TargetConfiguration> {
  for (const node of Object.values(graph.nodes)) {
    for (const target of Object.values(node.data.targets ?? {})) if (target.executor === executor) yield target;
  }
}
