/** `nx show projects` and `nx graph --file` in real temporary workspaces made from Sage 10.10.beta4. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractSageTarball } from './support/sage-tarball';
import { createWorkspace, removeWorkspace, runNx, SAGE_10_10, SHARED } from './support/workspace';

describe('nx on a Sage 10.10.beta4 checkout', () => {
  let ws: string;
  beforeAll(() => {
    ws = createWorkspace({ sageTree: SAGE_10_10 });
  });
  afterAll(() => removeWorkspace(ws));

  it('nx show projects lists the 437 packages and the venv node', () => {
    const run = runNx(ws, ['show', 'projects', '--json']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const projects = JSON.parse(run.stdout) as string[];
    expect(projects).toHaveLength(438);
    expect(projects).toEqual(expect.arrayContaining(['gmp', 'sagelib', 'pyparsing', 'python3_venv']));
  });

  it('nx graph --file writes Sage\'s edges (minus the one make drops)', () => {
    const file = join(ws, 'graph.json');
    const run = runNx(ws, ['graph', `--file=${file}`]);
    expect(run.status).toBe(0);
    const graph = JSON.parse(readFileSync(file, 'utf8')).graph;
    const edges = Object.values(graph.dependencies as Record<string, Array<{ target: string }>>).flat();
    expect(edges).toHaveLength(2756);
    const sphinxcontrib = graph.dependencies.sphinxcontrib_websupport.map((d: { target: string }) => d.target);
    expect(sphinxcontrib).not.toContain('sphinx');
    expect(graph.dependencies.sphinx.map((d: { target: string }) => d.target)).toContain('sphinxcontrib_websupport');
    expect(graph.dependencies.pyparsing.map((d: { target: string }) => d.target).sort()).toEqual(['pip', 'python3_venv']);
  });

  it('nx show project explains a package with Sage metadata', () => {
    const run = runNx(ws, ['show', 'project', 'flint', '--json']);
    expect(run.status).toBe(0);
    const project = JSON.parse(run.stdout);
    expect(project.metadata.sage).toMatchObject({ deps: expect.arrayContaining(['gmp', 'mpfr']), source: 'normal', trees: 'SAGE_LOCAL' });
    expect(project.targets.build.metadata.description).toMatch(/Build flint-/);
  });

  it('a bad dependencies line breaks only its package: the graph works, its targets fail with file and line', () => {
    const bad = createWorkspace({ sageTree: SAGE_10_10 });
    try {
      writeFileSync(join(bad, 'build/pkgs/flint/dependencies'), '$(MP_LIBRARY) mpfr no_such_pkg\n');
      const run = runNx(bad, ['show', 'projects', '--json']);
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toHaveLength(438);
      expect(run.stdout + run.stderr).toMatch(/build\/pkgs\/flint\/dependencies:1/);
      const flint = JSON.parse(runNx(bad, ['show', 'project', 'flint', '--json']).stdout);
      expect(flint.metadata.sage.error).toMatch(/build\/pkgs\/flint\/dependencies:1: package 'flint': 'no_such_pkg' names no package/);
      expect(flint.targets.build.executor).toBe('nx-sage:error');
      const build = runNx(bad, ['run', 'flint:build', '--excludeTaskDependencies', '--outputStyle=static']);
      expect(build.status).not.toBe(0);
      expect(build.stdout + build.stderr).toMatch(/cannot run flint:build: package 'flint' is broken\n.*build\/pkgs\/flint\/dependencies:1: .*no_such_pkg/);
    } finally {
      removeWorkspace(bad);
    }
  });
});

// The same graph from the real-symlink checkout (tarball), whose own build/make/Makefile.in is evaluated.
describe('nx on the real-symlink Sage 10.10.beta4 tree (tarball)', () => {
  let tree: string;
  let ws: string;
  beforeAll(() => {
    tree = extractSageTarball(SHARED);
    ws = createWorkspace({ sageTree: tree });
  });
  afterAll(() => {
    removeWorkspace(ws);
    removeWorkspace(tree);
  });

  it('nx graph --file writes Sage\'s edges (minus the one make drops)', () => {
    const file = join(ws, 'graph-out.json');
    const run = runNx(ws, ['graph', `--file=${file}`]);
    expect(run.status).toBe(0);
    const graph = JSON.parse(readFileSync(file, 'utf8')).graph;
    expect(Object.keys(graph.nodes)).toHaveLength(438);
    expect(Object.values(graph.dependencies as Record<string, Array<{ target: string }>>).flat()).toHaveLength(2756);
    expect(graph.dependencies.gfortran.map((d: { target: string }) => d.target).sort()).toEqual(graph.dependencies.gcc.map((d: { target: string }) => d.target).sort());
  });
});
