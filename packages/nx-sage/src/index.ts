// Plugin entry: what nx.json's `"plugin": "nx-sage"` loads. NX_SAGE_DISABLE=true turns it off.
import { createDependencies as sageDependencies } from './graph/create-dependencies';
import { createNodes as sageNodes } from './graph/create-nodes';
import type { PreTasksExecution } from '@nx/devkit';
import { countCacheEntries, installBatchMode } from './executors/install/batch-mode';
import type { NxSagePluginOptions } from './graph/options';
import { postTasksExecution as sagePost, preTasksExecution as sagePre } from './report/hooks';

const disabled = process.env.NX_SAGE_DISABLE === 'true';

export const name = 'nx-sage';
export const createNodes = disabled ? undefined : sageNodes;
export const createNodesV2 = createNodes;
export const createDependencies = disabled ? undefined : sageDependencies;
/** Run report (built / cached / skipped, slowest, lock waits, critical path); NX_SAGE_REPORT=false turns it off. */
// Also decides whether this run's installs are batched (executors/install/batch-mode.ts): Nx copies
// env changes made here into its own process before it schedules tasks.
const pre: PreTasksExecution<NxSagePluginOptions> = async (options, context) => {
  await sagePre(options, context);
  const decision = installBatchMode({
    env: process.env,
    argv: context.argv,
    cacheEntries: () => countCacheEntries(context.workspaceRoot),
    nxJson: context.nxJsonConfiguration as Record<string, unknown>,
  });
  if (decision.batchMode) process.env.NX_BATCH_MODE = decision.batchMode;
};
export const preTasksExecution = disabled ? undefined : pre;
export const postTasksExecution = disabled ? undefined : sagePost;
export type { NxSagePluginOptions } from './graph/options';
