import { existsSync } from 'node:fs';
import { makeTempTree, removeTree } from '../../testing/temp-tree';
import { RUN_ID_ENV, runFactsDir } from '../../report/facts';
import { memoizeForRun } from './run-memo';

describe('memoizeForRun', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempTree({});
  });
  afterEach(() => removeTree(root));

  const counter = () => {
    let calls = 0;
    return { compute: async () => `3.${++calls}`, calls: () => calls };
  };

  it('computes once per run: a second task (another call, same run) reads the first one\'s value', async () => {
    const env = { [RUN_ID_ENV]: 'run-a', NX_WORKSPACE_ROOT: root };
    const c = counter();
    expect(await memoizeForRun({ python: 'python3' }, c.compute, env)).toBe('3.1');
    expect(await memoizeForRun({ python: 'python3' }, c.compute, env)).toBe('3.1');
    expect(c.calls()).toBe(1);
    expect(existsSync(`${runFactsDir(root, 'run-a')}/memo`)).toBe(true);
  });

  it('keys by value and by run: another key or another run computes again', async () => {
    const c = counter();
    await memoizeForRun({ python: 'python3' }, c.compute, { [RUN_ID_ENV]: 'run-a', NX_WORKSPACE_ROOT: root });
    expect(await memoizeForRun({ python: 'python3.12' }, c.compute, { [RUN_ID_ENV]: 'run-a', NX_WORKSPACE_ROOT: root })).toBe('3.2');
    expect(await memoizeForRun({ python: 'python3' }, c.compute, { [RUN_ID_ENV]: 'run-b', NX_WORKSPACE_ROOT: root })).toBe('3.3');
  });

  it('outside a run started by Nx (control): every call computes', async () => {
    const c = counter();
    await memoizeForRun('k', c.compute, { NX_WORKSPACE_ROOT: root });
    await memoizeForRun('k', c.compute, { NX_WORKSPACE_ROOT: root });
    expect(c.calls()).toBe(2);
  });
});
