/**
 * Issue 11: on a CONFIGURED Sage 10.10.beta4 checkout (the shared fixture: extracted, ./bootstrap,
 * ./configure), the graph nx-sage infers is the one GNU make reads from the configured
 * build/make/Makefile: build set, dummy packages, normal and order-only edges of every package. The
 * expectation comes from make itself (support/make-graph.ts), not from the plugin's code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, symlinkSync, readFileSync, writeFileSync, utimesSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { configuredCheckout, copyConfiguredCheckout } from './support/configured-checkout';
import { makeGraph, type MakeGraph } from './support/make-graph';
import { assertPluginBuilt, REPO_ROOT, removeWorkspace, runNx } from './support/workspace';

interface Node {
  name: string;
  data: {
    targets: Record<string, { options?: Record<string, string>; inputs?: Array<string | Record<string, string>>; metadata?: Record<string, unknown> }>;
    tags: string[];
    metadata: { sage: { deps: string[]; orderOnlyDeps: string[]; inBuildSet: boolean; system: boolean; virtual?: boolean } } };
}

/** The packages nx-sage builds: in the build set, not left to the system, no virtual node. */
const builtPackages = (nodes: Record<string, Node>): string[] =>
  Object.values(nodes)
    .filter((n) => !n.data.metadata.sage.virtual && n.data.metadata.sage.inBuildSet && !n.data.metadata.sage.system)
    .map((n) => n.name)
    .sort();

describe('nx-sage on a configured Sage 10.10.beta4 checkout (issue 11)', () => {
  let ws: string;
  let expected: MakeGraph;
  let nodes: Record<string, Node>;
  const sorted = (a: string[]) => [...a].sort();

  beforeAll(() => {
    assertPluginBuilt();
    ws = copyConfiguredCheckout('nx-sage-e2e-configured-');
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(ws, 'node_modules'));
    writeFileSync(join(ws, 'nx.json'), JSON.stringify({ plugins: [{ plugin: 'nx-sage' }] }));
    let t = Date.now();
    expected = makeGraph(ws);
    console.log(`make's own graph (make -p + make -n): ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    const run = runNx(ws, ['graph', '--file=graph.json']);
    console.log(`nx graph on the configured checkout: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (run.status !== 0) throw new Error(run.stdout + run.stderr);
    nodes = JSON.parse(readFileSync(join(ws, 'graph.json'), 'utf8')).graph.nodes;
  });
  afterAll(() => removeWorkspace(ws));

  const packages = () => Object.values(nodes).filter((n) => !n.data.metadata.sage.virtual);

  it('the dummy packages are configure\'s DUMMY_PACKAGES: provided by the system, nothing built', () => {
    expect(expected.dummy.length).toBeGreaterThan(5);
    expect(expected.dummy).toEqual(expect.arrayContaining(['gcc', 'rpy2', '_prereq']));
    expect(sorted(packages().filter((n) => n.data.metadata.sage.system).map((n) => n.name))).toEqual(expected.dummy);
  });

  it('the build set is what `make` builds (dry run of all-sage, all-sage-docs, toolchain), minus the dummies', () => {
    expect(expected.buildSet.length).toBeGreaterThan(100);
    expect(builtPackages(nodes)).toEqual(expected.buildSet);
    // rpy2 is dummy (no R): its optional dependencies are not pulled in.
    expect(expected.dummy).toContain('rpy2');
    expect(nodes.rpy2.data.metadata.sage.deps).toContain('rpy2_rinterface');
    expect(expected.buildSet).not.toContain('rpy2_rinterface');
    expect(nodes.rpy2_rinterface.data.metadata.sage.inBuildSet).toBe(false);
  });

  it('every package\'s normal and order-only edges are its rule\'s prerequisites in make\'s data base', () => {
    const mismatches: string[] = [];
    for (const [name, rule] of Object.entries(expected.packages)) {
      const sage = nodes[name]?.data.metadata.sage;
      if (!sage) {
        mismatches.push(`${name}: no project`);
        continue;
      }
      if (sorted(sage.deps).join(' ') !== rule.normal.join(' ')) mismatches.push(`${name} normal: nx ${sorted(sage.deps)} make ${rule.normal}`);
      if (sorted(sage.orderOnlyDeps).join(' ') !== rule.orderOnly.join(' ')) mismatches.push(`${name} order-only: nx ${sorted(sage.orderOnlyDeps)} make ${rule.orderOnly}`);
    }
    expect(mismatches).toEqual([]);
    expect(Object.keys(expected.packages).length).toBe(packages().length);
  });

  it('the targets use configure\'s SAGE_LOCAL, SAGE_VENV and PYTHON_FOR_VENV, and hash configure\'s outputs', () => {
    const fixture = configuredCheckout();
    const build = nodes.flint.data.targets.build;
    expect(build.options).toMatchObject({ sageLocal: 'local', sageVenv: 'local/var/lib/sage/venv-python3.12', python: fixture.python });
    expect(build.inputs).toEqual(expect.arrayContaining([{ runtime: expect.stringMatching(/^echo sage-configure [0-9a-f]{64}$/) }]));
    // configure's choice, not the plugin's default `python3`.
    expect(fixture.python).not.toBe('python3');
  });

  it('offline, a missing upstream file fails through the checkout\'s own sage-package download with an error naming the file, its checksum and how to provide it; nothing is left behind', () => {
    // threejs: no prerequisites, one upstream file that is not in the fixture's upstream/. No internet here (CI neither).
    const run = runNx(ws, ['run', 'threejs:build', '--outputStyle=static']);
    const out = run.stdout + run.stderr;
    expect(run.status).not.toBe(0);
    expect(out).toMatch(/package 'threejs', phase download: cannot download threejs-sage-r122\.tar\.gz/);
    expect(out).toMatch(/put threejs-sage-r122\.tar\.gz \(sha256 [0-9a-f]{64}, see build\/pkgs\/threejs\/checksums\.ini\) into \S+\/upstream, or point SAGE_SERVER at a Sage mirror/);
    // Sage's own downloader ran (its mirror list), not ours.
    expect(out).toMatch(/sage_bootstrap|mirror/i);
    expect(existsSync(join(ws, 'upstream/threejs-sage-r122.tar.gz'))).toBe(false);
    expect(readdirSync(join(ws, 'local/var/lib/sage/installed')).filter((f) => f.startsWith('threejs'))).toEqual([]);
    // One bad package does not make the workspace unusable, and the tree lock was released.
    expect(runNx(ws, ['show', 'projects']).status).toBe(0);
    const locks = readdirSync(join(ws)).filter((f) => f.startsWith('local.nxsage-lock'));
    expect(locks.length).toBeGreaterThan(0);
    for (const lock of locks) {
      expect(existsSync(join(ws, lock, 'writer')) ? readdirSync(join(ws, lock, 'writer')) : []).toEqual([]);
      expect(existsSync(join(ws, lock, 'readers')) ? readdirSync(join(ws, lock, 'readers')) : []).toEqual([]);
    }
  });

  it('a package file newer than configure\'s Makefile is an error naming the file and how to re-run configure', () => {
    const file = join(ws, 'build/pkgs/gmp/package-version.txt');
    const { atime, mtime } = statSync(file);
    try {
      utimesSync(file, new Date(), new Date(Date.now() + 60_000));
      const run = runNx(ws, ['show', 'projects']);
      expect(run.status).not.toBe(0);
      expect(run.stdout + run.stderr).toMatch(/build\/pkgs\/gmp\/package-version\.txt/);
      expect(run.stdout + run.stderr).toMatch(/make build\/make\/Makefile|\.\/configure/);
    } finally {
      utimesSync(file, atime, mtime);
    }
  });
});

describe('nx-sage on the same checkout configured with --disable-doc (SAGE_DOCS empty)', () => {
  let ws: string;
  afterAll(() => removeWorkspace(ws));

  it('builds what make builds: packages installed only into SAGE_DOCS have no stamp and are left out (pplpy_doc)', () => {
    assertPluginBuilt();
    const fixture = configuredCheckout();
    ws = copyConfiguredCheckout('nx-sage-e2e-nodoc-');
    const configure = spawnSync('./configure', ['--enable-build-as-root', `--with-python=${fixture.python}`, '--disable-doc'], { cwd: ws, encoding: 'utf8' });
    if (configure.status !== 0) throw new Error(`./configure --disable-doc failed:\n${(configure.stdout + configure.stderr).slice(-3000)}`);
    expect(readFileSync(join(ws, 'build/make/Makefile'), 'utf8')).toMatch(/^SAGE_DOCS = *$/m);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(ws, 'node_modules'));
    writeFileSync(join(ws, 'nx.json'), JSON.stringify({ plugins: [{ plugin: 'nx-sage' }] }));
    const expected = makeGraph(ws);
    const run = runNx(ws, ['graph', '--file=graph.json']);
    if (run.status !== 0) throw new Error(run.stdout + run.stderr);
    const nodes: Record<string, Node> = JSON.parse(readFileSync(join(ws, 'graph.json'), 'utf8')).graph.nodes;
    expect(builtPackages(nodes)).toEqual(expected.buildSet);
    expect(expected.buildSet).not.toContain('pplpy_doc');
    expect(nodes.pplpy_doc.data.metadata.sage.inBuildSet).toBe(false);
  });
});
