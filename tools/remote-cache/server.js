#!/usr/bin/env node
/**
 * A dependency-free Nx self-hosted remote cache (the "custom remote cache" OpenAPI of Nx ≥ 20.8) that
 * stores one file per task hash in a directory. Used by the e2e tests and good enough for a team or a CI
 * cache on one host.
 *
 *   node tools/remote-cache/server.js --dir /var/cache/nx --token <rw> [--read-token <ro>]
 *        [--host 127.0.0.1] [--port 0] [--max-bytes N] [--insecure]      (--help for every flag)
 *   tokens may come from env NX_REMOTE_CACHE_TOKEN / NX_REMOTE_CACHE_READ_TOKEN instead (not in `ps`)
 *   Nx side:  NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://host:port
 *             NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=<token>
 *
 * Protocol, as Nx's spec and client (packages/nx/src/native/cache/http_remote_cache.rs) use it:
 *   GET /v1/cache/{hash} → 200 + the tar.gz Nx uploaded, 404 when absent (any other status is an error)
 *   PUT /v1/cache/{hash} (Content-Length required) → 200 stored; 409 already there, never replaced (Nx
 *     then keeps quiet); 403 read-only token (Nx skips quietly); 413 over --max-bytes; 400 bad request
 *   Authorization: Bearer <token> on both; 401 without a valid one.
 * Why not a static server (e.g. nginx + WebDAV): PUT there answers 201/204, which Nx's client treats as an
 * error (it accepts only 200/409/403); it overwrites instead of answering 409; and bearer-token checks with
 * a read-only variant need extra modules/config.
 *
 * Modules: options.js (command line, refusals), auth.js (tokens), store.js (write-once files),
 * http-server.js (routing, timeouts, logging). One log line per request on stdout:
 *   `<METHOD> <hash or path> <status> <bytes> <ms>ms`   (tests count hits with it; 499 = client left)
 * The first line is `listening http://<address>:<port>`. SIGTERM/SIGINT: stop accepting, let in-flight
 * requests finish (up to --shutdown-grace-ms), exit 0.
 */
'use strict';
const path = require('node:path');
const { parseArgs, USAGE } = require('./options');
const { createCacheServer } = require('./http-server');

function main() {
  // A log reader that went away (a closed pipe) must not take the server down with an EPIPE.
  process.stdout.on('error', () => undefined);
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let args;
  try {
    args = parseArgs(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`remote-cache: ${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
  let server;
  try {
    server = createCacheServer({ ...args, dir: path.resolve(args.dir) });
  } catch (e) {
    process.stderr.write(`remote-cache: cannot use --dir ${args.dir}: ${e.message}\n`);
    process.exit(2);
  }
  server.on('error', (e) => {
    process.stderr.write(`remote-cache: cannot listen on ${args.host}:${args.port}: ${e.message}\n`);
    process.exit(2);
  });
  server.listen(args.port, args.host, () => {
    const { address, port } = server.address();
    const shown = address.includes(':') ? `[${address}]` : address;
    // First line: where to point NX_SELF_HOSTED_REMOTE_CACHE_SERVER (tests parse it).
    // One write: a reader that sees the first line also sees the warning (two writes could reach it apart).
    const warning = args.token === null ? 'WARNING --insecure: no token, anyone who can connect to this address may read and write\n' : '';
    process.stdout.write(`listening http://${shown}:${port}\n${warning}`);
  });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    let forced = false;
    process.stdout.write(`${signal}: closing, waiting for in-flight requests\n`);
    server.close(async () => {
      await server.settled();
      process.stdout.write(forced ? 'closed, in-flight requests cut off\n' : 'closed\n');
      process.exit(forced ? 1 : 0);
    });
    // close() drops idle keep-alive sockets once; a socket that finishes its request later goes idle too.
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => {
      forced = true;
      process.stdout.write(`shutdown grace of ${args.shutdownGraceMs} ms over: closing the remaining connections\n`);
      server.closeAllConnections();
      setTimeout(() => process.exit(1), 5000).unref(); // cleanup hung: leave anyway
    }, args.shutdownGraceMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) main();

module.exports = { createCacheServer };
