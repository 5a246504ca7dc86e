'use strict';
/**
 * Command line of the cache server: parsing and the refusals that keep an open cache off the network.
 * Pure: no disk, no sockets; throws Error with a message for humans.
 */
const net = require('node:net');

const USAGE = `usage: node tools/remote-cache/server.js --dir <dir> [--host 127.0.0.1] [--port 0]
         --token <read-write token> [--read-token <read-only token>]   (or env NX_REMOTE_CACHE_TOKEN / NX_REMOTE_CACHE_READ_TOKEN)
         [--insecure]                 no token at all: anyone who can connect reads and writes (loopback hosts only)
         [--max-bytes N]              largest entry accepted, bytes (default 2 GiB)
         [--headers-timeout-ms N]     time a client has to send its request headers (default 20000)
         [--idle-timeout-ms N]        a connection silent this long is closed, also between requests (default 30000)
         [--request-timeout-ms N]     time a client has to send a whole request, body included (default 600000)
         [--shutdown-grace-ms N]      on SIGTERM/SIGINT, how long in-flight requests may still take (default 30000)`;

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  dir: null,
  token: null,
  readToken: null,
  insecure: false,
  maxBytes: 2 * 1024 ** 3,
  headersTimeoutMs: 20_000,
  idleTimeoutMs: 30_000,
  requestTimeoutMs: 600_000,
  shutdownGraceMs: 30_000,
};

const NUMERIC = {
  '--port': 'port',
  '--max-bytes': 'maxBytes',
  '--headers-timeout-ms': 'headersTimeoutMs',
  '--idle-timeout-ms': 'idleTimeoutMs',
  '--request-timeout-ms': 'requestTimeoutMs',
  '--shutdown-grace-ms': 'shutdownGraceMs',
};
const TEXT = { '--dir': 'dir', '--host': 'host', '--token': 'token', '--read-token': 'readToken' };

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6'); // BlockList also matches v4-mapped ::ffff:127.x.y.z against the v4 subnet

/** True for the hosts only this machine can reach: localhost, 127.0.0.0/8, ::1. */
function isLoopbackHost(host) {
  const h = String(host).trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return LOOPBACK.check(h, 'ipv4');
  if (net.isIPv6(h)) return LOOPBACK.check(h, 'ipv6');
  return false;
}

/** Why a token cannot work as a bearer token, or null. HTTP trims header whitespace and forbids controls. */
function tokenProblem(token) {
  if (token === '') return 'is empty';
  if (/[\x00-\x1f\x7f]/.test(token)) return 'contains a control character';
  if (token !== token.trim()) return 'starts or ends with whitespace (HTTP would strip it)';
  return null;
}

function parseArgs(argv, env = {}) {
  const args = { ...DEFAULTS, token: env.NX_REMOTE_CACHE_TOKEN || null, readToken: env.NX_REMOTE_CACHE_READ_TOKEN || null };
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].indexOf('=');
    const key = argv[i].startsWith('--') && eq > 0 ? argv[i].slice(0, eq) : argv[i];
    const inline = key === argv[i] ? undefined : argv[i].slice(eq + 1);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${key} needs a value`);
      return v;
    };
    if (key === '--insecure') args.insecure = true;
    else if (key in TEXT) args[TEXT[key]] = value();
    else if (key in NUMERIC) {
      const raw = value();
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new Error(`${key} must be a non-negative integer, got '${raw}'`);
      args[NUMERIC[key]] = Number(raw);
    } else throw new Error(`unknown argument '${argv[i]}'`);
  }
  return validate(args);
}

function validate(args) {
  if (!args.dir) throw new Error('--dir <directory> is required');
  if (args.port > 65535) throw new Error(`--port ${args.port} is not a TCP port`);
  if (args.maxBytes < 1) throw new Error('--max-bytes must be at least 1');
  for (const key of ['headersTimeoutMs', 'idleTimeoutMs', 'requestTimeoutMs']) {
    if (args[key] < 100) throw new Error(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be at least 100 ms`);
  }
  for (const [flag, token] of [['--token', args.token], ['--read-token', args.readToken]]) {
    const problem = token === null ? null : tokenProblem(token);
    if (problem) throw new Error(`${flag} ${problem}`);
  }
  if (args.readToken !== null && args.token === null) {
    throw new Error('--read-token needs a --token too: without a write token there would be no way to fill the cache');
  }
  if (args.token !== null && args.token === args.readToken) throw new Error('--token and --read-token must differ');
  if (args.token === null) {
    if (!args.insecure) {
      throw new Error(
        'no write token: give --token <secret> (or NX_REMOTE_CACHE_TOKEN) so that only trusted builds enter the cache. ' +
          'For a throwaway cache on this machine only, --insecure runs without any token on a loopback host.',
      );
    }
    if (!isLoopbackHost(args.host)) {
      throw new Error(
        `--insecure refused on host '${args.host}': a cache without a token lets anyone who can connect plant artifacts. ` +
          'Use --insecure only with --host 127.0.0.1, ::1 or localhost; on a network, give --token.',
      );
    }
  }
  return args;
}

module.exports = { parseArgs, isLoopbackHost, tokenProblem, DEFAULTS, USAGE };
