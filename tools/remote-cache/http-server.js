'use strict';
/**
 * Nx's self-hosted remote cache API over node:http (see server.js for the protocol). Every request ends in
 * a response or a closed socket and one log line; nothing a client sends can throw out of here.
 */
const http = require('node:http');
const { pipeline } = require('node:stream/promises');
const { createAuthorizer } = require('./auth');
const { openStore, isValidHash, RequestError, CLIENT_CLOSED } = require('./store');
const { DEFAULTS } = require('./options');

const ROUTE = /^\/v1\/cache\/([^/]*)$/;
const METHODS = ['GET', 'HEAD', 'PUT'];
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'EPIPE', 'ECONNRESET']);
const CUT_OFF = new Set(['ECONNRESET', 'HPE_INVALID_EOF_STATE']);

/** A request target made safe for a one-line log: printable ASCII only, bounded. */
const printable = (text) =>
  (text.length > 160 ? `${text.slice(0, 160)}…` : text).replace(/[^\x21-\x7e…]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

function createCacheServer(options) {
  const opts = { ...DEFAULTS, log: (line) => process.stdout.write(`${line}\n`), ...options };
  const { log, maxBytes } = opts;
  if ((opts.token ?? null) === null && !opts.insecure) throw new Error('no token: pass token (or insecure: true, for a loopback-only cache)');
  const store = openStore(opts.dir, { staleTmpMs: opts.requestTimeoutMs + opts.headersTimeoutMs });
  const access = createAuthorizer({ token: opts.token ?? null, readToken: opts.readToken ?? null });
  const current = new WeakMap(); // socket → log record of the request it is serving
  const inFlight = new Set(); // handlers still running (cleaning up after a cut-off upload included)

  const server = http.createServer(
    {
      headersTimeout: opts.headersTimeoutMs,
      requestTimeout: opts.requestTimeoutMs,
      // How often Node checks the two timeouts above (default 30 s, longer than a short headers timeout).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(opts.headersTimeoutMs / 4))),
      maxHeaderSize: 16 * 1024,
    },
    onRequest,
  );
  // `Expect: 100-continue`: the 100 goes out only once the upload is accepted (put), so a client told
  // 401/403/409/413 never sends the body.
  server.on('checkContinue', (req, res) => onRequest(req, res, true));
  /** Resolves when every request handler has finished: for a shutdown that leaves no temp file behind. */
  server.settled = () => Promise.allSettled([...inFlight]);
  // Socket inactivity (no byte either way for this long): slow or stalled clients lose their connection.
  server.timeout = opts.idleTimeoutMs;
  // Between requests too. Node's default (5 s) is shorter than clients keep pooled connections (reqwest:
  // 90 s), so a client reusing one after a pause could write into a socket we just closed (EPIPE).
  server.keepAliveTimeout = opts.idleTimeoutMs;
  server.on('timeout', (socket) => socket.destroy());

  server.on('clientError', (error, socket) => {
    // Unparsable requests (bad method, NUL or raw control bytes in a header, oversize headers) and the
    // headers/request timeouts. Node's default writes the same statuses; we add the log line.
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const record = current.get(socket);
    // Mid-request, a reset or an EOF before the announced body ended means the client went away.
    if (record) record.status = CUT_OFF.has(error.code) ? CLIENT_CLOSED : status;
    else log(`- - ${status} 0 0.0ms ${error.code ?? error.message}`);
    const responding = socket._httpMessage && socket._httpMessage.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || responding) return socket.destroy();
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  });

  function onRequest(req, res, expectsContinue = false) {
    const record = { expectsContinue, method: req.method, name: printable(req.url.split('?', 1)[0]), status: 0, bytes: 0, started: process.hrtime.bigint() };
    current.set(req.socket, record);
    res.on('error', () => undefined); // writes to a socket the client closed: the log line tells
    // One line, once the response is over AND the handler is done (so the bytes and the cause of a
    // cut-off are known), whichever comes last.
    let pending = 2;
    const logLine = () => {
      if (--pending !== 0) return;
      // Ended = the whole response was handed to the socket; a client may close before 'finish' fires.
      const status = res.writableEnded ? res.statusCode : record.status || CLIENT_CLOSED;
      const ms = Number(process.hrtime.bigint() - record.started) / 1e6;
      log(`${record.method} ${record.name} ${status} ${record.bytes} ${ms.toFixed(1)}ms`);
      if (current.get(req.socket) === record) current.delete(req.socket);
    };
    let over = false;
    const responseOver = () => {
      if (!over) logLine();
      over = true;
    };
    res.once('finish', responseOver);
    res.once('close', responseOver);
    const handled = serve(req, res, record)
      .catch((error) => fail(error, res, record))
      .finally(logLine);
    inFlight.add(handled);
    handled.finally(() => inFlight.delete(handled));
  }

  function fail(error, res, record) {
    if (error instanceof RequestError && error.status === CLIENT_CLOSED) {
      record.status = record.status || CLIENT_CLOSED; // a timeout may have set it already (408)
      return res.destroy();
    }
    if (error instanceof RequestError) return reply(res, error.status, `${error.message}\n`, { close: true });
    // A fault of ours (disk, bug): one line on stdout, the stack on stderr, 500 if still possible.
    log(`ERROR ${record.method} ${record.name}: ${String(error && error.message).replace(/\s+/g, ' ')}`);
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    if (res.headersSent) res.destroy();
    else reply(res, 500, 'internal error, see the server log\n', { close: true });
  }

  async function serve(req, res, record) {
    const route = ROUTE.exec(req.url.split('?', 1)[0]);
    if (!route) return reply(res, 404, 'not found: the cache API is /v1/cache/{hash}\n');
    if (!METHODS.includes(req.method)) return reply(res, 405, `method not allowed: ${METHODS.join(', ')}\n`, { headers: { Allow: METHODS.join(', ') } });
    let hash;
    try {
      hash = decodeURIComponent(route[1]);
    } catch {
      return reply(res, 400, 'malformed percent-encoding in the hash\n', { close: true });
    }
    if (!isValidHash(hash)) return reply(res, 400, 'invalid hash: 1-128 characters of A-Z a-z 0-9 _ -\n', { close: true });
    record.name = hash;
    const level = access(req.headers.authorization);
    if (!level) return reply(res, 401, 'missing or invalid bearer token\n', { close: true });
    return req.method === 'PUT' ? put(req, res, hash, level, record) : get(req, res, hash, record);
  }

  async function get(req, res, hash, record) {
    const entry = await store.open(hash);
    if (!entry) return reply(res, 404, 'cache miss\n');
    const stream = entry.handle.createReadStream(); // closes the handle when done or destroyed
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': entry.size });
    if (req.method === 'HEAD') {
      stream.destroy();
      return res.end();
    }
    stream.on('data', (chunk) => (record.bytes += chunk.length));
    try {
      await pipeline(stream, res);
    } catch (error) {
      if (!CLIENT_GONE.has(error && error.code)) throw error; // the disk failed, not the client leaving
    }
  }

  async function put(req, res, hash, level, record) {
    // Nx's spec: 403 for a token that may not write; Nx then skips the upload quietly. The body is
    // drained (Node does that after the response) so the client reads the answer, not a reset.
    if (level !== 'write') return reply(res, 403, 'read-only token: uploads need the read-write token\n');
    const announced = req.headers['content-length'];
    if (announced === undefined || !/^\d+$/.test(announced)) return reply(res, 400, 'missing or invalid Content-Length header\n', { close: true });
    const length = Number(announced);
    if (length === 0) return reply(res, 400, 'empty body\n', { close: true });
    if (length > maxBytes) return replyAndLinger(req, res, record, 413, `entry of ${length} bytes is over the limit of ${maxBytes}\n`, maxBytes);
    if (await store.has(hash)) return reply(res, 409, 'already cached: an entry is never replaced\n');
    if (record.expectsContinue) res.writeContinue();
    const created = await store.write(hash, req, length, record); // counts record.bytes as they arrive
    reply(res, created ? 200 : 409, created ? 'stored\n' : 'already cached: an entry is never replaced\n');
  }

  return server;
}

/** A small text/plain answer. `close` ends the connection after it: the body may be unread and huge. */
function reply(res, status, body, { close = false, headers = {} } = {}) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...(close ? { Connection: 'close' } : {}), ...headers });
  res.end(body);
}

/**
 * Answers a request whose body we will not read, then closes the connection gracefully: the answer and a
 * FIN, the body still read and thrown away for up to LINGER_MS or `cap` bytes, then the socket is gone.
 * Closing at once makes the kernel reset a connection the client is still uploading on, and the reset can
 * destroy our answer before the client read it (fetch: "fetch failed" instead of 413). Written on the
 * socket: Node's response would either destroy it at once (Connection: close) or offer it for reuse.
 */
const LINGER_MS = 1000;
function replyAndLinger(req, res, record, status, body, cap) {
  const socket = req.socket;
  record.status = status; // the response object never ends: the log line takes the status from here
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  let discarded = 0;
  const done = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(done, LINGER_MS);
  timer.unref();
  req.on('data', (chunk) => {
    discarded += chunk.length;
    if (discarded > cap) done();
  });
  req.once('end', done);
  req.once('error', done);
  socket.once('close', () => clearTimeout(timer));
}

module.exports = { createCacheServer };
