import type { ProjectGraph } from '@nx/devkit';
import { PROJECT_GRAPH_ENV, taskContext } from './task-context';

describe('taskContext', () => {
  const graph = { nodes: {}, dependencies: {} } as ProjectGraph;

  it('takes root, project and target from the variables Nx sets for a task; reads the graph once, on first use', () => {
    const reads: string[] = [];
    const context = taskContext(
      { NX_WORKSPACE_ROOT: '/ws', NX_TASK_TARGET_PROJECT: 'gmp', NX_TASK_TARGET_TARGET: 'build', [PROJECT_GRAPH_ENV]: '/ws/.nx/workspace-data/project-graph.json' },
      '/ws',
      (file) => (reads.push(file), graph),
    );
    expect(context).toMatchObject({ root: '/ws', projectName: 'gmp', targetName: 'build' });
    expect(reads).toEqual([]);
    expect(context.projectGraph).toBe(graph);
    expect(context.projectGraph).toBe(graph);
    expect(reads).toEqual(['/ws/.nx/workspace-data/project-graph.json']);
  });

  it('without NX_WORKSPACE_ROOT the root is the directory the command runs in', () => {
    expect(taskContext({}, '/here', () => graph).root).toBe('/here');
  });
});
