import { parseChecksums } from './checksums';
import { SpkgError } from './errors';

const ctx = { pkg: 'gmp', file: '/t/build/pkgs/gmp/checksums.ini' };
const SHA1 = 'a'.repeat(40);
const SHA256 = 'b'.repeat(64);

describe('parseChecksums', () => {
  it('reads blocks and substitutes the version (without patchlevel)', () => {
    const text = `tarball=gmp-VERSION.tar.xz\nsha1=${SHA1}\nsha256=${SHA256}\nupstream_url=https://x/gmp-VERSION.tar.xz\n\ntarball=second-VERSION.whl\nsha256=${SHA256}\n`;
    expect(parseChecksums(text, '6.3.0', ctx)).toEqual([
      { pattern: 'gmp-VERSION.tar.xz', filename: 'gmp-6.3.0.tar.xz', sha1: SHA1, sha256: SHA256, upstreamUrl: 'https://x/gmp-6.3.0.tar.xz' },
      { pattern: 'second-VERSION.whl', filename: 'second-6.3.0.whl', sha256: SHA256 },
    ]);
  });

  it.each([
    ['tarball=x\nsha256 = abc', 2, 'malformed line'],
    ['tarball=x\ncolour=blue', 2, "unknown key 'colour'"],
    ['sha256=' + SHA256, 1, "'sha256' before any 'tarball=' line"],
    ['tarball=x\n\nsha256=1234', 3, 'sha256 must be 64 lower-case hex digits'],
  ])('rejects %j at its line', (text, line, message) => {
    let error: SpkgError | undefined;
    try {
      parseChecksums(text, '1.0', ctx);
    } catch (e) {
      error = e as SpkgError;
    }
    expect(error).toBeInstanceOf(SpkgError);
    expect(error).toMatchObject({ code: 'EBADCHECKSUMS', pkg: 'gmp', line });
    expect(error!.message).toContain(message);
    expect(error!.message).toContain(`${ctx.file}:${line}`);
  });
});
