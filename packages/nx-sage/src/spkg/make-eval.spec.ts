import { expand, MakeEvalError, type MakeScope, type MakeVar } from './make-eval';

// Expected values follow the GNU make manual's definitions and examples (ch. 6, 8); the edge cases
// (whitespace of and/or/if/patsubst/notdir, substitution references) were checked with GNU make 4.3.
function scope(vars: Record<string, string | MakeVar>, extra: Partial<MakeScope> = {}): MakeScope & { undefinedSeen: string[] } {
  const undefinedSeen: string[] = [];
  const table = new Map(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? ({ value: v, recursive: true, origin: 'file' } as MakeVar) : v]));
  return { lookup: (n) => table.get(n), onUndefined: (n) => undefinedSeen.push(n), undefinedSeen, ...extra };
}
const ev = (text: string, vars: Record<string, string> = {}, extra: Partial<MakeScope> = {}) => expand(text, scope(vars, extra));

describe('make expansion: references', () => {
  it('expands $(VAR), ${VAR}, $X and $$', () => {
    expect(ev('$(A) ${A} $B $$(A)', { A: 'x', B: 'y' })).toBe('x x y $(A)');
  });

  it('expands recursively, at use', () => {
    expect(ev('$(SAGERUNTIME)', { SAGERUNTIME: 'sagelib $(inst_ipython)', inst_ipython: '/SAGE_VENV/var/lib/sage/installed/ipython-9.0' })).toBe(
      'sagelib /SAGE_VENV/var/lib/sage/installed/ipython-9.0',
    );
  });

  it('expands computed names: $(deps_$(1)), $($(tree))', () => {
    expect(ev('$(deps_$(P)) $($(T))', { P: 'gmp', deps_gmp: 'm4', T: 'SAGE_LOCAL', SAGE_LOCAL: '/SAGE_LOCAL' })).toBe('m4 /SAGE_LOCAL');
  });

  it('an undefined variable is empty, as in make, and is reported', () => {
    const s = scope({});
    expect(expand('a $(NO_SUCH) b', s)).toBe('a  b');
    expect(s.undefinedSeen).toEqual(['NO_SUCH']);
  });

  it('$(foo bar) where foo is no function is the variable "foo bar"', () => {
    expect(ev('[$(foo bar)]', { 'foo bar': 'z' })).toBe('[z]');
  });

  it('substitution references: $(VAR:a=b) and $(VAR:%.c=%.o); Sage\'s $(MAKE:-j%=)', () => {
    expect(ev('$(F:.c=.o)', { F: 'a.c b.c c.h' })).toBe('a.o b.o c.h');
    expect(ev('$(F:%.c=x/%.o)', { F: 'a.c b.h' })).toBe('x/a.o b.h');
    expect(ev('$(MAKE:-j%=)', { MAKE: 'make -j8' })).toBe('make');
    expect(ev('[$(Y:%.c=)]', { Y: 'a.c b' })).toBe('[b]');
  });

  it('a variable that refers to itself is an error, as in make', () => {
    expect(() => ev('$(A)', { A: 'x $(A)' })).toThrow(/recursive variable 'A' references itself/);
  });

  it('an unterminated reference is an error naming the construct', () => {
    expect(() => ev('gmp $(MP_LIBRARY')).toThrow(MakeEvalError);
    try {
      ev('gmp $(MP_LIBRARY');
    } catch (error) {
      expect((error as MakeEvalError).construct).toBe('$(MP_LIBRARY');
    }
  });
});

describe('make expansion: functions', () => {
  it('findstring is a substring test (Sage\'s dependencies_optional)', () => {
    expect(ev('$(findstring libnauty,$(OPTIONAL_INSTALLED_PACKAGES))', { OPTIONAL_INSTALLED_PACKAGES: 'gmp libnauty pari' })).toBe('libnauty');
    expect(ev('$(findstring nauty,$(O))', { O: 'libnauty' })).toBe('nauty'); // substring, not a word test
    expect(ev('[$(findstring libnauty,$(O))]', { O: 'gmp pari' })).toBe('[]');
  });

  it('filter / filter-out with % patterns', () => {
    expect(ev('$(filter %.c %.s,foo.c bar.c baz.s ugh.h)')).toBe('foo.c bar.c baz.s');
    expect(ev('$(filter-out no,$(X))', { X: 'no' })).toBe('');
    expect(ev('$(filter-out no,$(X))', { X: 'yes' })).toBe('yes');
  });

  it('and / or / if: lazy, stripped tests', () => {
    const line = '$(and $(filter-out no,$(SAGE_CHECK_gmpy2)), pyparsing)';
    expect(ev(line, { SAGE_CHECK_gmpy2: 'no' })).toBe('');
    expect(ev(line, { SAGE_CHECK_gmpy2: 'yes' })).toBe('pyparsing');
    expect(ev('[$(or ,  , b , $(error never))]')).toBe('[b]');
    expect(ev('[$(if x, then ,)]')).toBe('[ then ]');
    expect(ev('$(if $(X),then,else)', { X: ' ' })).toBe('else');
    expect(ev('$(if $(X),then,else,more)', { X: 'y' })).toBe('then');
    expect(ev('$(if ,then,else,more)')).toBe('else,more'); // the last argument keeps its commas
    expect(ev('$(if $(X),$(error not taken))', { X: '' })).toBe('');
  });

  it('strip, subst, patsubst (Sage\'s $(subst /,-,$(PYTHON_FOR_VENV)))', () => {
    expect(ev('[$(strip  a   b  )]')).toBe('[a b]');
    expect(ev('$(subst /,-,$(P))', { P: '/usr/bin/python3.12' })).toBe('-usr-bin-python3.12');
    expect(ev('$(patsubst %.c,%.o,x.c.c bar.c)')).toBe('x.c.o bar.o');
    expect(ev('$(patsubst a,b,a ab)')).toBe('b ab');
    expect(ev('[$(patsubst a,,b a c)]')).toBe('[b  c]');
  });

  it('foreach binds its variable per word (Sage\'s inst_ loop)', () => {
    expect(ev('$(foreach tree,$(trees_gmp),$(and $($(tree)),$($(tree))/$(R)/gmp-$(vers_gmp)))', {
      trees_gmp: 'SAGE_LOCAL', SAGE_LOCAL: '/SAGE_LOCAL', R: 'var/lib/sage/installed', vers_gmp: '6.3.0',
    })).toBe('/SAGE_LOCAL/var/lib/sage/installed/gmp-6.3.0');
    expect(ev('$(foreach d,a b c,<$(d)>)')).toBe('<a> <b> <c>');
  });

  it('word lists: sort, word, words, wordlist, firstword, lastword', () => {
    expect(ev('$(sort foo bar lose foo)')).toBe('bar foo lose');
    expect(ev('$(word 2,foo bar baz) $(words foo bar baz) $(wordlist 2,3,foo bar baz) $(firstword a b) $(lastword a b)')).toBe('bar 3 bar baz a b');
    expect(() => ev('$(word 0,a)')).toThrow(/greater than 0/);
  });

  it('file names: dir, notdir, suffix, basename, addprefix, addsuffix, join, abspath', () => {
    expect(ev('$(dir src/foo.c hacks)')).toBe('src/ ./');
    expect(ev('$(notdir src/foo.c hacks)')).toBe('foo.c hacks');
    expect(ev('[$(notdir a/ b)]')).toBe('[ b]');
    expect(ev('$(suffix src/foo.c src-1.0/bar.c hacks)')).toBe('.c .c');
    expect(ev('$(basename src/foo.c src-1.0/bar hacks)')).toBe('src/foo src-1.0/bar hacks');
    expect(ev('$(addprefix src/,foo bar) $(addsuffix .c,foo bar)')).toBe('src/foo src/bar foo.c bar.c');
    expect(ev('$(join a b,.c .o)')).toBe('a.c b.o');
    expect(ev('$(abspath /a/./b/../c)')).toBe('/a/c');
  });

  it('call, value, origin, flavor', () => {
    expect(ev('$(call reverse,a,b)', { reverse: '$(2) $(1)' })).toBe('b a');
    expect(ev('$(value V)', { V: '$(X)' })).toBe('$(X)');
    expect(ev('$(origin V) $(origin W) $(flavor V)', { V: 'x' })).toBe('file undefined recursive');
  });

  it('wildcard uses the given file lister, sorted', () => {
    expect(ev('$(wildcard /SAGE_SRC/*.pxd)', {}, { wildcard: () => ['/SAGE_SRC/b.pxd', '/SAGE_SRC/a.pxd'] })).toBe('/SAGE_SRC/a.pxd /SAGE_SRC/b.pxd');
  });

  it('functions that run programs or define things are refused with the construct', () => {
    for (const construct of ['$(shell uname)', '$(eval X = 1)', '$(file < x)', '$(wildcard *.c)']) {
      try {
        ev(`gmp ${construct}`);
        throw new Error(`${construct} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(MakeEvalError);
        expect((error as MakeEvalError).construct).toBe(construct);
        expect((error as MakeEvalError).unsupported).toBe(true);
      }
    }
  });

  it('$(error ...) stops, as make does; $(warning ...) reports and is empty', () => {
    expect(() => ev('$(error no BLAS)')).toThrow(/no BLAS/);
    const messages: string[] = [];
    expect(ev('a$(warning careful)b', {}, { onMessage: (m) => messages.push(m) })).toBe('ab');
    expect(messages).toEqual(['careful']);
  });
});
