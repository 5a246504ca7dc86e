/**
 * Hostile input against tools/remote-cache/server.js through its CLI (issue 14): after every case the
 * process is still running and a PUT/GET round trip returns the bytes it stored.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { head, raw, roundTrip, sleep, startCli, type CliServer } from './support/cache-server-cli';

const TOKEN = 'rw-Token-0123456789';
const READ_TOKEN = 'ro-Token-0123456789';
const MAX = 1024 * 1024;
const auth = (token = TOKEN) => ({ Authorization: `Bearer ${token}` });

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'nx-sage-cache-server-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('tools/remote-cache/server.js under hostile input', () => {
  let server: CliServer;
  let store: string;
  const url = (target: string) => `${server.url}${target}`;
  const expectAlive = async () => {
    expect(server.alive()).toBe(true);
    expect(await roundTrip(server.url, TOKEN)).toEqual({ put: 200, get: 200, same: true });
  };
  const tmpFiles = () => readdirSync(join(store, '.tmp'));
  const entries = () => readdirSync(store).filter((name) => name !== '.tmp');
  /** The log lines about `name` written after the first `before` lines, once there are `count` of them. */
  const logOf = async (name: string, before: number, count = 1) => {
    const lines = () => server.requests().slice(before).filter((r) => r.name === name);
    for (const deadline = Date.now() + 10_000; lines().length < count && Date.now() < deadline; ) await sleep(20);
    return lines();
  };

  beforeAll(async () => {
    store = join(root, 'store');
    server = await startCli(
      ['--dir', store, '--max-bytes', String(MAX), '--headers-timeout-ms', '2000', '--idle-timeout-ms', '2500', '--request-timeout-ms', '4000'],
      { NX_REMOTE_CACHE_TOKEN: TOKEN, NX_REMOTE_CACHE_READ_TOKEN: READ_TOKEN },
    );
  });
  afterAll(async () => {
    await server.stop();
    expect((await server.exited).code).toBe(0);
    // The only fault of the server's own is the one provoked below.
    expect((server.stdout().match(/^ERROR .*/gm) ?? []).filter((line) => !/^ERROR PUT nodir: .*ENOENT/.test(line))).toEqual([]);
  });

  it('malformed percent-encodings get 400', async () => {
    for (const target of ['/v1/cache/%E0%A4%A', '/v1/cache/%', '/v1/cache/%zz', '/v1/cache/%C0%AF', '/v1/cache/%ED%A0%80']) {
      for (const method of ['GET', 'PUT']) {
        const res = await fetch(url(target), { method, headers: auth(), body: method === 'PUT' ? 'x' : undefined });
        expect({ target, method, status: res.status }).toEqual({ target, method, status: 400 });
      }
    }
    await expectAlive();
  });

  it('non-ASCII, NUL and control-byte tokens, and tokens of the right length in UTF-16 but not in bytes, get 400/401', async () => {
    // 0xE9 is one latin1 byte Node reads as 'é' (one UTF-16 unit, two UTF-8 bytes): same length as the
    // token as a JS string, another byte length. That exact input made the old server throw and exit.
    const sameUtf16Length = Buffer.concat([Buffer.from('Bearer rw-Token-012345678'), Buffer.from([0xe9])]).toString('latin1');
    expect(sameUtf16Length.length).toBe(`Bearer ${TOKEN}`.length);
    const tokens: Array<[string, number[]]> = [
      [sameUtf16Length, [401]],
      [`Bearer ${Buffer.from('rw-Tökèn-ü', 'utf8').toString('latin1')}`, [401]],
      [`Bearer ${'\xff'.repeat(TOKEN.length)}`, [401]],
      [`Bearer rw-Token\x0001234`, [400]],
      [`Bearer ${TOKEN}\x00`, [400]],
      [`Bearer rw\x01Token`, [400]],
      [`Bearer ${'A'.repeat(8000)}`, [401]],
      [`Bearer ${'A'.repeat(64 * 1024)}`, [431]],
      [`Bearer`, [401]],
      [`Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, [401]],
    ];
    for (const [value, statuses] of tokens) {
      for (const method of ['GET', 'PUT']) {
        const body = method === 'PUT' ? 'x' : '';
        const res = await raw(server.port, Buffer.concat([head(method, '/v1/cache/tokentest', { Authorization: value, 'Content-Length': body.length, Connection: 'close' }), Buffer.from(body)]));
        expect({ token: value.slice(0, 40), method, status: res.status, expected: statuses.includes(res.status!) }).toEqual({ token: value.slice(0, 40), method, status: res.status, expected: true });
      }
    }
    expect(entries()).not.toContain('tokentest');
    // Same checks through a real client: the configured UTF-8 bytes are what counts.
    expect((await fetch(url('/v1/cache/tokentest'), { headers: auth(READ_TOKEN) })).status).toBe(404);
    await expectAlive();
  });

  it('names that are not plain hashes (dots, slashes, encoded slashes, oversize) get 400/404 and write nothing', async () => {
    const outside = join(root, 'escape');
    const targets = ['.', '..', '.tmp', '%2E', '%2e%2e', '.%2E', '..%2Fescape', '..%2F..%2Fescape', 'a%2Fb', '%2Ftmp%2Fx', 'a%5Cb', '.tmp%2Fx', 'abc.def', 'a%00b', 'a%20b', 'x'.repeat(129), '%41'.repeat(129)];
    for (const name of targets) {
      for (const method of ['PUT', 'GET']) {
        const res = await raw(server.port, Buffer.concat([head(method, `/v1/cache/${name}`, { ...auth(), 'Content-Length': method === 'PUT' ? 3 : 0, Connection: 'close' }), Buffer.from(method === 'PUT' ? 'bad' : '')]));
        expect({ name: name.slice(0, 20), method, status: res.status }).toEqual({ name: name.slice(0, 20), method, status: 400 });
      }
    }
    for (const target of ['/v1/cache/../escape', '/v1/cache/a/b', '/v1/cache/', '/v1/cache', '/', `/v1/cache/${'y'.repeat(20_000)}/z`]) {
      const res = await raw(server.port, Buffer.concat([head('PUT', target, { ...auth(), 'Content-Length': 3, Connection: 'close' }), Buffer.from('bad')]));
      expect({ target: target.slice(0, 30), status: res.status, refused: [400, 404, 431].includes(res.status!) }).toEqual({ target: target.slice(0, 30), status: res.status, refused: true });
    }
    const longest = 'z'.repeat(128); // the longest valid name still works
    expect((await fetch(url(`/v1/cache/${longest}`), { method: 'PUT', headers: auth(), body: 'ok' })).status).toBe(200);
    expect(existsSync(outside)).toBe(false);
    expect(entries().every((name) => /^[A-Za-z0-9_-]{1,128}$/.test(name))).toBe(true);
    expect(tmpFiles()).toEqual([]);
    await expectAlive();
  });

  it('other methods get 405, other paths 404, bytes that are not HTTP 400', async () => {
    for (const method of ['DELETE', 'POST', 'PATCH', 'OPTIONS']) expect((await fetch(url('/v1/cache/abc'), { method, headers: auth() })).status).toBe(405);
    expect((await fetch(url('/v2/cache/abc'), { headers: auth() })).status).toBe(404);
    for (const garbage of ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', 'GET /v1/cache/a\x00b HTTP/1.1\r\n\r\n', 'FOO /v1/cache/abc HTTP/1.1\r\n\r\n', 'GET /v1/cache/abc HTTP/9.9\r\n\r\n', 'hello\r\n\r\n']) {
      const res = await raw(server.port, Buffer.from(garbage, 'latin1'));
      expect({ garbage: JSON.stringify(garbage), status: res.status }).toEqual({ garbage: JSON.stringify(garbage), status: 400 });
    }
    await expectAlive();
  });

  it('a short body (client gone before Content-Length bytes) leaves no entry and no temp file', async () => {
    for (const cut of ['destroy', 'end', 'resetAndDestroy'] as const) {
      const hash = `short${cut}`;
      const before = server.requests().length;
      await raw(server.port, head('PUT', `/v1/cache/${hash}`, { ...auth(), 'Content-Length': 500_000 }), {
        waitMs: 2000,
        then: async (socket) => {
          socket.write(randomBytes(100_000));
          await sleep(200);
          socket[cut]();
        },
      });
      expect(await logOf(hash, before)).toEqual([{ method: 'PUT', name: hash, status: 499, bytes: 100_000 }]);
      expect((await fetch(url(`/v1/cache/${hash}`), { headers: auth() })).status).toBe(404);
      expect(tmpFiles()).toEqual([]);
    }
    await expectAlive();
  });

  it('an oversize body gets 413 before it is read; no Content-Length gets 400', async () => {
    const res = await raw(server.port, head('PUT', '/v1/cache/huge', { ...auth(), 'Content-Length': MAX + 1 }), { waitMs: 3000 });
    expect(res.status).toBe(413);
    expect(res.ms).toBeLessThan(2500); // answered at once, not after a timeout
    const chunked = await raw(server.port, Buffer.concat([head('PUT', '/v1/cache/chunked', { ...auth(), 'Transfer-Encoding': 'chunked', Connection: 'close' }), Buffer.from('3\r\nabc\r\n0\r\n\r\n')]));
    expect(chunked.status).toBe(400);
    const viaFetch = await fetch(url('/v1/cache/huge'), { method: 'PUT', headers: auth(), body: randomBytes(MAX + 1) }).then((r) => r.status, (e) => String(e));
    expect(viaFetch).toBe(413);
    expect(entries()).not.toContain('huge');
    expect(entries()).not.toContain('chunked');
    expect((await fetch(url('/v1/cache/exactmax'), { method: 'PUT', headers: auth(), body: randomBytes(MAX) })).status).toBe(200);
    // Expect: 100-continue: refused uploads get their answer instead of a 100, accepted ones a 100 first.
    const expectHead = (hash: string, length: number) => head('PUT', `/v1/cache/${hash}`, { ...auth(), 'Content-Length': length, Expect: '100-continue', Connection: 'close' });
    expect((await raw(server.port, expectHead('huge', MAX + 1))).head).toMatch(/^HTTP\/1\.1 413 /);
    expect((await raw(server.port, expectHead('exactmax', 10))).head).toMatch(/^HTTP\/1\.1 409 /);
    const continued = await raw(server.port, expectHead('continued', 5), { then: async (socket) => {
      for (const deadline = Date.now() + 3000; !socket.destroyed && socket.bytesRead === 0 && Date.now() < deadline; ) await sleep(10);
      socket.write('hello');
    } });
    expect(`${continued.head}\r\n\r\n${continued.body.toString('latin1')}`).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(readFileSync(join(store, 'continued'), 'utf8')).toBe('hello');
    expect(tmpFiles()).toEqual([]);
    await expectAlive();
  });

  it('slow clients are cut off by the timeouts while other clients are served', async () => {
    // 20 slowloris connections (a header line every 200 ms), one stalled upload, one upload that never stalls but never ends.
    const start = Date.now();
    const slowloris = Array.from({ length: 20 }, (_, i) =>
      raw(server.port, 'GET /v1/cache/abc HTTP/1.1\r\n', {
        waitMs: 8000,
        then: async (socket) => {
          for (let n = 0; n < 40 && !socket.destroyed; n++) {
            await sleep(200);
            socket.write(`X-${i}-${n}: y\r\n`);
          }
        },
      }),
    );
    const stalled = raw(server.port, head('PUT', '/v1/cache/stalled', { ...auth(), 'Content-Length': 1000 }), { waitMs: 8000, then: (s) => void s.write('x'.repeat(10)) });
    const trickle = raw(server.port, head('PUT', '/v1/cache/trickle', { ...auth(), 'Content-Length': 1000 }), {
      waitMs: 8000,
      then: async (socket) => {
        for (let n = 0; n < 40 && !socket.destroyed; n++) {
          await sleep(200);
          socket.write('x');
        }
      },
    });
    await sleep(300);
    expect(await roundTrip(server.url, TOKEN)).toEqual({ put: 200, get: 200, same: true });
    const served = Date.now() - start;
    const results = await Promise.all(slowloris);
    // Served while all of them were still connected, and they were cut off by the headers timeout (2 s).
    expect(served).toBeLessThan(Math.min(...results.map((r) => r.ms)));
    for (const r of results) expect({ closedByServer: r.closedByServer, status: r.status, late: r.ms > 6000 }).toEqual({ closedByServer: true, status: 408, late: false });
    const [s, t] = await Promise.all([stalled, trickle]);
    expect({ closed: s.closedByServer, fast: s.ms < 6000 }).toEqual({ closed: true, fast: true }); // idle timeout 2.5 s
    expect({ closed: t.closedByServer, status: t.status, fast: t.ms < 7000 }).toEqual({ closed: true, status: 408, fast: true }); // request timeout 4 s
    expect(entries()).not.toContain('stalled');
    expect(entries()).not.toContain('trickle');
    await sleep(100);
    expect(tmpFiles()).toEqual([]);
    await expectAlive();
  });

  it('concurrent PUTs of one hash: exactly one 200, the rest 409, and the entry is one whole body', async () => {
    const bodies = Array.from({ length: 12 }, () => randomBytes(256 * 1024));
    // All heads first, so every upload passes the "already there?" check and the race is decided at link().
    const sockets = await Promise.all(bodies.map((body) => {
      let release!: () => void;
      const go = new Promise<void>((resolve) => (release = resolve));
      const done = raw(server.port, head('PUT', '/v1/cache/race', { ...auth(), 'Content-Length': body.length, Connection: 'close' }), {
        waitMs: 8000,
        then: async (socket) => {
          await go;
          socket.write(body);
        },
      });
      return { release, done };
    }));
    await sleep(200);
    for (const s of sockets) s.release();
    const statuses = (await Promise.all(sockets.map((s) => s.done))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(11).fill(409)]);
    const stored = Buffer.from(await (await fetch(url('/v1/cache/race'), { headers: auth() })).arrayBuffer());
    expect(bodies.filter((b) => b.equals(stored))).toHaveLength(1);
    expect(tmpFiles()).toEqual([]);
    await expectAlive();
  });

  it('a second PUT gets 409 and changes nothing; the read-only token reads and gets 403 on PUT', async () => {
    const first = randomBytes(10_000);
    expect((await fetch(url('/v1/cache/once'), { method: 'PUT', headers: auth(), body: first })).status).toBe(200);
    expect((await fetch(url('/v1/cache/once'), { method: 'PUT', headers: auth(), body: randomBytes(10_000) })).status).toBe(409);
    expect((await fetch(url('/v1/cache/once'), { method: 'PUT', headers: auth(), body: randomBytes(20_000) })).status).toBe(409);
    expect(readFileSync(join(store, 'once')).equals(first)).toBe(true);
    const read = await fetch(url('/v1/cache/once'), { headers: auth(READ_TOKEN) });
    expect(read.status).toBe(200);
    expect(Buffer.from(await read.arrayBuffer()).equals(first)).toBe(true);
    expect((await fetch(url('/v1/cache/byreader'), { method: 'PUT', headers: auth(READ_TOKEN), body: 'x' })).status).toBe(403);
    expect(entries()).not.toContain('byreader');
    expect((await fetch(url('/v1/cache/once'), { headers: auth('wrong') })).status).toBe(401);
    await expectAlive();
  });

  it('an unexpected failure (temp dir removed under the server) answers 500, logs it, and the server keeps running', async () => {
    rmSync(join(store, '.tmp'), { recursive: true });
    try {
      expect((await fetch(url('/v1/cache/nodir'), { method: 'PUT', headers: auth(), body: 'x' })).status).toBe(500);
      expect(server.stdout()).toMatch(/^ERROR PUT nodir: .*ENOENT/m);
      expect(server.alive()).toBe(true);
    } finally {
      mkdirSync(join(store, '.tmp'));
    }
    await expectAlive();
  });

  it('one log line per request: method, name, status, bytes, ms', async () => {
    const before = server.requests().length;
    // Bodies read to the end: an unread body is a client that went away (499) once it is collected.
    await (await fetch(url('/v1/cache/once'), { headers: auth() })).arrayBuffer();
    await (await fetch(url('/v1/cache/nothing'), { headers: auth() })).arrayBuffer();
    expect([...(await logOf('once', before)), ...(await logOf('nothing', before))]).toEqual([
      { method: 'GET', name: 'once', status: 200, bytes: 10_000 },
      { method: 'GET', name: 'nothing', status: 404, bytes: 0 },
    ]);
  });
});
