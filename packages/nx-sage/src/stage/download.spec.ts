// Downloads against a real HTTP server on 127.0.0.1: streamed to a temporary file, capped, timed out,
// verified, renamed only when right.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadLimits, downloadVerified, DownloadError, type DownloadLimits } from './download';

jest.setTimeout(60_000); // a loaded machine: the first fetch alone loads undici

const BODY = Buffer.alloc(3 * 1024 * 1024, 'sage');
const SHA256 = createHash('sha256').update(BODY).digest('hex');
const SHA1 = createHash('sha1').update(BODY).digest('hex');

describe('downloadVerified', () => {
  let server: Server;
  let base: string;
  let dir: string;
  /** Resolves the held half of /held once the test has seen it on disk. */
  let release: () => void = () => undefined;
  const open = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      const half = BODY.length / 2;
      switch (req.url) {
        case '/ok':
          res.writeHead(200, { 'content-length': BODY.length });
          return void res.end(BODY);
        case '/held': // first half, then the rest only when the test says so
          res.writeHead(200, { 'content-length': BODY.length });
          res.write(BODY.subarray(0, half));
          release = () => res.end(BODY.subarray(half));
          return;
        case '/stall': // headers and a little data, then nothing
          res.writeHead(200, { 'content-length': BODY.length });
          return void res.write(BODY.subarray(0, 1000));
        case '/big-declared':
          res.writeHead(200, { 'content-length': 10 * BODY.length });
          return void res.write(BODY.subarray(0, 1000));
        case '/big-chunked': // no length: the cap must hold while streaming
          res.writeHead(200);
          return void res.end(Buffer.concat([BODY, BODY]));
        case '/redirect':
          res.writeHead(302, { location: '/ok' });
          return void res.end();
        default:
          res.writeHead(404);
          return void res.end('no');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of open) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nx-sage-download-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const limits: DownloadLimits = { totalTimeoutMs: 20_000, idleTimeoutMs: 5_000, maxBytes: 4 * 1024 * 1024 };
  const dest = () => join(dir, 'pkg-1.0.tar.gz');
  const get = (path: string, more: Partial<DownloadLimits> = {}, sums: { sha1?: string; sha256?: string } = { sha256: SHA256 }) =>
    downloadVerified({ url: base + path, dest: dest(), sums, limits: { ...limits, ...more } });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    // Nothing left behind: neither the file nor a temporary part.
    expect(readdirSync(dir)).toEqual([]);
    return error as DownloadError;
  };

  it('streams to a temporary file, verifies sha256, renames into place (redirects followed)', async () => {
    expect(await get('/redirect')).toEqual({ bytes: BODY.length, algorithm: 'sha256', digest: SHA256 });
    expect(readFileSync(dest()).equals(BODY)).toBe(true);
    expect(readdirSync(dir)).toEqual(['pkg-1.0.tar.gz']);
  });

  it('verifies sha1 when that is all checksums.ini has', async () => {
    expect((await get('/ok', {}, { sha1: SHA1 })).algorithm).toBe('sha1');
  });

  it('writes to disk while the body is still arriving (no buffering of the whole file)', async () => {
    const pending = get('/held');
    let part: string | undefined;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      part = readdirSync(dir).find((name) => name.startsWith('pkg-1.0.tar.gz.part-'));
      if (part && statSync(join(dir, part)).size >= BODY.length / 4) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(part).toBeDefined();
    expect(statSync(join(dir, part!)).size).toBeGreaterThanOrEqual(BODY.length / 4);
    expect(existsSync(dest())).toBe(false); // not in place before it is complete and verified
    release();
    await pending;
    expect(readFileSync(dest()).equals(BODY)).toBe(true);
  });

  it('times out a stalled transfer (idle timeout) and a slow one (total timeout)', async () => {
    expect((await failure(get('/stall', { idleTimeoutMs: 300 }))).message).toMatch(/no data for 0.3 s/);
    expect((await failure(get('/stall', { totalTimeoutMs: 400 }))).reason).toBe('timeout');
  });

  it('refuses a body over the size cap, declared or streamed', async () => {
    expect((await failure(get('/big-declared'))).message).toMatch(/is 31457280 bytes, more than the limit of 4194304/);
    expect((await failure(get('/big-chunked'))).message).toMatch(/sent more than the limit of 4194304 bytes/);
  });

  it('a wrong checksum or an HTTP error leaves nothing', async () => {
    expect((await failure(get('/ok', {}, { sha256: '0'.repeat(64) }))).message).toBe(`downloaded file has sha256 ${SHA256}, expected ${'0'.repeat(64)}`);
    expect((await failure(get('/missing'))).message).toMatch(/HTTP 404/);
    expect((await failure(get('/ok', {}, {}))).reason).toBe('checksum');
  });

  it('limits come from the environment, else defaults', () => {
    expect(downloadLimits({ NX_SAGE_DOWNLOAD_TIMEOUT: '10', NX_SAGE_DOWNLOAD_IDLE_TIMEOUT: '2', NX_SAGE_DOWNLOAD_MAX_BYTES: '1000' })).toEqual({ totalTimeoutMs: 10_000, idleTimeoutMs: 2_000, maxBytes: 1000 });
    expect(downloadLimits({ NX_SAGE_DOWNLOAD_TIMEOUT: 'soon' }).totalTimeoutMs).toBe(30 * 60_000);
  });
});
