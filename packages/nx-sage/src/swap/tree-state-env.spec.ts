import type { ProjectGraph } from '@nx/devkit';
import { join } from 'node:path';
import { treeStateArgs, treeStateEnv } from '../graph/install-inputs';
import { makeTempTree, removeTree } from '../testing/temp-tree';
import { treeState } from './tree-state';
import { treeStateEnvs } from './tree-state-env';

describe('treeStateEnvs', () => {
  let ws: string;
  afterEach(() => removeTree(ws));

  it('reads each tree the cached installs write into once, under the variable their command echoes', () => {
    ws = makeTempTree({ 'sage/local/var/lib/sage/installed/gmp-6.3.0': '{}\n', 'local/var/lib/sage/installed/x-1': '{}\n' });
    const install = (sageRoot: string, cache = true) => ({ executor: 'nx-sage:install', cache, options: { sageRoot, sageLocal: 'local' } });
    const graph = {
      nodes: {
        gmp: { name: 'gmp', type: 'lib', data: { root: 'sage/build/pkgs/gmp', targets: { install: install('sage') } } },
        mpfr: { name: 'mpfr', type: 'lib', data: { root: 'sage/build/pkgs/mpfr', targets: { install: install('sage'), build: { executor: 'nx-sage:build' } } } },
        other: { name: 'other', type: 'lib', data: { root: 'build/pkgs/other', targets: { install: install('.', false) } } },
      },
    } as unknown as Pick<ProjectGraph, 'nodes'>;
    const envs = treeStateEnvs(graph, ws);
    // Not the uncached install's tree (a remote cache is configured: nothing echoes it).
    expect(Object.keys(envs)).toEqual([treeStateEnv(treeStateArgs('sage', { sageLocal: 'local' }))]);
    expect(Object.values(envs)[0]).toBe(treeState(join(ws, 'sage/local')));
    expect(Object.values(envs)[0]).toMatch(/^nx-sage tree state [0-9a-f]{32}$/);
  });
});
