import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { makeTempTree, removeTree, spkgFiles } from '../../testing/temp-tree';
import { artifactContent, STUB_ARTIFACT, STUB_ENV } from '../common/stub';
import installBatch from './batch';
import type { BatchTaskResult } from '../common/batch-tasks';

// Stub mode (no process, no pip, no lock): the batch frame itself — order, Nx's result shape,
// dependents of a failed task reported as skipped with the reason.
describe('install batch executor (stub mode)', () => {
  let root: string;
  const saved = process.env[STUB_ENV];
  beforeEach(() => {
    root = makeTempTree({
      ...spkgFiles('a', { type: 'standard', 'package-version.txt': '1.0' }),
      ...spkgFiles('b', { type: 'standard', 'package-version.txt': '2.0' }),
      ...spkgFiles('c', { type: 'standard', 'package-version.txt': '3.0' }),
      ...spkgFiles('d', { type: 'standard', 'package-version.txt': '4.0' }),
      [`art/a/${STUB_ARTIFACT}`]: artifactContent('a', '1.0'),
      [`art/c/${STUB_ARTIFACT}`]: artifactContent('c', '3.0'),
      [`art/d/${STUB_ARTIFACT}`]: artifactContent('d', '4.0'),
    });
    process.env[STUB_ENV] = join(root, 'stub');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env[STUB_ENV];
    else process.env[STUB_ENV] = saved;
    removeTree(root);
  });

  it('installs in dependency order; a dependent of a failed install is skipped, the rest installs', async () => {
    const task = (p: string) => ({ id: `${p}:install`, target: { project: p, target: 'install' }, overrides: {}, outputs: [] });
    const graph = {
      roots: ['a:install', 'b:install'],
      tasks: Object.fromEntries(['a', 'b', 'c', 'd'].map((p) => [`${p}:install`, task(p)])),
      // b has no artifact (fails); c depends on b; d depends on a (and on a build outside the batch).
      dependencies: { 'a:install': [], 'b:install': [], 'c:install': [{ id: 'b:install' }], 'd:install': [{ id: 'a:install' }, { id: 'd:build' }] },
      continuousDependencies: {},
    } as unknown as TaskGraph;
    const inputs = Object.fromEntries(['a', 'b', 'c', 'd'].map((p) => [`${p}:install`, { package: p, sageRoot: '.', artifactsDir: `art/${p}` }]));
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const results: BatchTaskResult[] = [];
    for await (const r of installBatch(graph, inputs, {}, { root } as ExecutorContext)) results.push(r);
    errors.mockRestore();
    expect(results.map((r) => [r.task, r.result.success, r.result.status])).toEqual([
      ['a:install', true, undefined],
      ['b:install', false, undefined],
      ['c:install', false, 'skipped'],
      ['d:install', true, undefined],
    ]);
    expect(results[2].result.terminalOutput).toMatch(/dependency b:install failed/);
    expect(readFileSync(join(root, 'stub/runs.log'), 'utf8')).toBe('install a\ninstall d\n');
    expect(existsSync(join(root, 'local/var/lib/sage/installed/c-3.0'))).toBe(false);
  });
});
