import type { ProjectGraph } from '@nx/devkit';
import { buildRunTaskGraph, isSageTask } from './task-graph';

/** Projects a → b → c → d (a depends on b, ...), with nx-sage-like targets; d has no install target. */
function makeGraph(): Pick<ProjectGraph, 'nodes' | 'dependencies'> {
  const sage = (name: string, withInstall = true) => ({
    name,
    type: 'lib' as const,
    data: {
      root: `build/pkgs/${name}`,
      targets: {
        download: { executor: 'nx-sage:download' },
        build: { executor: 'nx-sage:build', dependsOn: ['download', '^install'] },
        ...(withInstall ? { install: { executor: 'nx-sage:install', dependsOn: ['build', { target: 'install', dependencies: true }] } } : {}),
        custom: { executor: 'nx:run-commands', dependsOn: [{ target: 'build', projects: ['self', 'b'] }] },
      },
    },
  });
  return {
    nodes: { a: sage('a'), b: sage('b'), c: sage('c'), d: sage('d', false), e: sage('e') },
    dependencies: {
      a: [{ source: 'a', target: 'b', type: 'static' }],
      b: [{ source: 'b', target: 'c', type: 'static' }],
      c: [{ source: 'c', target: 'd', type: 'static' }],
      d: [{ source: 'd', target: 'e', type: 'static' }],
      e: [],
    },
  };
}

const tasks = (...ids: string[]) => ids.map((id) => ({ id, project: id.split(':')[0], target: id.split(':')[1] }));

describe('buildRunTaskGraph', () => {
  it('resolves target, ^target and the object forms among the tasks of the run', () => {
    const graph = buildRunTaskGraph(tasks('a:build', 'a:install', 'b:install', 'b:build', 'a:download', 'a:custom'), makeGraph());
    expect(graph.dependencies).toEqual({
      'a:build': ['a:download', 'b:install'],
      'a:install': ['a:build', 'b:install'],
      'b:install': ['b:build'],
      'b:build': [],
      'a:download': [],
      'a:custom': ['a:build', 'b:build'],
    });
  });

  it('reaches through a project without the task, as Nx does for ^ dependencies', () => {
    const graph = buildRunTaskGraph(tasks('c:install', 'e:install'), makeGraph());
    expect(graph.dependencies['c:install']).toEqual(['e:install']);
  });

  it('keeps the task ids Nx gave (configurations included)', () => {
    const graph = buildRunTaskGraph([{ id: 'a:build:ci', project: 'a', target: 'build' }, { id: 'b:install:ci', project: 'b', target: 'install' }], makeGraph());
    expect(graph.dependencies['a:build:ci']).toEqual(['b:install:ci']);
  });
});

describe('isSageTask', () => {
  it('is true for nx-sage executors only', () => {
    const graph = makeGraph();
    expect(isSageTask(graph, 'a', 'build')).toBe(true);
    expect(isSageTask(graph, 'a', 'custom')).toBe(false);
    expect(isSageTask(graph, 'nosuch', 'build')).toBe(false);
  });
});
