import type { ProjectGraph } from '@nx/devkit';
import { dependencyInstalls } from './dependency-installs';

type Spec = { deps?: string[]; orderOnly?: string[]; check?: string[]; executor?: string; virtual?: boolean };

function graphOf(specs: Record<string, Spec>): Pick<ProjectGraph, 'nodes' | 'dependencies'> {
  const nodes: ProjectGraph['nodes'] = {};
  const dependencies: ProjectGraph['dependencies'] = {};
  for (const [name, spec] of Object.entries(specs)) {
    const sage = spec.virtual
      ? { package: name, virtual: true }
      : { package: name, deps: spec.deps ?? [], orderOnlyDeps: spec.orderOnly ?? [], checkDeps: spec.check ?? [] };
    nodes[name] = {
      name,
      type: 'lib',
      data: { root: `build/pkgs/${name}`, metadata: { sage } as never, targets: { install: { executor: spec.executor ?? 'nx-sage:install', options: { package: name } } } },
    };
    const targets = new Set([...(spec.deps ?? []), ...(spec.orderOnly ?? []), ...(spec.check ?? [])]);
    dependencies[name] = [...targets].map((target) => ({ source: name, target, type: 'static' }));
  }
  return { nodes, dependencies };
}

const names = (graph: ReturnType<typeof graphOf>, project: string) => dependencyInstalls(graph, project).map((s) => s.project);

describe('dependencyInstalls', () => {
  it('a broken prerequisite (nx-sage:error targets) fails the dependent with its name and problem', () => {
    const graph = graphOf({ libnauty: { executor: 'nx-sage:error' }, giac: { deps: ['libnauty'] } });
    (graph.nodes.libnauty.data.targets!.install.options as Record<string, string>).message = 'build/pkgs/libnauty/dependencies:1: unsupported';
    expect(() => dependencyInstalls(graph, 'giac')).toThrow(/prerequisite 'libnauty' is broken, so this package cannot build:\nbuild\/pkgs\/libnauty\/dependencies:1: unsupported/);
  });

  it('lists normal and order-only prerequisites transitively, each after its own prerequisites', () => {
    const graph = graphOf({
      python3_venv: { executor: 'nx:noop', virtual: true },
      pip: { deps: ['python3_venv'] },
      tomli: { deps: ['pip'] },
      setuptools_scm: { deps: ['tomli', 'pip'] },
      pyparsing: { deps: ['pip'], orderOnly: ['setuptools_scm'] },
    });
    const order = names(graph, 'pyparsing');
    expect(new Set(order)).toEqual(new Set(['python3_venv', 'pip', 'tomli', 'setuptools_scm']));
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('python3_venv', 'pip');
    before('pip', 'tomli');
    before('tomli', 'setuptools_scm');
    expect(order).not.toContain('pyparsing');
  });

  it('leaves out check-only prerequisites, also below the first level', () => {
    const graph = graphOf({ pytest: {}, a: { check: ['pytest'] }, b: { deps: ['a'], check: ['pytest'] } });
    expect(names(graph, 'b')).toEqual(['a']);
  });

  it('says how each prerequisite is installed', () => {
    const graph = graphOf({
      python3_venv: { executor: 'nx:noop', virtual: true },
      gfortran: { executor: 'nx:noop' },
      numpy: { deps: ['python3_venv', 'gfortran'] },
    });
    expect(dependencyInstalls(graph, 'numpy').map((s) => [s.project, s.kind])).toEqual([
      ['gfortran', 'satisfied'],
      ['python3_venv', 'satisfied'],
    ]);
  });

  it('terminates on a cycle and does not list the package itself', () => {
    const graph = graphOf({ a: { deps: ['b'] }, b: { deps: ['a'] } });
    expect(names(graph, 'a')).toEqual(['b']);
  });

  it('has nothing to install for a package without prerequisites or an unknown project', () => {
    expect(names(graphOf({ a: {} }), 'a')).toEqual([]);
    expect(names(graphOf({ a: {} }), 'nope')).toEqual([]);
  });
});
