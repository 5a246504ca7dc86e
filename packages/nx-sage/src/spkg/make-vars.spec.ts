import { DEFAULT_MAKE_VARS, parseMakefileVars, resolveMakeVars } from './make-vars';

// Written for this test in the shape of Sage's build/make/Makefile.in (assignments, recipes, configure
// placeholders, a conditional), not copied from it.
const MAKEFILE_IN = `
SPKG_INST_RELDIR = var/lib/sage/installed
MP_LIBRARY = mpir
PCFILES = @SAGE_SYSTEM_FACADE_PC_FILES@
ifneq ($(PYTHON_FOR_VENV),)
PYTHON = python3_venv
endif
all:
\tPYTHON = not-an-assignment
PYTHON_TOOLCHAIN = setuptools pip \\
   wheel
SAGERUNTIME = sagelib $(inst_ipython)  # comment
`;

describe('make variables', () => {
  it('reads assignments, drops configure placeholders and recipe lines', () => {
    expect(parseMakefileVars(MAKEFILE_IN)).toEqual({
      SPKG_INST_RELDIR: 'var/lib/sage/installed',
      MP_LIBRARY: 'mpir',
      PCFILES: '',
      PYTHON: 'python3_venv',
      PYTHON_TOOLCHAIN: 'setuptools pip wheel',
      SAGERUNTIME: 'sagelib $(inst_ipython)',
    });
  });

  it('uses the tree values over the 10.10 defaults', () => {
    const vars = resolveMakeVars(parseMakefileVars(MAKEFILE_IN));
    expect(vars.MP_LIBRARY).toBe('mpir');
    expect(vars.BLAS).toBe(DEFAULT_MAKE_VARS.BLAS);
  });
});
