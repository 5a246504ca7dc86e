import type { ProjectGraph } from '@nx/devkit';
import { dependencyInstalls } from '../executors/build/dependency-installs';
import { PROJECT_GRAPH_ENV, taskContext, type GraphFiles } from './task-context';

const options = (pkg: string) => ({ package: pkg, sageRoot: '.', artifactsDir: `a/${pkg}` });
const graph = {
  nodes: {
    gmp: { name: 'gmp', type: 'lib', data: { root: 'build/pkgs/gmp', metadata: { sage: { package: 'gmp', deps: [] } }, targets: { build: { executor: 'nx:run-commands', options: { command: 'node x build {}' }, inputs: ['{projectRoot}/**/*'] }, install: { executor: 'nx-sage:install', options: options('gmp') } } } },
    mpfr: { name: 'mpfr', type: 'lib', data: { root: 'build/pkgs/mpfr', metadata: { sage: { package: 'mpfr', deps: ['gmp'] } }, targets: { build: { executor: 'nx:run-commands', options: { command: 'node x build {}' } }, install: { executor: 'nx-sage:install', options: options('mpfr') } } } },
  },
  dependencies: { gmp: [], mpfr: [{ source: 'mpfr', target: 'gmp', type: 'static' }] },
} as unknown as ProjectGraph;

function memoryFiles(initial: Record<string, ProjectGraph>) {
  const store = new Map(Object.entries(initial));
  const reads: string[] = [];
  const files: GraphFiles = { read: (f) => (reads.push(f), store.get(f) ?? null), write: (f, g) => void store.set(f, JSON.parse(JSON.stringify(g))) };
  return { files, store, reads };
}

describe('taskContext', () => {
  const env = { NX_WORKSPACE_ROOT: '/ws', NX_TASK_TARGET_PROJECT: 'mpfr', NX_TASK_TARGET_TARGET: 'build', [PROJECT_GRAPH_ENV]: '/ws/pg.json', NX_SAGE_RUN_DIR: '/run' };

  it('takes root, project and target from the variables Nx sets for a task; reads the graph once, on first use', () => {
    const { files, reads } = memoryFiles({ '/ws/pg.json': graph });
    const context = taskContext(env, '/ws', files);
    expect(context).toMatchObject({ root: '/ws', projectName: 'mpfr', targetName: 'build' });
    expect(reads).toEqual([]);
    const first = context.projectGraph;
    expect(context.projectGraph).toBe(first);
    expect(reads).toEqual(['/run/install-graph.json', '/ws/pg.json']);
  });

  it("the first build of a run writes the install graph; later builds read only that; it gives the same prerequisites", () => {
    const { files, store, reads } = memoryFiles({ '/ws/pg.json': graph });
    const first = taskContext(env, '/ws', files).projectGraph;
    expect(store.has('/run/install-graph.json')).toBe(true);
    expect(JSON.stringify(store.get('/run/install-graph.json'))).not.toMatch(/run-commands|inputs/);
    reads.length = 0;
    const second = taskContext(env, '/ws', files).projectGraph;
    expect(reads).toEqual(['/run/install-graph.json']);
    expect(dependencyInstalls(first, 'mpfr')).toEqual(dependencyInstalls(graph, 'mpfr'));
    expect(dependencyInstalls(second, 'mpfr')).toEqual([{ project: 'gmp', kind: 'package', options: options('gmp') }]);
  });

  it('without NX_WORKSPACE_ROOT the root is the directory the command runs in', () => {
    expect(taskContext({}, '/here', memoryFiles({}).files).root).toBe('/here');
  });

  it("says so when Nx's graph file cannot be read", () => {
    expect(() => taskContext(env, '/ws', memoryFiles({}).files).projectGraph).toThrow(/cannot read Nx's project graph at \/ws\/pg\.json/);
  });
});
