// ensureUpstream's checksum policy (a file nothing identifies is refused unless allowed by name) and
// its download path against a real HTTP server on 127.0.0.1.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Spkg } from '../spkg';
import type { SpkgTarball } from '../spkg/checksums';
import { BuildError } from '../tree/errors';
import type { PackageLogger } from '../tree/logger';
import type { SageLayout } from '../tree/paths';
import { ensureUpstream, mayUseUnchecksummed } from './upstream';

jest.setTimeout(60_000);

const CONTENT = Buffer.from('the upstream file\n');
const SHA256 = createHash('sha256').update(CONTENT).digest('hex');

describe('ensureUpstream', () => {
  let root: string;
  let server: Server;
  let url: string;
  const logged: string[] = [];
  const logger: PackageLogger = { logFile: '/dev/null', prefix: '', line: () => undefined, info: (t) => void logged.push(t), close: () => undefined };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': CONTENT.length });
      res.end(CONTENT);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/foo-1.0.tar.gz`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-sage-upstream-'));
    logged.length = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const layout = (allow?: string[]): SageLayout => ({
    workspaceRoot: root,
    sageRoot: root,
    pkgsDir: join(root, 'build/pkgs'),
    sageLocal: join(root, 'local'),
    sageVenv: join(root, 'local/venv'),
    distfiles: join(root, 'upstream'),
    python: 'python3',
    jobs: 1,
    ...(allow ? { allowUnchecksummed: allow } : {}),
  });
  const spkg = (tarball: Partial<SpkgTarball>) =>
    ({ name: 'foo', tarballs: [{ pattern: 'foo-VERSION.tar.gz', filename: 'foo-1.0.tar.gz', ...tarball }] }) as unknown as Spkg;
  const present = () => {
    mkdirSync(join(root, 'upstream'));
    writeFileSync(join(root, 'upstream/foo-1.0.tar.gz'), CONTENT);
  };
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    return error as BuildError;
  };

  it('refuses a file that checksums.ini has no checksum for, naming the package, the file and the way out', async () => {
    present();
    const error = await refusal(ensureUpstream(layout(), spkg({}), logger, {}));
    expect(error.code).toBe('ENOCHECKSUM');
    expect(error.message).toContain("package 'foo', phase download: build/pkgs/foo/checksums.ini has no sha256 (or sha1) for foo-1.0.tar.gz");
    expect(error.message).toContain(`file: ${join(root, 'upstream/foo-1.0.tar.gz')}`);
    expect(error.message).toContain('"allowUnchecksummed": ["foo"]');
    expect(error.message).toContain('NX_SAGE_ALLOW_UNCHECKSUMMED=foo');
  });

  it('refuses it before downloading, even with downloads allowed', async () => {
    const error = await refusal(ensureUpstream(layout(), spkg({ upstreamUrl: url }), logger, { NX_SAGE_ALLOW_DOWNLOAD: '1' }));
    expect(error.code).toBe('ENOCHECKSUM');
    expect(existsSync(join(root, 'upstream'))).toBe(false);
  });

  it('accepts it when the user names the package (plugin option or env), identified by its sha256', async () => {
    present();
    expect(await ensureUpstream(layout(['foo']), spkg({}), logger, {})).toEqual({ file: join(root, 'upstream/foo-1.0.tar.gz'), filename: 'foo-1.0.tar.gz', sha256: SHA256 });
    expect(await ensureUpstream(layout(), spkg({}), logger, { NX_SAGE_ALLOW_UNCHECKSUMMED: 'bar, foo' })).toEqual({ file: join(root, 'upstream/foo-1.0.tar.gz'), filename: 'foo-1.0.tar.gz', sha256: SHA256 });
    expect(logged.join('\n')).toMatch(/no checksum in checksums.ini, used as allowed/);
    // Another package's opt-in does not count.
    expect((await refusal(ensureUpstream(layout(['bar']), spkg({}), logger, { NX_SAGE_ALLOW_UNCHECKSUMMED: 'fo' }))).code).toBe('ENOCHECKSUM');
  });

  it('mayUseUnchecksummed: by exact name only', () => {
    expect(mayUseUnchecksummed('foo', {}, {})).toBe(false);
    expect(mayUseUnchecksummed('foo', { allowUnchecksummed: ['foo'] }, {})).toBe(true);
    expect(mayUseUnchecksummed('foo', {}, { NX_SAGE_ALLOW_UNCHECKSUMMED: 'foobar' })).toBe(false);
  });

  it('downloads a checksummed file (streamed, verified, renamed) when allowed', async () => {
    const got = await ensureUpstream(layout(), spkg({ sha256: SHA256, upstreamUrl: url }), logger, { NX_SAGE_ALLOW_DOWNLOAD: '1' });
    expect(got).toEqual({ file: join(root, 'upstream/foo-1.0.tar.gz'), filename: 'foo-1.0.tar.gz', sha256: SHA256 });
    expect(readFileSync(join(root, 'upstream/foo-1.0.tar.gz')).equals(CONTENT)).toBe(true);
    expect(readdirSync(join(root, 'upstream'))).toEqual(['foo-1.0.tar.gz']);
  });

  it('a download with the wrong checksum leaves nothing in upstream/', async () => {
    const error = await refusal(ensureUpstream(layout(), spkg({ sha256: '1'.repeat(64), upstreamUrl: url }), logger, { NX_SAGE_ALLOW_DOWNLOAD: '1' }));
    expect(error.code).toBe('ECHECKSUM');
    expect(readdirSync(join(root, 'upstream'))).toEqual([]);
  });

  it('a download over the size cap is refused (EDOWNLOAD)', async () => {
    const error = await refusal(ensureUpstream(layout(), spkg({ sha256: SHA256, upstreamUrl: url }), logger, { NX_SAGE_ALLOW_DOWNLOAD: '1', NX_SAGE_DOWNLOAD_MAX_BYTES: '4' }));
    expect(error.code).toBe('EDOWNLOAD');
    expect(error.message).toMatch(/more than the limit of 4/);
  });
});
