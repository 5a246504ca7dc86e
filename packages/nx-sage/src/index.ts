// Plugin entry: what nx.json's `"plugin": "nx-sage"` loads. NX_SAGE_DISABLE=true turns inference off.
import { createDependencies as sageDependencies } from './graph/create-dependencies';
import { createNodes as sageNodes } from './graph/create-nodes';

const disabled = process.env.NX_SAGE_DISABLE === 'true';

export const name = 'nx-sage';
export const createNodes = disabled ? undefined : sageNodes;
export const createNodesV2 = createNodes;
export const createDependencies = disabled ? undefined : sageDependencies;
export type { NxSagePluginOptions } from './graph/options';
