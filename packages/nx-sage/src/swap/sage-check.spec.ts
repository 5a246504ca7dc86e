import { sageCheckFor } from './sage-check';

describe('sageCheckFor (make: SET_SAGE_CHECK)', () => {
  const normal = (name: string) => ({ name, source: 'normal' });
  it('follows SAGE_CHECK for normal and script packages only', () => {
    expect(sageCheckFor(normal('gmp'), { SAGE_CHECK: 'yes' })).toBe('yes');
    expect(sageCheckFor({ name: 'pip', source: 'wheel' }, { SAGE_CHECK: 'yes' })).toBe('no');
    expect(sageCheckFor(normal('gmp'), {})).toBe('no');
    expect(sageCheckFor(normal('gmp'), { SAGE_CHECK: 'bogus' })).toBe('no');
  });
  it("applies make's default exceptions for SAGE_CHECK=yes", () => {
    expect(sageCheckFor(normal('meson_python'), { SAGE_CHECK: 'yes' })).toBe('warn');
    expect(sageCheckFor(normal('python3'), { SAGE_CHECK: 'yes' })).toBe('no');
  });
  it('honours SAGE_CHECK_PACKAGES clauses, later ones winning', () => {
    const env = { SAGE_CHECK: 'no', SAGE_CHECK_PACKAGES: 'gmp,?mpfr:!gmp,mpc' };
    expect(sageCheckFor(normal('gmp'), env)).toBe('no');
    expect(sageCheckFor(normal('mpfr'), env)).toBe('warn');
    expect(sageCheckFor(normal('mpc'), env)).toBe('yes');
    expect(sageCheckFor(normal('gmpy2'), env)).toBe('no');
  });
});
