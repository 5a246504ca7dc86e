import type { ProjectGraph } from '@nx/devkit';
import { resolve } from 'node:path';
import { targetsRunBy } from '../graph/graph-targets';
import { treeStateArgs, treeStateEnv } from '../graph/install-inputs';
import { treeState } from './tree-state';

/**
 * For the pre-tasks hook: the state of every tree the graph's installs write into, read in this process
 * (a few ms) as the variables the install tasks' runtime command echoes (graph/install-inputs.ts), so
 * Nx's hasher starts no `node` for it. Read right before Nx hashes the run's tasks, as the command would.
 */
export function treeStateEnvs(graph: Pick<ProjectGraph, 'nodes'>, workspaceRoot: string): Record<string, string> {
  const envs: Record<string, string> = {};
  for (const target of targetsRunBy(graph, 'nx-sage:install')) {
    if (target.cache !== true) continue;
    const options = (target.options ?? {}) as { sageRoot?: string; sageLocal?: string; sageVenv?: string };
    const args = treeStateArgs(options.sageRoot ?? '.', options);
    const env = treeStateEnv(args);
    envs[env] ??= treeState(resolve(workspaceRoot, args[0]), args[1] === undefined ? undefined : resolve(workspaceRoot, args[1]));
  }
  return envs;
}
