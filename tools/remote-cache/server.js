#!/usr/bin/env node
/**
 * A minimal Nx self-hosted remote cache (the "custom remote cache" OpenAPI of Nx ≥ 20.8) that stores
 * one file per task hash in a directory. Used by e2e/remote-cache.e2e.ts and good enough for a team
 * or a CI cache on one host.
 *
 *   node tools/remote-cache/server.js --dir /var/cache/nx [--port 0] [--host 127.0.0.1]
 *        [--token <rw>] [--read-token <ro>]          (or env NX_REMOTE_CACHE_TOKEN / _READ_TOKEN)
 *   Nx side:  NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://host:port
 *             NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=<token>
 *
 * Protocol, as Nx's client (packages/nx/src/native/cache/http_remote_cache.rs) uses it:
 *   GET /v1/cache/{hash} → 200 + the tar.gz Nx uploaded, 404 when absent (any other status is an error)
 *   PUT /v1/cache/{hash} → 200 stored; 409 already there (Nx then keeps quiet); 403 read-only token
 *   Authorization: Bearer <token> on both; 401 without a valid one.
 * Why not a static server (e.g. nginx + WebDAV): PUT there answers 201/204, which Nx's client treats
 * as an error (it accepts only 200/409/403); it overwrites instead of answering 409; and bearer-token
 * checks with a read-only variant need extra modules/config. This is ~150 lines of node:http, no deps.
 *
 * Entries are written to a temp file and linked into place (link fails if the name exists), so
 * concurrent PUTs of one hash store exactly one complete entry and readers never see a partial one.
 * One log line per request on stdout: `<METHOD> <hash> <status> <bytes>` (tests count hits with it).
 */
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const HASH = /^[A-Za-z0-9._-]{1,128}$/;

function createCacheServer({ dir, token = null, readToken = null, maxBytes = 8 * 1024 ** 3, log = (line) => process.stdout.write(`${line}\n`) }) {
  fs.mkdirSync(dir, { recursive: true });
  const tmpDir = path.join(dir, '.tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  const same = (a, b) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const access = (req) => {
    if (!token && !readToken) return 'write';
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return null;
    if (token && same(m[1], token)) return 'write';
    if (readToken && same(m[1], readToken)) return 'read';
    return null;
  };

  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const m = /^\/v1\/cache\/([^/]+)$/.exec(url.pathname);
    const hash = m ? decodeURIComponent(m[1]) : null;
    const done = (status, body = '', bytes = 0) => {
      log(`${req.method} ${hash ?? url.pathname} ${status} ${bytes}`);
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(body);
    };
    if (!hash || !HASH.test(hash)) return done(404, 'not found\n');
    const level = access(req);
    if (!level) return done(401, 'missing or invalid bearer token\n');
    const file = path.join(dir, hash);

    if (req.method === 'GET' || req.method === 'HEAD') {
      let stat;
      try {
        stat = fs.statSync(file);
      } catch {
        return done(404, 'cache miss\n');
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': stat.size });
      if (req.method === 'HEAD') return done(200, '', 0);
      const stream = fs.createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.on('end', () => log(`GET ${hash} 200 ${stat.size}`));
      return stream.pipe(res);
    }

    if (req.method === 'PUT') {
      if (level !== 'write') return done(403, 'read-only token\n');
      if (fs.existsSync(file)) {
        req.resume();
        return done(409, 'already cached\n');
      }
      const tmp = path.join(tmpDir, `${hash}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`);
      const out = fs.createWriteStream(tmp);
      let bytes = 0;
      let failed = false;
      const fail = (status, message) => {
        if (failed) return;
        failed = true;
        out.destroy();
        fs.rmSync(tmp, { force: true });
        done(status, message, bytes);
      };
      req.on('data', (chunk) => {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          fail(413, 'entry too large\n');
          req.destroy();
        }
      });
      req.on('error', () => fail(400, 'upload aborted\n'));
      out.on('error', (e) => fail(500, `${e.message}\n`));
      out.on('finish', () => {
        if (failed) return;
        if (bytes === 0) return fail(400, 'empty body\n');
        try {
          fs.linkSync(tmp, file); // fails with EEXIST if another PUT won the race: one entry, complete
          fs.rmSync(tmp, { force: true });
          done(200, 'stored\n', bytes);
        } catch (e) {
          fs.rmSync(tmp, { force: true });
          if (e.code === 'EEXIST') done(409, 'already cached\n', bytes);
          else done(500, `${e.message}\n`, bytes);
        }
      });
      return req.pipe(out);
    }
    return done(405, 'method not allowed\n');
  });
}

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 0, dir: null, token: process.env.NX_REMOTE_CACHE_TOKEN || null, readToken: process.env.NX_REMOTE_CACHE_READ_TOKEN || null };
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (key === '--dir') args.dir = value();
    else if (key === '--port') args.port = Number(value());
    else if (key === '--host') args.host = value();
    else if (key === '--token') args.token = value();
    else if (key === '--read-token') args.readToken = value();
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!args.dir) throw new Error('--dir <directory> is required');
  return args;
}

if (require.main === module) {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`remote-cache: ${e.message}\nusage: server.js --dir <dir> [--port N] [--host H] [--token T] [--read-token R]\n`);
    process.exit(2);
  }
  const server = createCacheServer({ dir: path.resolve(args.dir), token: args.token, readToken: args.readToken });
  server.listen(args.port, args.host, () => {
    const { address, port } = server.address();
    // First line: where to point NX_SELF_HOSTED_REMOTE_CACHE_SERVER (tests parse it).
    process.stdout.write(`listening http://${address}:${port}\n`);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
}

module.exports = { createCacheServer };
