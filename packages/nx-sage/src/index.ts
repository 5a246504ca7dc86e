// Plugin entry: what nx.json's `"plugin": "nx-sage"` loads. NX_SAGE_DISABLE=true turns it off.
import { createDependencies as sageDependencies } from './graph/create-dependencies';
import { createNodes as sageNodes } from './graph/create-nodes';
import { postTasksExecution as sagePost, preTasksExecution as sagePre } from './report/hooks';

const disabled = process.env.NX_SAGE_DISABLE === 'true';

export const name = 'nx-sage';
export const createNodes = disabled ? undefined : sageNodes;
export const createNodesV2 = createNodes;
export const createDependencies = disabled ? undefined : sageDependencies;
/** Run report (built / cached / skipped, slowest, lock waits, critical path); NX_SAGE_REPORT=false turns it off. */
export const preTasksExecution = disabled ? undefined : sagePre;
export const postTasksExecution = disabled ? undefined : sagePost;
export type { NxSagePluginOptions } from './graph/options';
