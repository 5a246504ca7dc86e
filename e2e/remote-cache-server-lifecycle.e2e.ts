/**
 * The cache server's CLI (issue 14): refusals that keep an open cache off the network, graceful shutdown,
 * and a control showing that the hostile inputs of remote-cache-server.e2e.ts kill an unguarded handler.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { head, raw, roundTrip, runCli, sleep, startCli } from './support/cache-server-cli';

const TOKEN = 'rw-Token-0123456789';
const READ_TOKEN = 'ro-Token-0123456789';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'nx-sage-cache-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the CLI refuses to run an open cache on the network', () => {
  it('refuses to start without a write token, and names the fix', async () => {
    const run = await runCli(['--dir', join(root, 'refused'), '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no write token: give --token/);
    expect(run.stdout).not.toMatch(/listening/);
  });

  it('refuses --insecure on a non-loopback host, and --read-token without --token', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
      const run = await runCli(['--dir', join(root, 'refused'), '--insecure', '--host', host, '--port', '0']);
      expect({ host, code: run.code, refused: /--insecure refused on host/.test(run.stderr), listening: /listening/.test(run.stdout) }).toEqual({ host, code: 2, refused: true, listening: false });
    }
    const readOnly = await runCli(['--dir', join(root, 'refused'), '--read-token', READ_TOKEN, '--insecure']);
    expect(readOnly.code).toBe(2);
    expect(readOnly.stderr).toMatch(/--read-token needs a --token/);
  });

  it('control: --insecure on 127.0.0.1 starts and lets anyone write', async () => {
    const server = await startCli(['--dir', join(root, 'insecure'), '--insecure']);
    try {
      expect(server.stdout()).toMatch(/WARNING --insecure/);
      expect(await roundTrip(server.url, null)).toEqual({ put: 200, get: 200, same: true });
    } finally {
      await server.stop();
    }
  });
});


describe('graceful shutdown on SIGTERM', () => {
  const refused = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => (socket.destroy(), resolve(false)));
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
    });

  it('stops accepting, finishes the upload in flight (an idle keep-alive client does not hold it), exits 0', async () => {
    const dir = join(root, 'graceful');
    const server = await startCli(['--dir', dir, '--token', TOKEN]);
    const idle = connect(server.port, '127.0.0.1'); // a keep-alive connection after one request
    idle.write(head('GET', '/v1/cache/none', { Authorization: `Bearer ${TOKEN}` }));
    const body = randomBytes(2 * 1024 * 1024);
    let sigtermSent = 0;
    const upload = raw(server.port, head('PUT', '/v1/cache/inflight', { Authorization: `Bearer ${TOKEN}`, 'Content-Length': body.length }), {
      waitMs: 15_000,
      then: async (socket) => {
        socket.write(body.subarray(0, body.length / 2));
        for (const deadline = Date.now() + 5000; readdirSync(join(dir, '.tmp')).length === 0 && Date.now() < deadline; ) await sleep(20);
        server.child.kill('SIGTERM');
        sigtermSent = Date.now();
        for (const deadline = Date.now() + 5000; !(await refused(server.port)) && Date.now() < deadline; ) await sleep(50);
        expect(await refused(server.port)).toBe(true); // no longer accepting
        socket.write(body.subarray(body.length / 2));
      },
    });
    const response = await upload;
    expect(response.status).toBe(200);
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - sigtermSent).toBeLessThan(5000);
    idle.destroy();
    expect(readFileSync(join(dir, 'inflight')).equals(body)).toBe(true);
    expect(readdirSync(join(dir, '.tmp'))).toEqual([]);
    expect(server.stdout()).toMatch(/^SIGTERM: closing/m);
    expect(server.stdout()).toMatch(/^PUT inflight 200 2097152 /m);
  });

  it('control: an upload that does not finish within --shutdown-grace-ms is cut off (exit 1), leaving no entry and no temp file', async () => {
    const dir = join(root, 'forced');
    const server = await startCli(['--dir', dir, '--token', TOKEN, '--shutdown-grace-ms', '500']);
    const upload = raw(server.port, head('PUT', '/v1/cache/stuck', { Authorization: `Bearer ${TOKEN}`, 'Content-Length': 1_000_000 }), {
      waitMs: 10_000,
      then: async (socket) => {
        socket.write(randomBytes(1000));
        for (const deadline = Date.now() + 5000; readdirSync(join(dir, '.tmp')).length === 0 && Date.now() < deadline; ) await sleep(20);
        server.child.kill('SIGTERM');
      },
    });
    expect((await upload).closedByServer).toBe(true);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(existsSync(join(dir, 'stuck'))).toBe(false);
    expect(readdirSync(join(dir, '.tmp'))).toEqual([]);
    expect(server.stdout()).toMatch(/shutdown grace of 500 ms over/);
  });
});

describe('control: the hostile inputs are lethal to a handler without the guards', () => {
  // What the server did before issue 14, reduced to the two faults: decodeURIComponent and
  // timingSafeEqual on the raw strings, unguarded. Each input must make that process exit.
  const naive = `
    const http = require('node:http'), crypto = require('node:crypto');
    const token = ${JSON.stringify(TOKEN)};
    http.createServer((req, res) => {
      const name = decodeURIComponent(req.url.slice('/v1/cache/'.length));
      const given = (req.headers.authorization || '').replace(/^Bearer /, '');
      const ok = given.length === token.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(token));
      res.end(ok ? name : 'no');
    }).listen(Number(process.argv[process.argv.indexOf('--port') + 1]), '127.0.0.1', function () {
      console.log('listening http://127.0.0.1:' + this.address().port);
    });`;
  const sameUtf16Length = Buffer.concat([Buffer.from(`Bearer ${TOKEN.slice(0, -1)}`), Buffer.from([0xe9])]).toString('latin1');
  const inputs: Array<[string, Buffer]> = [
    ['malformed percent-encoding', head('GET', '/v1/cache/%E0%A4%A', { Authorization: `Bearer ${TOKEN}` })],
    ['token of the right UTF-16 length, another byte length', head('GET', '/v1/cache/abc', { Authorization: sameUtf16Length })],
  ];

  it.each(inputs)('%s: the unguarded server exits, ours answers and keeps serving', async (_name, request) => {
    const script = join(root, 'naive-server.js');
    writeFileSync(script, naive);
    const unguarded = await startCli(['--dir', 'unused'], {}, script);
    await raw(unguarded.port, request, { waitMs: 3000 });
    expect((await unguarded.exited).code).not.toBe(0);
    expect(unguarded.stderr()).toMatch(/URIError|RangeError/);

    const ours = await startCli(['--dir', join(root, 'guarded'), '--token', TOKEN, '--read-token', READ_TOKEN]);
    try {
      expect((await raw(ours.port, request, { waitMs: 3000 })).status).toEqual(expect.any(Number));
      expect(ours.alive()).toBe(true);
      expect(await roundTrip(ours.url, TOKEN)).toEqual({ put: 200, get: 200, same: true });
    } finally {
      await ours.stop();
    }
  });
});
