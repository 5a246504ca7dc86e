#!/usr/bin/env node
// Load test of the remote cache server: `node tools/bench/remote-cache-load/run.js [--clients 32] [--rounds 50] [--size 1048576]`.
// Starts tools/remote-cache/server.js through its CLI on 127.0.0.1 (ephemeral port, temp dir), then
// <clients> concurrent clients each PUT <rounds> fresh random artifacts of <size> bytes and GET each
// back, comparing SHA-256 of what was sent and what came back. The server's RSS is sampled from
// /proc/<pid>/status every 50 ms (and VmHWM, the kernel's peak, read at the end) to show that memory
// stays bounded while gigabytes go through. Prints a Markdown summary; exits 1 on any error.
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CLIENTS = arg('clients', 32);
const ROUNDS = arg('rounds', 50);
const SIZE = arg('size', 1024 * 1024);
const SERVER = path.join(__dirname, '../../remote-cache/server.js');
const TOKEN = crypto.randomBytes(24).toString('base64url');
const MB = 1024 * 1024;

function procStatus(pid) {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100 on Linux)
}

async function startServer(dir) {
  const child = spawn(process.execPath, [SERVER, '--dir', dir, '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH, NX_REMOTE_CACHE_TOKEN: TOKEN },
  });
  const log = { lines: 0, byStatus: {} };
  let buffered = '';
  const url = await new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        const listening = /^listening (\S+)/.exec(line);
        if (listening) resolve(listening[1]);
        const request = /^(GET|PUT) \S+ (\d+) /.exec(line);
        if (request) {
          log.lines++;
          log.byStatus[request[2]] = (log.byStatus[request[2]] ?? 0) + 1;
        }
      }
    });
  });
  return { child, url, log };
}

function request(agent, url, method, hash, body) {
  return new Promise((resolve, reject) => {
    const digest = crypto.createHash('sha256');
    let bytes = 0;
    const headers = { Authorization: `Bearer ${TOKEN}`, ...(body ? { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream' } : {}) };
    const req = http.request(`${url}/v1/cache/${hash}`, { method, agent, headers }, (res) => {
      res.on('data', (chunk) => {
        bytes += chunk.length;
        digest.update(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes, sha256: digest.digest('hex') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
};

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxsage-cache-load-'));
  const load0 = os.loadavg();
  const server = await startServer(path.join(root, 'store'));
  const pid = server.child.pid;
  await new Promise((r) => setTimeout(r, 300));
  const idle = procStatus(pid);
  const cpu0 = cpuSeconds(pid);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const samples = []; // [completed rounds, rss]
  let completed = 0;
  const sampler = setInterval(() => samples.push([completed, procStatus(pid).rss]), 50);
  const errors = [];
  const putMs = [];
  const getMs = [];

  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let round = 0; round < ROUNDS; round++) {
        const hash = `load${client}r${round}${crypto.randomBytes(6).toString('hex')}`;
        const body = crypto.randomBytes(SIZE);
        const sent = crypto.createHash('sha256').update(body).digest('hex');
        try {
          let t = process.hrtime.bigint();
          const put = await request(agent, server.url, 'PUT', hash, body);
          putMs.push(Number(process.hrtime.bigint() - t) / 1e6);
          if (put.status !== 200) errors.push(`PUT ${hash}: ${put.status}`);
          t = process.hrtime.bigint();
          const got = await request(agent, server.url, 'GET', hash);
          getMs.push(Number(process.hrtime.bigint() - t) / 1e6);
          if (got.status !== 200) errors.push(`GET ${hash}: ${got.status}`);
          else if (got.sha256 !== sent || got.bytes !== SIZE) errors.push(`GET ${hash}: ${got.bytes} bytes, sha256 ${got.sha256} ≠ ${sent}`);
        } catch (e) {
          errors.push(`${hash}: ${e.message}`);
        }
        completed++;
      }
    }),
  );
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  agent.destroy();
  const end = procStatus(pid);
  const cpuS = cpuSeconds(pid) - cpu0;
  const stored = fs.readdirSync(path.join(root, 'store')).filter((n) => n !== '.tmp').length;
  const leftoverTmp = fs.readdirSync(path.join(root, 'store/.tmp')).length;
  server.child.kill('SIGTERM');
  const exitCode = await new Promise((r) => server.child.once('exit', (code) => r(code)));
  fs.rmSync(root, { recursive: true, force: true });

  const total = CLIENTS * ROUNDS;
  const rssAt = (fraction) => Math.max(...samples.filter(([done]) => done <= total * fraction && done > total * (fraction - 0.25)).map(([, rss]) => rss));
  const put = stats(putMs);
  const get = stats(getMs);
  const f = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const lines = [
    `${CLIENTS} clients × ${ROUNDS} rounds × PUT+GET of ${(SIZE / MB).toFixed(2)} MB random artifacts, loopback, ${os.cpus().length} CPUs, Node ${process.version}`,
    `load average before: ${load0.map((l) => l.toFixed(2)).join(' ')}, after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    '',
    '| what | value |',
    '| --- | ---: |',
    `| requests (PUT + GET) | ${putMs.length + getMs.length} of ${2 * total} |`,
    `| errors (status, network, byte mismatch) | ${errors.length} |`,
    `| entries stored / temp files left | ${stored} / ${leftoverTmp} |`,
    `| server log lines by status | ${Object.entries(server.log.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')} |`,
    `| wall time | ${wallS.toFixed(1)} s |`,
    `| throughput (up + down) | ${((2 * total * SIZE) / MB / wallS).toFixed(0)} MB/s |`,
    `| PUT ms p50 / p95 / max | ${f(put.p50)} / ${f(put.p95)} / ${f(put.max)} |`,
    `| GET ms p50 / p95 / max | ${f(get.p50)} / ${f(get.p95)} / ${f(get.max)} |`,
    `| server CPU time | ${cpuS.toFixed(1)} s |`,
    `| server RSS idle | ${(idle.rss / MB).toFixed(1)} MB |`,
    `| server RSS max in each quarter of the run | ${[0.25, 0.5, 0.75, 1].map((q) => (rssAt(q) / MB).toFixed(1)).join(' / ')} MB |`,
    `| server VmHWM (peak RSS) | ${(end.hwm / MB).toFixed(1)} MB |`,
    `| data through the server | ${((2 * total * SIZE) / MB).toFixed(0)} MB |`,
    `| server exit after SIGTERM | ${exitCode} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (errors.length) process.stdout.write(`\nfirst errors:\n${errors.slice(0, 10).join('\n')}\n`);
  process.exit(errors.length || stored !== total || leftoverTmp || exitCode !== 0 ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
