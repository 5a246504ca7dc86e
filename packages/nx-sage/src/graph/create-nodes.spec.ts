import type { ProjectConfiguration } from '@nx/devkit';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree, spkgFiles } from '../testing/temp-tree';
import { updateFilesInContext } from 'nx/src/utils/workspace-context';
import { inferGraph } from '../testing/infer';
import { groupByTree } from './create-nodes';
import type { NxSagePluginOptions } from './options';

const SHA256 = 'd'.repeat(64);

/** A small tree in Sage's shape: native library, wheel, sdist Python package, pip package, script, none. */
const TREE = {
  ...spkgFiles('gmp', { type: 'standard', 'package-version.txt': '6.3.0.p1', 'checksums.ini': `tarball=gmp-VERSION.tar.xz\nsha256=${SHA256}`, 'spkg-install.in': 'sdh_configure' }),
  ...spkgFiles('mpfr', { type: 'standard', 'package-version.txt': '4.2.1', 'checksums.ini': `tarball=mpfr-VERSION.tar.xz\nsha256=${SHA256}`, dependencies: '$(MP_LIBRARY)\n' }),
  ...spkgFiles('pip', { type: 'standard', 'package-version.txt': '25.0', 'checksums.ini': `tarball=pip-VERSION-py3-none-any.whl\nsha256=${SHA256}`, dependencies: '| $(PYTHON)', 'version_requirements.txt': 'pip' }),
  ...spkgFiles('pyparsing', { type: 'standard', 'package-version.txt': '3.3.2', 'checksums.ini': `tarball=pyparsing-VERSION-py3-none-any.whl\nsha256=${SHA256}`, dependencies: '| pip $(PYTHON)', 'version_requirements.txt': 'pyparsing' }),
  ...spkgFiles('gmpy2', { type: 'optional', 'package-version.txt': '2.3.0', 'checksums.ini': `tarball=gmpy2-VERSION.tar.gz\nsha256=${SHA256}`, dependencies: '$(MP_LIBRARY) mpfr | pip $(PYTHON)', dependencies_check: 'pyparsing', 'version_requirements.txt': 'gmpy2' }),
  ...spkgFiles('giac', { type: 'optional', 'package-version.txt': '1.9', 'checksums.ini': `tarball=giac-VERSION.tar.gz\nsha256=${SHA256}`, dependencies: 'gmp', dependencies_optional: 'gmpy2' }),
  ...spkgFiles('mathics', { type: 'optional', 'requirements.txt': 'mathics3', dependencies: 'pyparsing | $(PYTHON)' }),
  ...spkgFiles('sagelib', { type: 'standard', 'spkg-install.in': 'sdh_pip_install .', dependencies: 'FORCE $(MP_LIBRARY) mpfr $(SAGE_SRC)/sage/x.pxd | pip $(PYTHON)' }),
  ...spkgFiles('info', { type: 'standard' }),
};

async function infer(root: string, options: NxSagePluginOptions = {}, installCache = true) {
  const { projects, edges } = await inferGraph(root, options, join(root, '.cache'), installCache);
  return { projects, deps: edges };
}

const sage = (project: ProjectConfiguration) => (project.metadata as any).sage;

describe('createNodes / createDependencies', () => {
  let root: string;
  afterEach(() => removeTree(root));

  it('makes one project per package plus the venv node, with Sage metadata and targets', async () => {
    root = makeTempTree(TREE);
    const { projects, deps } = await infer(root);
    expect(Object.keys(projects).sort()).toEqual(['giac', 'gmp', 'gmpy2', 'info', 'mathics', 'mpfr', 'pip', 'pyparsing', 'python3_venv', 'sagelib']);
    expect(sage(projects.mpfr)).toMatchObject({ deps: ['gmp'], orderOnlyDeps: [], source: 'normal', trees: 'SAGE_LOCAL', versionWithPatchlevel: '4.2.1' });
    expect(sage(projects.sagelib)).toMatchObject({ deps: ['gmp', 'mpfr'], orderOnlyDeps: ['pip', 'python3_venv'], fileDeps: ['FORCE', '/SAGE_SRC/sage/x.pxd'] });
    // pip packages get `pip` as an order-only dependency from configure.
    expect(sage(projects.mathics)).toMatchObject({ source: 'pip', deps: ['pyparsing'], orderOnlyDeps: ['python3_venv', 'pip'] });
    expect(projects.python3_venv.root).toBe('build');
    expect(Object.keys(projects.gmp.targets!)).toEqual(['download', 'build', 'install', 'uninstall']);
    expect(projects.gmp.targets!.build).toMatchObject({ executor: 'nx-sage:build', cache: true, dependsOn: ['^build'] });
    expect(projects.gmp.targets!.build.options).toEqual(projects.gmp.targets!.install.options);
    expect(projects.info.targets!.install.executor).toBe('nx:noop');
    // The venv node is an in-process no-op every install waits for: a no-op run forms one install batch.
    expect(projects.python3_venv.targets!.install.executor).toBe('nx:noop');
    expect(projects.gmp.targets!.install.dependsOn).toEqual(['build', '^install', { projects: ['python3_venv'], target: 'install' }]);
    // An install is cached by its build's inputs plus the state of the tree it installs into.
    const install = projects.gmp.targets!.install;
    expect(install.cache).toBe(true);
    expect(install.inputs).toEqual([...projects.gmp.targets!.build.inputs!, { runtime: expect.stringMatching(/ node \S*dist\/swap\/tree-state-cli\.js local 2>/) }]);
    // With a remote cache configured, installs are not cached (their entries would be uploaded): the build's file inputs only.
    const remote = (await infer(root, {}, false)).projects.gmp.targets!;
    expect(remote.install.cache).toBe(false);
    expect(remote.install.inputs).toEqual((remote.build.inputs as unknown[]).filter((i) => typeof i === 'string'));
    // Optional packages nobody enabled or needs are in the graph but have nothing to run.
    expect(projects.giac.targets).toEqual({});
    expect(projects.giac.tags).toContain('sage:disabled');
    expect(deps).toEqual(
      ['giac->gmp', 'gmpy2->gmp', 'gmpy2->mpfr', 'gmpy2->pip', 'gmpy2->python3_venv', 'mathics->pip', 'mathics->pyparsing', 'mathics->python3_venv',
        'mpfr->gmp', 'pip->python3_venv', 'pyparsing->pip', 'pyparsing->python3_venv', 'sagelib->gmp', 'sagelib->mpfr', 'sagelib->pip', 'sagelib->python3_venv'].sort(),
    );
  });

  it('applies dependencies_optional with findstring semantics and check deps only when checks are on', async () => {
    root = makeTempTree(TREE);
    const off = await infer(root);
    expect(sage(off.projects.giac).deps).toEqual(['gmp']);
    const on = await infer(root, { enable: ['giac', 'gmpy2'], check: ['gmpy2'] });
    // giac's line has no `|`, so its optional dependency is a normal one.
    expect(sage(on.projects.giac).deps).toEqual(['gmp', 'gmpy2']);
    expect(on.projects.giac.targets!.install).toBeDefined();
    expect(on.deps).toContain('gmpy2->pyparsing');
    expect(off.deps).not.toContain('gmpy2->pyparsing');
    expect(on.projects.gmpy2.targets!.check).toBeDefined();
  });

  it('marks system packages as satisfied and applies a project prefix', async () => {
    root = makeTempTree(TREE);
    const { projects, deps } = await infer(root, { system: ['gmp'], projectPrefix: 'sage-' });
    expect(projects['sage-gmp'].targets!.install.executor).toBe('nx:noop');
    expect(deps).toContain('sage-mpfr->sage-gmp');
  });

  it('caches inferred nodes by file hashes and options, and notices a changed file', async () => {
    root = makeTempTree(TREE);
    await infer(root);
    expect(readdirSync(join(root, '.cache')).filter((f) => f.startsWith('nx-sage-'))).toHaveLength(1);
    writeFileSync(join(root, 'build/pkgs/mpfr/package-version.txt'), '4.2.1.p0');
    // Nx's daemon and watcher tell the workspace context about changed files; a test has to do it.
    await updateFilesInContext(root, ['build/pkgs/mpfr/package-version.txt'], []);
    const { projects } = await infer(root);
    expect(sage(projects.mpfr).versionWithPatchlevel).toBe('4.2.1.p0');
  });

  it('warns about a cycle and drops the closing edge', async () => {
    root = makeTempTree({
      ...spkgFiles('sphinx', { type: 'standard', dependencies: 'docutils | sphinxcontrib_websupport' }),
      ...spkgFiles('sphinxcontrib_websupport', { type: 'standard', dependencies: 'sphinx' }),
      ...spkgFiles('docutils', { type: 'standard' }),
    });
    const { projects, deps } = await infer(root);
    expect(sage(projects.sphinxcontrib_websupport).droppedDeps).toEqual(['sphinx']);
    expect(deps).toEqual(['sphinx->docutils', 'sphinx->sphinxcontrib_websupport']);
  });

  describe('era differences come from the tree\'s own Makefile.in', () => {
    // In the shape of Sage 9.8's build/make/Makefile.in (2023): python3 is a package, PYTHON = python3,
    // the venv node replaces it only when configure accepted the system Python, its target is pyvenv.cfg.
    const OLD_MAKEFILE = [
      'SPKG_INST_RELDIR = var/lib/sage/installed',
      'PYTHON = python3',
      'MP_LIBRARY = gmp',
      'PYTHON_FOR_VENV = @PYTHON_FOR_VENV@',
      'ifneq ($(PYTHON_FOR_VENV),)',
      'ifeq ($(PYTHON),python3)',
      'PYTHON = python3_venv',
      'endif',
      'inst_python3_venv = $(SAGE_VENV)/pyvenv.cfg',
      'endif',
      'PYTHON_TOOLCHAIN = setuptools pip wheel',
      '',
    ].join('\n');
    const OLD_TREE = {
      'build/make/Makefile.in': OLD_MAKEFILE,
      ...spkgFiles('python3', { type: 'standard', 'package-version.txt': '3.11.1', 'checksums.ini': `tarball=Python-VERSION.tar.xz\nsha256=${SHA256}` }),
      ...spkgFiles('pip', { type: 'standard', 'package-version.txt': '22.3', 'checksums.ini': `tarball=pip-VERSION.tar.gz\nsha256=${SHA256}`, dependencies: '$(PYTHON)', 'install-requires.txt': 'pip' }),
      ...spkgFiles('pyparsing', { type: 'standard', 'package-version.txt': '3.0.9', 'checksums.ini': `tarball=pyparsing-VERSION.tar.gz\nsha256=${SHA256}`, dependencies: '$(PYTHON) | $(PYTHON_TOOLCHAIN)', 'install-requires.txt': 'pyparsing' }),
      ...spkgFiles('setuptools', { type: 'standard', 'package-version.txt': '65', 'checksums.ini': `tarball=setuptools-VERSION.tar.gz\nsha256=${SHA256}`, dependencies: '$(PYTHON) | pip' }),
      ...spkgFiles('wheel', { type: 'standard', 'package-version.txt': '0.38', 'checksums.ini': `tarball=wheel-VERSION.tar.gz\nsha256=${SHA256}`, dependencies: '$(PYTHON) | pip' }),
    };

    it('system Python accepted (default): $(PYTHON) is the venv node, whose target is $(SAGE_VENV)/pyvenv.cfg', async () => {
      root = makeTempTree(OLD_TREE);
      const { projects } = await infer(root);
      expect(sage(projects.pyparsing)).toMatchObject({ deps: ['python3_venv'], orderOnlyDeps: ['setuptools', 'pip', 'wheel'], trees: 'SAGE_VENV' });
      expect(sage(projects.python3_venv)).toMatchObject({ virtual: true, stamp: '/SAGE_VENV/pyvenv.cfg' });
    });

    it('buildPython (configure rejected the system Python): $(PYTHON) is the python3 package', async () => {
      root = makeTempTree(OLD_TREE);
      const { projects, deps } = await infer(root, { buildPython: true });
      expect(projects.python3_venv).toBeUndefined();
      expect(sage(projects.pyparsing).deps).toEqual(['python3']);
      expect(deps).toContain('pip->python3');
    });

    it('10.10 (no python3 package): the venv node with a python3_venv stamp', async () => {
      root = makeTempTree(TREE);
      const { projects } = await infer(root);
      expect(sage(projects.python3_venv).stamp).toMatch(/^\/SAGE_VENV\/var\/lib\/sage\/installed\/python3_venv-3\./);
    });
  });

  describe('a bad package becomes a project carrying its error (file, line, what to do); the rest is unaffected', () => {
    const expectBroken = async (files: Record<string, string>, name: string, parts: RegExp[]) => {
      root = makeTempTree({ ...TREE, ...files });
      const { projects, deps } = await infer(root);
      // Every good package is still there, with its edges.
      for (const good of ['gmp', 'mpfr', 'pip', 'pyparsing', 'sagelib', 'python3_venv']) expect(projects[good]).toBeDefined();
      expect(deps).toContain('mpfr->gmp');
      const broken = projects[name];
      expect(sage(broken)).toMatchObject({ broken: true });
      for (const part of parts) expect(sage(broken).error).toMatch(part);
      expect(broken.tags).toContain('sage:broken');
      return { projects, deps };
    };

    it('a dependencies line naming an unknown package', async () => {
      const { projects } = await expectBroken(spkgFiles('foo', { type: 'standard', dependencies: 'gmp nosuchpkg | pip' }), 'foo', [/build\/pkgs\/foo\/dependencies:1/, /package 'foo'/, /nosuchpkg/]);
      // Standard: in the build set, so its targets fail with the message.
      expect(projects.foo.targets!.build).toMatchObject({ executor: 'nx-sage:error', options: { package: 'foo', message: sage(projects.foo).error } });
      expect(projects.foo.targets!.install.executor).toBe('nx-sage:error');
    });
    it('an unsupported make function names the construct', () =>
      expectBroken(spkgFiles('foo', { type: 'standard', dependencies: 'gmp $(shell echo mpfr) | pip' }), 'foo', [/build\/pkgs\/foo\/dependencies:1/, /\$\(shell echo mpfr\)/, /not supported/]));
    it('an empty type', () => expectBroken(spkgFiles('foo', { type: '' }), 'foo', [/build\/pkgs\/foo\/type:1/, /type file is empty/]));
    it('a type file that is not text', async () => {
      root = makeTempTree({ ...TREE, ...spkgFiles('foo', { type: 'x' }) });
      writeFileSync(join(root, 'build/pkgs/foo/type'), Buffer.from([0xff, 0xfe, 0x73, 0xc3, 0x28]));
      const { projects } = await infer(root);
      expect(sage(projects.foo).error).toMatch(/build\/pkgs\/foo\/type: package 'foo': cannot read the type file/);
      expect(projects.foo.targets!.build.executor).toBe('nx-sage:error');
    });
    it('a malformed checksums.ini', () =>
      expectBroken(spkgFiles('foo', { type: 'standard', 'package-version.txt': '1', 'checksums.ini': 'tarball=foo-VERSION.tgz\nsha256: 12' }), 'foo', [/build\/pkgs\/foo\/checksums.ini:2/, /malformed line/]));
    it('a package name Sage would reject', () => expectBroken(spkgFiles('Foo-Bar', { type: 'standard' }), 'Foo-Bar', [/package 'Foo-Bar'/, /lower case/]));

    it('its dependents keep their edge to it and say which prerequisite is broken', async () => {
      const { projects, deps } = await expectBroken(
        { ...spkgFiles('foo', { type: 'standard', dependencies: '$(shell true)' }), ...spkgFiles('bar', { type: 'standard', dependencies: 'foo gmp' }) },
        'foo',
        [/shell/],
      );
      expect(deps).toContain('bar->foo');
      expect(sage(projects.bar).brokenDeps).toEqual(['foo']);
      expect(projects.bar.metadata!.description).toMatch(/prerequisite foo is broken/);
    });

    it('an undefined make variable expands to empty, as in make, and is reported', async () => {
      root = makeTempTree({ ...TREE, ...spkgFiles('foo', { type: 'standard', dependencies: '$(NO_SUCH_VAR) gmp' }) });
      const { projects } = await infer(root);
      expect(sage(projects.foo)).toMatchObject({ deps: ['gmp'], undefinedVars: ['NO_SUCH_VAR'] });
      expect(sage(projects.foo).broken).toBeUndefined();
    });
  });
});

describe('groupByTree', () => {
  it('finds the Sage root of each type file', () => {
    expect([...groupByTree(['build/pkgs/a/type', 'demo/build/pkgs/b/type', 'demo/build/pkgs/c/type'])]).toEqual([
      ['.', ['build/pkgs/a/type']],
      ['demo', ['demo/build/pkgs/b/type', 'demo/build/pkgs/c/type']],
    ]);
  });
});
