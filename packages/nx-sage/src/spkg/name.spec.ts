import { SpkgError } from './errors';
import { checkPackageName, validatePackageName } from './name';

describe('package names', () => {
  it.each(['gmp', 'sage_conf', '4ti2', 'python3.12'])('accepts %s', (name) => {
    expect(checkPackageName(name)).toBeNull();
  });
  it.each([
    ['PyParsing', 'lower case'],
    ['sage-conf', 'dashes'],
    ['a b', 'may only contain'],
  ])('rejects %s', (name, reason) => {
    expect(checkPackageName(name)).toContain(reason);
    expect(() => validatePackageName(name, '/t/build/pkgs/x/type')).toThrow(SpkgError);
  });
});
