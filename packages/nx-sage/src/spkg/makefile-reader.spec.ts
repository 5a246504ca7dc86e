import { expand, type MakeVar } from './make-eval';
import { parseAssignment, readMakefileVariables, substitutePlaceholders } from './makefile-reader';

// Written for this test in the shape of Sage's build/make/Makefile.in (assignments, recipes, configure
// placeholders, conditionals, define), not copied from it.
const MAKEFILE_IN = `
SHELL = @SHELL@
ifndef SAGE_PKGCONFIG
ifndef SAGE_SPKG_COPY_UPSTREAM
$(error This Makefile needs to be invoked by build/make/install)
endif
endif
SPKG_INST_RELDIR = var/lib/sage/installed
MP_LIBRARY = mpir   # a comment
PCFILES = @SAGE_SYSTEM_FACADE_PC_FILES@
SAGE_VENV = @SAGE_VENV@
PYTHON_FOR_VENV = @PYTHON_FOR_VENV@
ifneq ($(PYTHON_FOR_VENV),)
PYTHON = python3_venv
inst_python3_venv = $(SAGE_VENV)/$(SPKG_INST_RELDIR)/python3_venv
else ifeq ($(MP_LIBRARY),mpir)
PYTHON = python3
else
PYTHON = never
endif
all:
\tPYTHON = not-an-assignment
$(SAGE_VENV)/$(SPKG_INST_RELDIR):
\tmkdir -p "$@"
PYTHON_TOOLCHAIN = setuptools pip \\
   wheel
TOOLCHAIN_DEPS = $(MP_LIBRARY) mpfr
TOOLCHAIN_DEPS += mpc
SIMPLE := $(MP_LIBRARY)
MP_LIBRARY_LATER = $(MP_LIBRARY)
MAYBE ?= first
MAYBE ?= second
ifeq "$(origin SAGE_CHECK)" "undefined"
SAGE_CHECK := no
endif
define SET_SAGE_CHECK
$(eval SAGE_CHECK_$(1) := $(2))
endef
`;

const cli = (value: string): MakeVar => ({ value, recursive: false, origin: 'command line' });
const read = (substitutions: Record<string, string> = {}, commandLine = new Map<string, MakeVar>()) => {
  const { vars } = readMakefileVariables(MAKEFILE_IN, { substitutions, commandLine });
  return (name: string) => (vars.has(name) ? expand(`$(${name})`, { lookup: (n) => vars.get(n) }) : undefined);
};

describe('reading a Makefile template', () => {
  it('placeholders: configure values, empty when configure did not run', () => {
    expect(substitutePlaceholders('a=@X@ b=@Y@', { X: '1' })).toBe('a=1 b=');
  });

  it('assignments, comments, continuation lines, += and ?=, := expanded at once; recipes and rules skipped', () => {
    const v = read({}, new Map([['SAGE_PKGCONFIG', cli('x')]]));
    expect(v('SPKG_INST_RELDIR')).toBe('var/lib/sage/installed');
    expect(v('MP_LIBRARY')).toBe('mpir');
    expect(v('PCFILES')).toBe('');
    expect(v('PYTHON_TOOLCHAIN')).toBe('setuptools pip wheel');
    expect(v('TOOLCHAIN_DEPS')).toBe('mpir mpfr mpc');
    expect(v('SIMPLE')).toBe('mpir');
    expect(v('MAYBE')).toBe('first');
    expect(v('SAGE_CHECK')).toBe('no');
    // define ... endef: the body, unexpanded (expanding it would run $(eval), which is refused).
    expect(readMakefileVariables(MAKEFILE_IN).vars.get('SET_SAGE_CHECK')).toMatchObject({ value: '$(eval SAGE_CHECK_$(1) := $(2))', recursive: true });
  });

  it('conditionals: ifneq/else ifeq/else, evaluated in order with the placeholders filled', () => {
    expect(read({ PYTHON_FOR_VENV: '/usr/bin/python3' })('PYTHON')).toBe('python3_venv');
    expect(read({ PYTHON_FOR_VENV: '' })('PYTHON')).toBe('python3');
    expect(read({ PYTHON_FOR_VENV: '' })('inst_python3_venv')).toBeUndefined();
  });

  it('command-line variables win over the file (make VAR=value), origin tests see them', () => {
    const v = read({ PYTHON_FOR_VENV: 'python3' }, new Map([['SAGE_VENV', cli('/SAGE_VENV')], ['SAGE_CHECK', cli('yes')]]));
    expect(v('inst_python3_venv')).toBe('/SAGE_VENV/var/lib/sage/installed/python3_venv');
    expect(v('SAGE_CHECK')).toBe('yes');
  });

  it('tells assignments from rules', () => {
    expect(parseAssignment('A = b')).toEqual({ name: 'A', op: '=', value: 'b', override: false });
    expect(parseAssignment('A := $(B:x=y)')).toMatchObject({ name: 'A', op: ':=', value: '$(B:x=y)' });
    expect(parseAssignment('inst_$(p) = x')).toMatchObject({ name: 'inst_$(p)', op: '=' });
    expect(parseAssignment('override A += c')).toMatchObject({ name: 'A', op: '+=', override: true });
    expect(parseAssignment('$(inst_python3_venv): | $(SAGE_VENV)/x')).toBeNull();
    expect(parseAssignment('all-start: toolchain-deps')).toBeNull();
    expect(parseAssignment('$(foreach p,$(L),$(eval inst_$(p) = x))')).toBeNull();
  });
});
