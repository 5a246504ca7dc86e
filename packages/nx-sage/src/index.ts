// Plugin entry: what nx.json's `"plugin": "nx-sage"` loads. NX_SAGE_DISABLE=true turns it off.
import { createDependencies as sageDependencies } from './graph/create-dependencies';
import { createNodes as sageNodes } from './graph/create-nodes';
import { logger, readCachedProjectGraph, type PreTasksExecution, type ProjectGraph } from '@nx/devkit';
import { buildPythons, MACHINE_ENV, machineIdentity } from './graph/machine-identity';
import { treeStateEnvs } from './swap/tree-state-env';
import { installBatchMode } from './executors/install/batch-mode';
import { PARALLEL_ENV, runParallelism } from './executors/build/parallelism';
import type { NxSagePluginOptions } from './graph/options';
import { postTasksExecution as sagePost, preTasksExecution as sagePre } from './report/hooks';

const disabled = process.env.NX_SAGE_DISABLE === 'true';

export const name = 'nx-sage';
export const createNodes = disabled ? undefined : sageNodes;
export const createNodesV2 = createNodes;
export const createDependencies = disabled ? undefined : sageDependencies;
/** Run report (built / cached / skipped, slowest, lock waits, critical path); NX_SAGE_REPORT=false turns it off. */
// Also decides whether this run's builds and installs are batched (executors/install/batch-mode.ts) and the build batch's slots: Nx copies
// env changes made here into its own process before it schedules tasks.
const pre: PreTasksExecution<NxSagePluginOptions> = async (options, context) => {
  await sagePre(options, context);
  const decision = installBatchMode({ env: process.env, argv: context.argv });
  if (decision.batchMode) process.env.NX_BATCH_MODE = decision.batchMode;
  // The build batch runs as many builds at once as the run allows tasks (Nx does not tell a batch).
  process.env[PARALLEL_ENV] = String(runParallelism(context.argv, process.env, context.nxJsonConfiguration as { parallel?: unknown }));
  // Every build's hash names this machine (graph/machine-identity.ts), every install's the state of its
  // tree (swap/tree-state-env.ts); computed, never inherited.
  const graph = readGraph();
  if (graph) Object.assign(process.env, treeStateEnvs(graph, context.workspaceRoot));
  const pythons = buildPythons(graph, options?.python ?? 'python3');
  process.env[MACHINE_ENV] = await machineIdentity(context.workspaceRoot, pythons, (message) => logger.warn(message));
};

function readGraph(): ProjectGraph | null {
  try {
    return readCachedProjectGraph();
  } catch {
    return null;
  }
}
export const preTasksExecution = disabled ? undefined : pre;
export const postTasksExecution = disabled ? undefined : sagePost;
export type { NxSagePluginOptions } from './graph/options';
