import { makeTempTree, removeTree } from '../testing/temp-tree';
import { buildDependencyEnv, type EnvPackage } from './dependency-env';
import { configureDepsLine, evaluateDependencyLine } from './dependency-line';

// Dependency lines below are Sage's own (build/pkgs/<pkg>/dependencies of the release named), used as
// data. The Makefile.in fixtures are written for these tests in the shape of the releases' templates.

const pkg = (name: string, version: string, trees = 'SAGE_LOCAL', source = 'normal'): EnvPackage => ({ name, versionWithPatchlevel: version, trees, source });
const PACKAGES: EnvPackage[] = [
  ...'readline libpng gmp mpfr mpfi ntl gsl pari glpk curl cliquer ecm nauty libnauty giac mpc m4 singular meataxe modular_resolution'.split(' ').map((n) => pkg(n, '1.0')),
  ...'cython cysignals setuptools pip setuptools_scm wheel flit_core hatchling python_build meson_python matplotlib gap ipywidgets sagelib ipython pexpect pyparsing hypothesis pytest mpmath'.split(' ').map((n) => pkg(n, '2.0', 'SAGE_VENV')),
  pkg('python3', '3.11.1'),
  pkg('mathics', 'none', 'SAGE_VENV', 'pip'),
];

// Sage 9.8 (2023): python3 is a package; $(PYTHON) becomes the venv node only when configure accepted
// the system Python, and the venv target is the file pyvenv.cfg.
const MAKEFILE_2023 = `
SPKG_INST_RELDIR = var/lib/sage/installed
TOOLCHAIN = @SAGE_TOOLCHAIN@
PYTHON = python3
MP_LIBRARY = gmp
BLAS = openblas
SAGE_DOCS = $(SAGE_LOCAL)
SAGE_VENV = @SAGE_VENV@
GCC_DEP = @SAGE_GCC_DEP@
@SAGE_PACKAGE_VERSIONS@
OPTIONAL_INSTALLED_PACKAGES = @SAGE_OPTIONAL_INSTALLED_PACKAGES@
$(foreach pkgname,$(BUILT_PACKAGES),\\
\t$(eval inst_$(pkgname) = $(SAGE_LOCAL)/$(SPKG_INST_RELDIR)/$(pkgname)-$(vers_$(pkgname))))
PYTHON_FOR_VENV = @PYTHON_FOR_VENV@
ifneq ($(PYTHON_FOR_VENV),)
ifeq ($(PYTHON),python3)
PYTHON = python3_venv
endif
inst_python3_venv = $(SAGE_VENV)/pyvenv.cfg

$(inst_python3_venv):
\t$(PYTHON_FOR_VENV) $(SAGE_ROOT)/build/bin/sage-venv "$(SAGE_VENV)"
endif
PYTHON_TOOLCHAIN = setuptools pip setuptools_scm wheel setuptools_wheel
SAGERUNTIME = sagelib $(inst_ipython) $(inst_pexpect)
`;

const env2023 = (pythonForVenv: string, enabled: string[] = []) => buildDependencyEnv({ makefileIn: MAKEFILE_2023, packages: PACKAGES.filter((p) => p.name !== 'libnauty' || enabled.length >= 0), enabled, pythonForVenv });
const env1010 = (enabled: string[] = [], sageRoot?: string) =>
  buildDependencyEnv({ makefileIn: null, packages: PACKAGES.filter((p) => p.name !== 'python3'), enabled, pythonForVenv: '/usr/bin/python3.12', sageRoot });

const GIAC_2023 = 'readline libpng $(MP_LIBRARY) mpfr mpfi ntl gsl pari glpk curl cliquer ecm $(findstring libnauty,$(OPTIONAL_INSTALLED_PACKAGES))';

describe('evaluateDependencyLine: Sage lines of every era', () => {
  it("2023 giac: $(findstring libnauty,$(OPTIONAL_INSTALLED_PACKAGES)) is empty unless libnauty is enabled", () => {
    const line = configureDepsLine({ name: 'giac', source: 'normal', dependencies: GIAC_2023, dependenciesOrderOnly: '', dependenciesCheck: '', dependenciesOptional: [] });
    const off = evaluateDependencyLine(line, env2023('python3', ['gmp', 'pari']), 'giac');
    expect(off).toMatchObject({ normal: 'readline libpng gmp mpfr mpfi ntl gsl pari glpk curl cliquer ecm'.split(' '), orderOnly: [], files: [], unknown: [] });
    expect(off.error).toBeUndefined();
    const on = evaluateDependencyLine(line, env2023('python3', ['gmp', 'libnauty']), 'giac');
    expect(on.normal).toContain('libnauty'); // before configure's `|`: a normal prerequisite
  });

  it('10.10 giac: the same through dependencies_optional (configure writes the findstring)', () => {
    const spkg = { name: 'giac', source: 'normal', dependencies: 'readline libpng $(MP_LIBRARY) mpfr mpfi ntl gsl pari glpk curl cliquer ecm', dependenciesOrderOnly: '', dependenciesCheck: '', dependenciesOptional: ['libnauty'] };
    expect(configureDepsLine(spkg)).toBe(`${spkg.dependencies} $(findstring libnauty,$(OPTIONAL_INSTALLED_PACKAGES))  |`);
    expect(evaluateDependencyLine(configureDepsLine(spkg), env1010(['libnauty']), 'giac').normal).toContain('libnauty');
    expect(evaluateDependencyLine(configureDepsLine(spkg), env1010([]), 'giac').normal).not.toContain('libnauty');
  });

  it('2023 $(PYTHON): the python3 package when configure rejected the system Python', () => {
    const env = env2023('');
    expect(env.venvNode).toBeNull();
    expect(evaluateDependencyLine('$(PYTHON) | setuptools pip wheel', env, 'pyparsing')).toMatchObject({ normal: ['python3'], orderOnly: ['setuptools', 'pip', 'wheel'] });
  });

  it('2023 $(PYTHON) with the system Python: the venv node, whose target is the file $(SAGE_VENV)/pyvenv.cfg', () => {
    const env = env2023('/usr/bin/python3');
    expect(env.venvNode).toBe('python3_venv');
    expect(env.venvStamp).toBe('/SAGE_VENV/pyvenv.cfg');
    expect(evaluateDependencyLine('$(PYTHON) | setuptools pip wheel', env, 'pyparsing')).toMatchObject({ normal: ['python3_venv'], files: [] });
  });

  it('10.10 $(PYTHON): the venv node, whose target is a python3_venv stamp', () => {
    const env = env1010();
    expect(env.venvNode).toBe('python3_venv');
    expect(env.venvStamp).toBe('/SAGE_VENV/var/lib/sage/installed/python3_venv-3.--usr-bin-python3.12');
    expect(evaluateDependencyLine('| pip $(PYTHON)', env, 'pyparsing')).toMatchObject({ normal: [], orderOnly: ['pip', 'python3_venv'] });
  });

  it('10.10 libnauty: a stamp path with $(SAGE_LOCAL), $(SPKG_INST_RELDIR) and $(vers_nauty) is the package nauty', () => {
    expect(evaluateDependencyLine('$(SAGE_LOCAL)/$(SPKG_INST_RELDIR)/nauty-$(vers_nauty) |', env1010(), 'libnauty')).toMatchObject({ normal: ['nauty'], files: [] });
  });

  it('10.10 sage_numerical_backends_coin: $(SAGE_SRC) files, $(SAGERUNTIME) with $(inst_ipython)', () => {
    const line = 'cbc cysignals $(SAGE_SRC)/sage/numerical/backends/generic_backend.pxd $(SAGE_SRC)/sage/cpython/string.pxd $(SAGE_SRC)/sage/cpython/string_impl.h | $(SAGERUNTIME) $(PYTHON_TOOLCHAIN) cython ipywidgets $(PYTHON)';
    const packages = [...PACKAGES.filter((p) => p.name !== 'python3'), pkg('cbc', '2.10')];
    const env = buildDependencyEnv({ makefileIn: null, packages, enabled: [], pythonForVenv: 'python3' });
    const result = evaluateDependencyLine(line, env, 'sage_numerical_backends_coin');
    expect(result.normal).toEqual(['cbc', 'cysignals']);
    expect(result.files).toEqual(['/SAGE_SRC/sage/numerical/backends/generic_backend.pxd', '/SAGE_SRC/sage/cpython/string.pxd', '/SAGE_SRC/sage/cpython/string_impl.h']);
    expect(result.orderOnly).toEqual(['sagelib', 'ipython', 'pexpect', 'setuptools', 'pip', 'setuptools_scm', 'wheel', 'flit_core', 'hatchling', 'python_build', 'meson_python', 'cython', 'ipywidgets', 'python3_venv']);
  });

  it('10.10 gmpy2 check prerequisites: only with SAGE_CHECK_gmpy2 != no', () => {
    const spkg = { name: 'gmpy2', source: 'normal', dependencies: '$(MP_LIBRARY) mpfr mpc hypothesis | $(PYTHON_TOOLCHAIN) $(PYTHON)', dependenciesOrderOnly: '', dependenciesCheck: 'pytest hypothesis cython mpmath setuptools', dependenciesOptional: [] };
    const line = configureDepsLine(spkg);
    expect(line).toContain('$(and $(filter-out no,$(SAGE_CHECK_gmpy2)), pytest hypothesis cython mpmath setuptools)');
    expect(evaluateDependencyLine(line, env1010(), 'gmpy2', { SAGE_CHECK_gmpy2: 'no' }).orderOnly).not.toContain('pytest');
    const on = evaluateDependencyLine(line, env1010(), 'gmpy2', { SAGE_CHECK_gmpy2: 'yes' });
    expect(on.orderOnly).toEqual(expect.arrayContaining(['pytest', 'mpmath']));
    expect(on.orderOnly).not.toContain('hypothesis'); // already a normal prerequisite: make keeps it normal
  });

  it('a pip package gets `pip` as order-only prerequisite from configure; its target is its name', () => {
    const line = configureDepsLine({ name: 'mathics', source: 'pip', dependencies: '', dependenciesOrderOnly: '', dependenciesCheck: '', dependenciesOptional: [] });
    expect(line).toBe(' | pip');
    expect(evaluateDependencyLine('mathics | pip', env1010(), 'x')).toMatchObject({ normal: ['mathics'], orderOnly: ['pip'] });
  });

  it('a `|` that comes out of a variable splits the line, as in make', () => {
    const env = buildDependencyEnv({ makefileIn: 'DEPS = gmp | m4\n', packages: PACKAGES, enabled: [], pythonForVenv: '' });
    expect(evaluateDependencyLine('$(DEPS)', env, 'x')).toMatchObject({ normal: ['gmp'], orderOnly: ['m4'] });
  });

  it('$(GCC_DEP) is a normal prerequisite of every package but gcc (Makefile.in pkg_deps)', () => {
    const env = buildDependencyEnv({ makefileIn: 'GCC_DEP = $(inst_gcc)\n', packages: [...PACKAGES, pkg('gcc', '13.2')], enabled: [], pythonForVenv: '' });
    expect(evaluateDependencyLine('gmp', env, 'mpfr').normal).toEqual(['gcc', 'gmp']);
    expect(evaluateDependencyLine('gmp', env, 'gcc').normal).toEqual(['gmp']);
  });

  it('$(wildcard) is relative to SAGE_ROOT; $(SAGE_SRC)/... patterns look in <root>/src', () => {
    const root = makeTempTree({ 'src/sage/libs/a.pxd': '', 'src/sage/libs/b.pxd': '', 'src/sage/libs/c.pyx': '' });
    try {
      const result = evaluateDependencyLine('gmp $(wildcard $(SAGE_SRC)/sage/libs/*.pxd) | m4', env1010([], root), 'x');
      expect(result).toMatchObject({ normal: ['gmp'], files: ['/SAGE_SRC/sage/libs/a.pxd', '/SAGE_SRC/sage/libs/b.pxd'] });
    } finally {
      removeTree(root);
    }
  });

  it('unknown words, undefined variables and unsupported functions are reported, never thrown', () => {
    const result = evaluateDependencyLine('gmp nosuchpkg $(NOT_DEFINED) | $(shell echo m4)', env1010(), 'x');
    expect(result.error).toEqual({ construct: '$(shell echo m4)', message: expect.stringMatching(/not supported/), unsupported: true });
    const words = evaluateDependencyLine('gmp nosuchpkg $(NOT_DEFINED)', env1010(), 'x');
    expect(words).toMatchObject({ normal: ['gmp'], unknown: ['nosuchpkg'], undefinedVars: ['NOT_DEFINED'] });
  });
});
