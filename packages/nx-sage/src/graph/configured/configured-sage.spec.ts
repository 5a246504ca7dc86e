import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { venvStampName } from '../../stage/venv';
import { configuredSageFromDatabase, driverMakefile } from './configured-sage';
import { withConfigure } from './index';
import { parseMakeDatabase } from './make-database';

// Captured: `make -f - -p -q -r -R nx-sage-nothing` with driverMakefile() on a configured Sage 10.10.beta4
// checkout (the e2e fixture), cut down to ten packages and their rules.
const CAPTURED = readFileSync(join(__dirname, '__fixtures__/sage-10.10-make-p.txt'), 'utf8');
const ROOT = '/tmp/nx-sage-configured-da09df074134f892';
const LOCAL = `${ROOT}/sage/local`;
const VENV = `${LOCAL}/var/lib/sage/venv-python3.12`;

describe('make data base reader', () => {
  it('reads variables (simply expanded ones expanded, recursive ones as written) and rules with both prerequisite kinds', () => {
    const db = parseMakeDatabase(CAPTURED);
    expect(db.variables.get('NX_SAGE_VAR_SAGE_LOCAL')).toBe(LOCAL);
    expect(db.variables.get('deps_rpy2')).toMatch(/^cffi tzlocal .* \| \$\(PYTHON_TOOLCHAIN\) pycparser \$\(PYTHON\)/);
    expect(db.rules.get(`${LOCAL}/var/lib/sage/installed/flint-3.4.0`)).toEqual({
      normal: [`${LOCAL}/var/lib/sage/installed/.dummy`, `${LOCAL}/var/lib/sage/installed/mpfr-4.2.2`],
      orderOnly: [],
      isTarget: true,
    });
    expect(db.rules.get(`${VENV}/var/lib/sage/installed/pip-26.0.1`)?.orderOnly).toEqual([
      `${VENV}/var/lib/sage/installed/python3_venv-3.12--tmp-nx-sage-configured-da09df074134f892-python-bin-python3.12`,
    ]);
  });

  it('handles multi-line defines, double-colon rules, target-specific variables and files that are no target', () => {
    const text = [
      '# Variables', '', '# makefile', 'define TEMPLATE', '$(1): $(2)', '\techo $(1)', 'endef', '# makefile', 'A := x y', '',
      '# Files', '', '# Not a target:', 'FORCE:', '#  Implicit rule search has not been done.', '',
      'all:: a', '\techo 1', '', 'all:: b | c', '', 't: V = 1', '# A target-specific variable', '',
      '# files hash-table stats:',
    ].join('\n');
    const db = parseMakeDatabase(text);
    expect(db.variables.get('TEMPLATE')).toBe('$(1): $(2)\n\techo $(1)');
    expect(db.variables.get('A')).toBe('x y');
    expect(db.rules.get('FORCE')).toEqual({ normal: [], orderOnly: [], isTarget: false });
    expect(db.rules.get('all')).toEqual({ normal: ['a', 'b'], orderOnly: ['c'], isTarget: true });
    expect(db.rules.has('t')).toBe(false);
  });
});

describe('configure\'s decisions from make\'s data base', () => {
  const sage = configuredSageFromDatabase(parseMakeDatabase(CAPTURED));

  it('reads the trees, the venv Python and the toolchain as make expands them', () => {
    expect(sage.vars).toMatchObject({
      SAGE_LOCAL: LOCAL,
      SAGE_VENV: VENV,
      SAGE_DOCS: LOCAL,
      PYTHON_FOR_VENV: `${ROOT}/python/bin/python3.12`,
      PYTHON_MINOR: '12',
      SAGE_VENV_FLAGS: '',
      PCFILES: '',
      GCC_DEP: '',
      TOOLCHAIN: 'gcc',
      SAGE_SPKG_OPTIONS: '-o',
    });
    expect(sage.venvNode).toBe('python3_venv');
  });

  it('names the venv stamp as make does (the name stage/venv.ts writes)', () => {
    const stamp = sage.vars.inst_python3_venv.split('/').pop();
    expect(stamp).toBe(venvStampName(`3.${sage.vars.PYTHON_MINOR}`, sage.vars.PYTHON_FOR_VENV));
    // SAGE_VENV_FLAGS=--system-site-packages (configure --enable-system-site-packages) ends make's name with the flag.
    expect(venvStampName('3.12', '/usr/bin/python3', ['--system-site-packages'])).toBe('python3_venv-3.12--usr-bin-python3--system-site-packages');
  });

  it('fills the options configure decides, SAGE_VENV_FLAGS included, and keeps the user\'s own', () => {
    const flagged = { ...sage, vars: { ...sage.vars, SAGE_VENV_FLAGS: '--system-site-packages' } };
    expect(withConfigure({}, flagged, ROOT)).toEqual({ sageLocal: 'sage/local', sageVenv: 'sage/local/var/lib/sage/venv-python3.12', python: `${ROOT}/python/bin/python3.12`, venvFlags: '--system-site-packages' });
    expect(withConfigure({ venvFlags: '', python: 'python3' }, flagged, ROOT)).toMatchObject({ venvFlags: '', python: 'python3' });
    expect(withConfigure({}, sage, ROOT)).not.toHaveProperty('venvFlags');
  });

  it('maps each rule\'s prerequisites back to packages: stamps, pip names, the venv stamp, `.dummy` as the dummy words of deps_<pkg>', () => {
    const p = sage.packages;
    expect(p.gmp).toMatchObject({ dummy: true, installed: true, deps: [], orderOnlyDeps: [] });
    expect(p.flint).toMatchObject({ dummy: false, deps: ['gmp', 'mpfr'], orderOnlyDeps: [], target: `${LOCAL}/var/lib/sage/installed/flint-3.4.0` });
    expect(p.pip).toMatchObject({ deps: [], orderOnlyDeps: ['python3_venv'] });
    expect(p.admcycles).toMatchObject({ source: 'pip', target: 'admcycles', deps: [] });
    expect(p.admcycles.orderOnlyDeps).toEqual(expect.arrayContaining(['setuptools', 'pip', 'python3_venv']));
    expect(p.sagelib.fileDeps).toContain('FORCE');
    expect(p.sagelib.deps).toEqual(expect.arrayContaining(['flint', 'gmp', 'mpfr', 'python3_venv']));
  });

  it('reads the check prerequisites make adds with SAGE_CHECK_<pkg>=yes, beside the deps', () => {
    // Captured (real driver): deps_rpy2 ends in $(and $(filter-out no,$(SAGE_CHECK_rpy2)), pytest numpy ipython);
    // this cut-down data base has no such packages, so nothing maps. The mapping itself, on a small data base:
    expect(sage.packages.rpy2.checkDeps).toEqual([]);
    expect(sage.packages.flint.checkDeps).toEqual([]);
    const L = '/r/local/var/lib/sage/installed';
    const text = [
      '# Variables', '',
      'NX_SAGE_VAR_SAGE_LOCAL := /r/local', 'NX_SAGE_VAR_SPKG_INST_RELDIR := var/lib/sage/installed', 'NX_SAGE_VAR_PYTHON := python3_venv',
      'NX_SAGE_PACKAGES := a b c d', 'NX_SAGE_VAR_OPTIONAL_INSTALLED_PACKAGES := a b c d',
      ...['a', 'b', 'c', 'd'].flatMap((n) => [`NX_SAGE_VERS_${n} := 1`, `NX_SAGE_TREES_${n} := SAGE_LOCAL`, `NX_SAGE_INST_${n} := ${L}/${n}-1`]),
      'NX_SAGE_DEPS_a := b |', 'NX_SAGE_CHECKDEPS_a := b | c ' + `${L}/d-1 a`,
      'NX_SAGE_DEPS_b := |', 'NX_SAGE_CHECKDEPS_b := |',
      '', '# Files', '', `${L}/a-1: ${L}/b-1`, '#  Implicit rule search has not been done.', '', '# files hash-table stats:',
    ].join('\n');
    const small = configuredSageFromDatabase(parseMakeDatabase(text));
    // c by name, d by its stamp ($(SAGERUNTIME) expands to stamps), b already a prerequisite, a itself dropped.
    expect(small.packages.a).toMatchObject({ deps: ['b'], checkDeps: ['c', 'd'] });
    expect(small.packages.b.checkDeps).toEqual([]);
    // configure --disable-doc: SAGE_DOCS is empty, so is inst_<pkg> of a package installed only there (pplpy_doc).
    const noDocs = configuredSageFromDatabase(parseMakeDatabase(text.replace(`NX_SAGE_INST_d := ${L}/d-1`, 'NX_SAGE_INST_d := ')));
    expect(noDocs.packages.d.installed).toBe(false);
    expect(noDocs.buildSet).toEqual(['a', 'b', 'c']);
    expect(small.buildSet).toEqual(['a', 'b', 'c', 'd']);
  });

  it('the build set starts from the installed packages and never follows a dummy (rpy2\'s optional dependencies stay out)', () => {
    expect(sage.packages.rpy2).toMatchObject({ dummy: true, installed: true });
    expect(sage.packages.rpy2.deps).toContain('rpy2_rinterface');
    expect(sage.buildSet).toContain('rpy2');
    expect(sage.buildSet).not.toContain('rpy2_rinterface');
    expect(sage.buildSet).toEqual(expect.arrayContaining(['flint', 'gmp', 'mpfr', 'pip', 'setuptools', 'sagelib']));
    expect(sage.buildSet).not.toContain('admcycles');
  });

  it('the driver includes the configured Makefile and builds nothing', () => {
    const driver = driverMakefile('/s/build/make/Makefile');
    expect(driver.startsWith('include /s/build/make/Makefile\n')).toBe(true);
    expect(driver).toMatch(/^nx-sage-nothing: ;$/m);
  });
});
