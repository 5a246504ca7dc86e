import type { ProjectGraph } from '@nx/devkit';
import { targetsRunBy } from './graph-targets';

describe('targetsRunBy', () => {
  it('yields the targets the executor runs, of every project, and nothing else', () => {
    const graph = {
      nodes: {
        gmp: { data: { targets: { build: { executor: 'nx-sage:build', options: { package: 'gmp' } }, install: { executor: 'nx-sage:install' } } } },
        docs: { data: { targets: { build: { executor: 'nx:run-commands' } } } },
        bare: { data: {} },
        mpfr: { data: { targets: { compile: { executor: 'nx-sage:build', options: { package: 'mpfr' } } } } },
      },
    } as unknown as Pick<ProjectGraph, 'nodes'>;
    expect([...targetsRunBy(graph, 'nx-sage:build')].map((t) => t.options.package)).toEqual(['gmp', 'mpfr']);
    expect([...targetsRunBy(graph, 'nx-sage:check')]).toEqual([]);
  });
});
