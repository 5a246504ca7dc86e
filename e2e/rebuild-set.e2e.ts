/**
 * Rebuild semantics against Sage 10.10.beta4 (issue 6): bumping package X's version must change the
 * hash of exactly the build tasks make would redo — X and every package that reaches X through NORMAL
 * prerequisites (conventions §4: order-only prerequisites never make a stamp stale), without the edge
 * make drops (sphinxcontrib_websupport → sphinx) — restricted to packages that have a build target.
 *
 * The actual side is Nx's own: the plan from its native HashPlanner (HashPlanInspector), real task
 * hashes from its TaskHasher, and finally real `nx run-many` runs with stub executors.
 * The expected side is computed from graph.json only (e2e/support/sage-graph.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffSets, expectedRebuilds, packagesWithBuild, readSageGraph, versionSource, type SageGraph } from './support/sage-graph';
import { assertStubWired, bumpVersion, stubInstallAll, takeRuns } from './support/stub-run';
import { extractSageTarball } from './support/sage-tarball';
import { createWorkspace, NX_ENV, REPO_ROOT, removeWorkspace, SAGE_10_10, SHARED } from './support/workspace';

const PROBE = join(REPO_ROOT, 'e2e/support/nx-hash-probe.js');

interface PlanTask {
  versionFiles: string[];
  packageDirs: string[];
  instructions: string[];
}

function probe<T>(ws: string, args: string[]): T {
  const out = execFileSync(process.execPath, [PROBE, ...args], {
    cwd: ws,
    env: { ...process.env, ...NX_ENV } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out) as T;
}

const project = (taskId: string) => taskId.slice(0, taskId.lastIndexOf(':'));

// Where each package's version is read from (see versionSource), computed once. The same for both
// layouts of the tree (textual links are followed like real ones); the tests check it on each.
const GRAPH = readSageGraph(SAGE_10_10);
const sourcesOf = (tree: string) => new Map(Object.keys(GRAPH.packages).map((x) => [x, versionSource(tree, x)]));
const SOURCES = sourcesOf(SAGE_10_10);

// The real-symlink tree (gfortran/package-version.txt → ../gcc/..., sagelib's → ../../../VERSION.txt, as
// in every git checkout of Sage), extracted once for this file.
let realTree: string | undefined;
const realSymlinkTree = () => (realTree ??= extractSageTarball(SHARED));
afterAll(() => realTree && removeWorkspace(realTree));

/**
 * Per package X: the build tasks whose inputs contain the file X's version is read from (through
 * Sage's links: gfortran's is gcc's, sagelib's is VERSION.txt). A package without package-version.txt
 * (script/none packages: version "none") counts when any file of its directory is an input — the glob
 * `build/pkgs/X/**` that matched those also matches a package-version.txt created there.
 */
function rebuildSetsFromPlan(graph: SageGraph, tasks: Record<string, PlanTask>): Map<string, string[]> {
  const sets = new Map<string, string[]>();
  for (const x of Object.keys(graph.packages)) {
    const source = SOURCES.get(x);
    sets.set(
      x,
      Object.entries(tasks)
        .filter(([, t]) => (source ? t.versionFiles.includes(source) : t.packageDirs.includes(x)))
        .map(([id]) => project(id))
        .sort(),
    );
  }
  return sets;
}

/** Expected for a bump of X: every package reading the same version file is bumped with it. */
function expectedFor(graph: SageGraph, x: string, withBuild: Set<string>): string[] {
  const source = SOURCES.get(x);
  const bumped = source ? [...SOURCES].filter(([, s]) => s === source).map(([y]) => y) : [x];
  return [...new Set(bumped.flatMap((y) => expectedRebuilds(graph, y, withBuild)))].sort();
}

function compareAll(graph: SageGraph, sets: Map<string, string[]>): string[] {
  const withBuild = packagesWithBuild(graph);
  const problems: string[] = [];
  for (const [x, actual] of sets) {
    const { extra, missing } = diffSets(actual, expectedFor(graph, x, withBuild));
    if (extra.length || missing.length) problems.push(`${x}: extra [${extra.join(' ')}] missing [${missing.join(' ')}]`);
  }
  return problems;
}

// Real hash runs cost two Nx processes each: the real-symlink tree repeats the ones its links matter for
// (gcc's file is gfortran's too; VERSION.txt is sagelib's, sage_setup's, sage_docbuild's, ...) and a leaf.
const ALL_BUMPS = ['pyparsing', 'gmp', 'cython', 'setuptools_scm', 'sphinx', 'sphinxcontrib_websupport', 'iconv', '_prereq', 'latte_int', 'gcc', 'sagelib'];
const LINK_BUMPS = ['pyparsing', 'gcc', 'gfortran', 'sagelib'];

const LAYOUTS: Array<[string, () => string, string[], boolean]> = [
  ['flattened folder', () => SAGE_10_10, ALL_BUMPS, true],
  ['real-symlink tree from the tarball', realSymlinkTree, LINK_BUMPS, false],
];

describe.each(LAYOUTS)('rebuild set of a version bump = Sage\'s (X + normal dependents), Sage 10.10.beta4, %s', (_layout, sageTree, bumps, withControl) => {
  const graph = GRAPH;
  const withBuild = packagesWithBuild(graph);
  let ws: string;
  let tree: string;
  let plan: { projects: string[]; tasks: Record<string, PlanTask> };

  beforeAll(() => {
    tree = sageTree();
    ws = createWorkspace({ sageTree: tree });
    plan = probe(ws, ['plan', 'build']);
  });

  it('reads each version from the same file as the flattened folder does', () => {
    expect(sourcesOf(tree)).toEqual(SOURCES);
  });
  afterAll(() => removeWorkspace(ws));

  it('the build targets are exactly the default build set minus source-none packages (273)', () => {
    expect(withBuild.size).toBe(273);
    expect(diffSets(plan.projects, withBuild)).toEqual({ extra: [], missing: [] });
  });

  it('Nx\'s hash plan: for all 437 packages X, the build tasks with X\'s files as inputs are X + its normal dependents', () => {
    const sets = rebuildSetsFromPlan(graph, plan.tasks);
    expect(sets.size).toBe(437);
    const problems = compareAll(graph, sets);
    // Printed in full when it fails: each line names X and the extra/missing build tasks.
    expect(problems).toEqual([]);
    // Landmarks. §4's make simulation rebuilt 21 packages for cython; here 22: the same plus pplpy_doc,
    // which lives in the docs tree (all-sage-docs) that the simulated all-sage left out.
    expect(sets.get('cython')).toHaveLength(22);
    expect(sets.get('cython')).toContain('pplpy_doc');
    // §4's make run also rebuilt sagelib here, only because of FORCE (it rebuilds on every make); with Nx
    // sagelib rebuilds only when its inputs change, and setuptools_scm is an order-only prerequisite of it.
    expect(sets.get('setuptools_scm')).toEqual(['hatch_vcs', 'setuptools_scm']);
    expect(sets.get('sphinx')).not.toContain('sphinxcontrib_websupport'); // the dropped edge
    expect(sets.get('sphinxcontrib_websupport')).not.toContain('sphinx'); // sphinx → it is order-only
    expect(sets.get('iconv')).toEqual([]); // source none: no build, and nothing depends on it normally
  });

  it('nothing else in a build\'s hash names another package: only its own configuration, env, runtime, nx.json', () => {
    const odd: string[] = [];
    for (const [id, task] of Object.entries(plan.tasks)) {
      for (const entry of task.instructions) {
        const ok =
          entry === `${project(id)}:ProjectConfiguration` ||
          entry === `${project(id)}:TsConfig` ||
          /^(env|runtime):/.test(entry) ||
          /^file:(.*\/)?VERSION\.txt$/.test(entry) ||
          ['AllExternalDependencies', 'file:nx.json', 'file:.gitignore'].includes(entry);
        if (!ok) odd.push(`${id}: ${entry}`);
      }
      // Whole dependency directories are inputs, version file included.
      const dirsWithoutVersion = task.packageDirs.filter((d) => existsSync(join(tree, 'build/pkgs', d, 'package-version.txt')) && !task.versionFiles.includes(`build/pkgs/${d}/package-version.txt`));
      if (dirsWithoutVersion.length) odd.push(`${id}: files of ${dirsWithoutVersion.join(' ')} without their package-version.txt`);
    }
    expect(odd).toEqual([]);
  });

  (withControl ? it : it.skip)('control: with hermetic: true (order-only deps are inputs too) the same comparison fails', () => {
    const hermetic = createWorkspace({ sageTree: tree, pluginOptions: { hermetic: true } });
    try {
      const sets = rebuildSetsFromPlan(graph, probe<{ tasks: Record<string, PlanTask> }>(hermetic, ['plan', 'build']).tasks);
      const problems = compareAll(graph, sets);
      expect(problems.length).toBeGreaterThan(50);
      // cython is an order-only prerequisite of numpy, matplotlib, ...: with hermetic they become "extra".
      expect(problems.find((p) => p.startsWith('cython:'))).toMatch(/^cython: extra \[.*\bnumpy\b.*\] missing \[\]$/);
    } finally {
      removeWorkspace(hermetic);
    }
  });

  // Real hash values, before and after a bump (fresh Nx processes, files on disk): a leaf, the
  // toolchain, a package with only order-only dependents, a 3-package chain, both ends of the dropped
  // cycle edge, a source-none package, a version-less script package, an optional package, and the two
  // kinds of shared version files (gcc's is gfortran's too; VERSION.txt is sagelib's, sage_setup's, ...).
  it.each(bumps)(
    'real task hashes: bumping %s changes exactly X + normal dependents',
    (x) => {
      const before = probe<{ hashes: Record<string, string> }>(ws, ['hash', 'build']).hashes;
      const dir = join(ws, 'build/pkgs', x);
      const created = !existsSync(join(dir, 'package-version.txt'));
      if (created) writeFileSync(join(dir, 'package-version.txt'), '1.0\n');
      const bump = created ? null : bumpVersion(dir);
      try {
        const after = probe<{ hashes: Record<string, string> }>(ws, ['hash', 'build']).hashes;
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
        const changed = Object.keys(after).filter((id) => after[id] !== before[id]).map(project).sort();
        expect(changed).toEqual(expectedFor(graph, x, withBuild));
      } finally {
        if (bump) writeFileSync(bump.file, `${bump.before}\n`);
        else rmSync(join(dir, 'package-version.txt'));
      }
    },
  );
});

describe('real runs with stub executors: a bump rebuilds exactly X + normal dependents', () => {
  const graph = readSageGraph(SAGE_10_10);
  let ws: string;
  let stub: string;

  beforeAll(() => {
    assertStubWired();
    ws = createWorkspace({ sageTree: SAGE_10_10 });
    stub = join(ws, '.stub');
  });
  afterAll(() => removeWorkspace(ws));

  it('first run builds the whole build set, the second builds and installs nothing', () => {
    const first = stubInstallAll(ws, stub);
    expect(first.stdout + first.stderr).toMatch(/Successfully ran target install/);
    expect(first.status).toBe(0);
    const runs = takeRuns(stub);
    expect(runs.builds).toEqual([...packagesWithBuild(graph)].sort());
    expect(runs.installs).toEqual(runs.builds);

    const second = stubInstallAll(ws, stub);
    expect(second.status).toBe(0);
    expect(takeRuns(stub).lines).toEqual([]);
  });

  it.each(['pyparsing', 'gmp', 'cython'])('bump %s: builds == X + normal dependents, installs == X', (x) => {
    bumpVersion(join(ws, 'build/pkgs', x));
    const run = stubInstallAll(ws, stub);
    expect(run.status).toBe(0);
    const runs = takeRuns(stub);
    expect(runs.builds).toEqual(expectedRebuilds(graph, x));
    // The stub artifact depends only on the package's own version: the dependents' rebuilt artifacts
    // are identical, so their installs are no-ops (the install executor compares artifact hashes).
    expect(runs.installs).toEqual([x]);
    // And nothing is left to do.
    expect(stubInstallAll(ws, stub).status).toBe(0);
    expect(takeRuns(stub).lines).toEqual([]);
  });
});
