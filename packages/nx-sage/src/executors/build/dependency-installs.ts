import type { ProjectGraph } from '@nx/devkit';
import type { SpkgExecutorOptions } from '../common/options';

/** How a prerequisite gets into the tree: its package's artifact, or nothing of its own (system, none, the venv node). */
export type InstallKind = 'package' | 'satisfied';

export interface DependencyInstall {
  project: string;
  kind: InstallKind;
  options: SpkgExecutorOptions;
}

const KIND_OF_EXECUTOR: Record<string, InstallKind> = {
  'nx-sage:install': 'package',
  // Packages provided by the system, those of source none, and the venv node (graph/targets.ts).
  'nx:noop': 'satisfied',
};

interface SageMeta {
  package?: string;
  deps?: string[];
  orderOnlyDeps?: string[];
  checkDeps?: string[];
}

type Graph = Pick<ProjectGraph, 'nodes' | 'dependencies'>;

const sageOf = (graph: Graph, project: string): SageMeta | undefined =>
  (graph.nodes[project]?.data.metadata as { sage?: SageMeta } | undefined)?.sage;

/**
 * What has to be in the tree before `project` builds, prerequisites first: its normal and order-only
 * prerequisites, transitively (make installs them all before the build starts). Edges that exist only
 * for checks are left out; cycle edges make dropped never reach the project graph. Pure.
 */
export function dependencyInstalls(graph: Graph, project: string): DependencyInstall[] {
  const order: DependencyInstall[] = [];
  const seen = new Set<string>([project]);
  const visit = (source: string) => {
    const sage = sageOf(graph, source);
    const buildDeps = new Set([...(sage?.deps ?? []), ...(sage?.orderOnlyDeps ?? [])]);
    const targets = (graph.dependencies[source] ?? []).map((edge) => edge.target).sort();
    for (const target of targets) {
      if (seen.has(target) || !graph.nodes[target]) continue;
      const name = sageOf(graph, target)?.package ?? target;
      if (sage && !buildDeps.has(name)) continue;
      seen.add(target);
      visit(target);
      const step = installStep(graph, target);
      if (step) order.push(step);
    }
  };
  visit(project);
  return order;
}

/** A prerequisite that is a broken package (graph/project-config.ts buildErrorProject): its problem, for the dependent. */
export class BrokenPrerequisiteError extends Error {
  constructor(readonly prerequisite: string, problem: string) {
    super(`prerequisite '${prerequisite}' is broken, so this package cannot build:\n${problem}`);
    this.name = 'BrokenPrerequisiteError';
  }
}

function installStep(graph: Graph, project: string): DependencyInstall | undefined {
  for (const target of Object.values(graph.nodes[project].data.targets ?? {})) {
    if (target.executor === 'nx-sage:error') throw new BrokenPrerequisiteError(project, String((target.options as { message?: string })?.message ?? ''));
    const kind = target.executor ? KIND_OF_EXECUTOR[target.executor] : undefined;
    if (kind) return { project, kind, options: target.options as SpkgExecutorOptions };
  }
  return undefined;
}
