/**
 * `nx affected` with real git commits on a Sage 10.10.beta4 workspace.
 *
 * Which rule Nx 24 applies (read in node_modules/nx/dist/src/project-graph/affected/affected-tasks.js,
 * introduced by nrwl/nx#36841 "select affected tasks instead of affected projects"):
 *  - DEFAULT (nx.json `affected.legacy` unset, NX_LEGACY_AFFECTED unset): TASK-level. Nx builds the task
 *    graph of the requested targets, plans every task's hash and selects the tasks whose plan contains
 *    a changed file (plus tasks reading an affected producer's outputs); the run also executes the
 *    selected tasks' dependencies. With nx-sage's inputs (a build hashes its own directory and the
 *    directories of its TRANSITIVE NORMAL dependencies; install has the same inputs), a bump of X
 *    selects exactly X + its normal dependents — Sage's rebuild rule (conventions §4).
 *  - LEGACY (NX_LEGACY_AFFECTED=true or `affected.legacy: true`): PROJECT-level. The changed project
 *    and every project depending on it through the project graph, normal AND order-only edges.
 * Files every task hashes (nx.json, .gitignore, the lock file through AllExternalDependencies)
 * select everything.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allDependents, defaultBuildSet, diffSets, expectedRebuilds, packagesWithBuild, readSageGraph, VENV_NODE } from './support/sage-graph';
import { bumpVersion } from './support/stub-run';
import { createWorkspace, removeWorkspace, runNx, SAGE_10_10 } from './support/workspace';

const graph = readSageGraph(SAGE_10_10);
const withBuild = packagesWithBuild(graph);
const withInstall = defaultBuildSet(graph); // every package of the build set has an install target

describe('nx affected on Sage 10.10.beta4 (git commits in a temp workspace)', () => {
  let ws: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=e2e@nx-sage', '-c', 'user.name=e2e', ...args], { cwd: ws, encoding: 'utf8' });
  const showAffected = (target: string, env: Record<string, string> = {}): string[] => {
    const run = runNx(ws, ['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '-t', target, '--json'], env);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    return (JSON.parse(run.stdout.trim().split('\n').pop()!) as string[]).sort();
  };
  const commitBump = (x: string) => {
    bumpVersion(join(ws, 'build/pkgs', x));
    git('commit', '-qam', `bump ${x}`);
  };

  beforeAll(() => {
    ws = createWorkspace({ sageTree: SAGE_10_10 });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'Sage 10.10.beta4');
  });
  afterAll(() => removeWorkspace(ws));

  // gmp: the MP library (many normal dependents); cython: mostly ORDER-ONLY dependents; setuptools_scm:
  // a 3-package chain; pyparsing: a leaf with one normal dependent.
  describe.each(['gmp', 'cython', 'setuptools_scm', 'pyparsing'])('a commit bumping %s', (x) => {
    beforeAll(() => commitBump(x));

    it('task-level (default): -t build selects X + its normal dependents', () => {
      const expected = expectedRebuilds(graph, x, withBuild);
      expect(showAffected('build')).toEqual(expected);
    });

    it('task-level (default): -t install selects the same projects (install has the build\'s inputs)', () => {
      expect(showAffected('install')).toEqual(expectedRebuilds(graph, x, withBuild));
    });

    it('legacy project-level (NX_LEGACY_AFFECTED=true): X + ALL graph dependents, order-only included', () => {
      const legacy = showAffected('install', { NX_LEGACY_AFFECTED: 'true' });
      expect(legacy).toEqual([...allDependents(graph, x)].filter((name) => withInstall.has(name)).sort());
      // Control: the two rules differ exactly by the order-only dependents (none for pyparsing).
      const { extra } = diffSets(legacy, expectedRebuilds(graph, x, withBuild));
      if (x === 'cython') expect(extra).toEqual(expect.arrayContaining(['numpy', 'matplotlib'])); // scipy: normal
      if (x === 'pyparsing') expect(extra).toEqual([]);
    });
  });

  it('nx affected -t install runs the selected installs and everything they depend on', () => {
    // HEAD~1..HEAD is the pyparsing bump (the last describe.each case).
    const file = join(ws, 'affected-graph.json');
    const run = runNx(ws, ['affected', '-t', 'install', '--base=HEAD~1', '--head=HEAD', `--graph=${file}`]);
    expect(run.status).toBe(0);
    const tasks = Object.keys(JSON.parse(readFileSync(file, 'utf8')).tasks.tasks as Record<string, unknown>);
    const installs = tasks.filter((id) => id.endsWith(':install')).map((id) => id.slice(0, -':install'.length)).sort();
    // The selected installs (pyparsing, sagetex) plus their dependencies' installs (dependsOn ^install
    // follows normal and order-only edges), down to the venv.
    const closure = new Set<string>();
    const queue = expectedRebuilds(graph, 'pyparsing', withBuild);
    while (queue.length) {
      const name = queue.pop()!;
      if (closure.has(name)) continue;
      closure.add(name);
      const pkg = graph.packages[name];
      if (pkg) queue.push(...pkg.deps, ...pkg.orderOnlyDeps);
    }
    expect(installs).toEqual([...closure].filter((n) => withInstall.has(n) || n === VENV_NODE).sort());
    expect(tasks).toContain('sagetex:build');
  });

  it('a change to nx.json (hashed by every task) selects every build', () => {
    const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
    writeFileSync(join(ws, 'nx.json'), JSON.stringify({ ...nxJson, namedInputs: { unused: ['{projectRoot}/nothing'] } }, null, 2));
    git('commit', '-qam', 'touch nx.json');
    expect(showAffected('build')).toEqual([...withBuild].sort());
  });
});
