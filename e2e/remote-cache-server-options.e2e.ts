/** The cache server's command line (tools/remote-cache/options.js): pure, no server started. */
const { parseArgs, isLoopbackHost, tokenProblem } = require('../tools/remote-cache/options.js');

describe('remote cache server options', () => {
  it('knows the loopback hosts, and only those', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: true });
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '192.0.2.1', '::2', '::ffff:10.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io', '']) {
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: false });
    }
  });

  it('refuses tokens HTTP cannot carry intact', () => {
    expect(tokenProblem('fine-token')).toBeNull();
    expect(tokenProblem('tökèn')).toBeNull(); // non-ASCII is fine: compared as UTF-8 bytes
    expect(tokenProblem('')).toMatch(/empty/);
    expect(tokenProblem('a\u0000b')).toMatch(/control/);
    expect(tokenProblem('a\nb')).toMatch(/control/);
    expect(tokenProblem(' padded')).toMatch(/whitespace/);
  });

  it('parses flags, inline values and env tokens; rejects the rest with a message', () => {
    const args = parseArgs(['--dir=/d', '--port', '8080', '--max-bytes=10', '--read-token', 'r'], { NX_REMOTE_CACHE_TOKEN: 'w' });
    expect(args).toMatchObject({ dir: '/d', port: 8080, maxBytes: 10, token: 'w', readToken: 'r', host: '127.0.0.1', insecure: false });
    expect(parseArgs(['--dir', '/d', '--token', 'cli'], { NX_REMOTE_CACHE_TOKEN: 'env' }).token).toBe('cli');
    expect(() => parseArgs(['--dir', '/d', '--token', 't', '--port', '-1'])).toThrow(/non-negative integer/);
    expect(() => parseArgs(['--dir', '/d', '--token', 't', '--port', '70000'])).toThrow(/not a TCP port/);
    expect(() => parseArgs(['--dir', '/d', '--token', 't', '--max-bytes', '1e9'])).toThrow(/non-negative integer/);
    expect(() => parseArgs(['--dir', '/d', '--token', 't', '--headers-timeout-ms', '5'])).toThrow(/--headers-timeout-ms must be at least 100 ms/);
    expect(() => parseArgs(['--dir', '/d', '--token'])).toThrow(/--token needs a value/);
    expect(() => parseArgs(['--dir', '/d', '--token', 't', '--verbose'])).toThrow(/unknown argument '--verbose'/);
    expect(() => parseArgs(['--token', 't'])).toThrow(/--dir <directory> is required/);
    expect(() => parseArgs(['--dir', '/d', '--token', 'same', '--read-token', 'same'])).toThrow(/must differ/);
    expect(() => parseArgs(['--dir', '/d'])).toThrow(/no write token/);
    expect(() => parseArgs(['--dir', '/d', '--insecure', '--host', '0.0.0.0'])).toThrow(/--insecure refused on host '0.0.0.0'/);
    expect(parseArgs(['--dir', '/d', '--insecure', '--host', 'localhost'])).toMatchObject({ insecure: true, token: null });
  });
});
