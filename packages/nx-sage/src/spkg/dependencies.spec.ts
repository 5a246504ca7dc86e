import { firstLine, parseDependencyLine, words } from './dependencies';

describe('dependency lines', () => {
  it('keeps only the first line and strips comments', () => {
    expect(firstLine('a b | c # why\n----------\nAll lines of this file are ignored except the first.\n')).toBe('a b | c');
    expect(firstLine(null)).toBe('');
  });

  it('splits at the first bar', () => {
    expect(parseDependencyLine('$(MP_LIBRARY) mpfr | $(PYTHON_TOOLCHAIN) $(PYTHON)')).toEqual({
      normal: ['$(MP_LIBRARY)', 'mpfr'],
      orderOnly: ['$(PYTHON_TOOLCHAIN)', '$(PYTHON)'],
      hasBar: true,
    });
    expect(parseDependencyLine('gmp')).toEqual({ normal: ['gmp'], orderOnly: [], hasBar: false });
  });

  it('keeps make function calls with spaces as one word', () => {
    expect(words('a $(and $(filter-out no,$(X)), b c) d')).toEqual(['a', '$(and $(filter-out no,$(X)), b c)', 'd']);
  });
});
