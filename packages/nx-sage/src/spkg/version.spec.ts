import { parseVersion, substituteVersion } from './version';

describe('parseVersion', () => {
  it.each([
    ['3.3.2\n', { version: '3.3.2', patchlevel: -1, versionWithPatchlevel: '3.3.2' }],
    ['6.3.0.p2\n', { version: '6.3.0', patchlevel: 2, versionWithPatchlevel: '6.3.0.p2' }],
    ['1.9.0.15p0', { version: '1.9.0.15p0', patchlevel: -1, versionWithPatchlevel: '1.9.0.15p0' }],
    [null, { version: 'none', patchlevel: -1, versionWithPatchlevel: 'none' }],
  ])('parses %j', (text, expected) => {
    expect(parseVersion(text)).toEqual(expected);
  });
});

describe('substituteVersion', () => {
  it('substitutes bare and braced names, longest first', () => {
    expect(substituteVersion('gmp-VERSION.tar.xz', '6.3.0')).toBe('gmp-6.3.0.tar.xz');
    expect(substituteVersion('R_${VERSION_MAJOR}_${VERSION_MINOR}_${VERSION_MICRO}/4ti2-${VERSION}.tgz', '1.6.10')).toBe(
      'R_1_6_10/4ti2-1.6.10.tgz',
    );
    expect(substituteVersion('x-VERSION_MAJOR.VERSION', '2.5')).toBe('x-2.2.5');
  });
});
