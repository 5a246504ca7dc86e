/**
 * The cache server as its users run it (`node tools/remote-cache/server.js ...` on 127.0.0.1, an ephemeral
 * port) and raw HTTP over `net` sockets, for requests no well-behaved client library would send.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './workspace';

export const SERVER_JS = join(REPO_ROOT, 'tools/remote-cache/server.js');

export interface CliServer {
  child: ChildProcess;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Log lines of requests so far: `<METHOD> <name> <status> <bytes> <ms>ms`. */
  requests(): Array<{ method: string; name: string; status: number; bytes: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  stop(): Promise<void>;
}

/** Runs the CLI to completion (for the refusals): its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000); // a refusal exits at once; a started server would not
    child.on('close', (code) => { // 'close': after the output was read ('exit' can come first)
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the CLI (or another `script` taking the same flags) and resolves once it printed `listening http://...`. */
export async function startCli(args: string[], env: Record<string, string> = {}, script = SERVER_JS): Promise<CliServer> {
  const child = spawn(process.execPath, [script, '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (!url) {
    url = /^listening (http:\/\/\S+)$/m.exec(out)?.[1];
    if (url) break;
    if (child.exitCode !== null) throw new Error(`cache server exited ${child.exitCode}: ${out}${err}`);
    if (Date.now() > deadline) throw new Error(`cache server did not start within 15 s: ${out}${err}`);
    await sleep(25);
  }
  return {
    child,
    url,
    port: Number(new URL(url).port),
    stdout: () => out,
    stderr: () => err,
    requests: () =>
      [...out.matchAll(/^([A-Z]+) (\S+) (\d+) (\d+) [\d.]+ms$/gm)].map((m) => ({ method: m[1], name: m[2], status: Number(m[3]), bytes: Number(m[4]) })),
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RawResponse {
  status: number | null;
  head: string;
  body: Buffer;
  /** Milliseconds from connect until the server closed the connection (or the wait ended). */
  ms: number;
  closedByServer: boolean;
}

/**
 * Writes `request` (bytes, exactly as given) on a fresh connection and reads until the server closes it
 * or `waitMs` passes. Optional `then` runs after the write with the live socket (to trickle or cut off).
 */
export function raw(port: number, request: Buffer | string, opts: { waitMs?: number; then?: (socket: Socket) => void | Promise<void> } = {}): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = false;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = split < 0 ? all.toString('latin1') : all.subarray(0, split).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      resolve({ status: status ? Number(status) : null, head, body: split < 0 ? Buffer.alloc(0) : all.subarray(split + 4), ms: Date.now() - started, closedByServer });
    };
    const timer = setTimeout(finish, opts.waitMs ?? 5000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', () => {
      if (!settled && !socket.destroyed) closedByServer = true;
      finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
        closedByServer = true;
        return finish();
      }
      if (!settled) reject(e);
    });
    socket.on('connect', async () => {
      socket.write(request);
      try {
        await opts.then?.(socket);
      } catch {
        // the server closed the socket under our feet: that is what finish() reports
      }
    });
  });
}

/** A request head with CRLFs; `headers` are written verbatim (latin1), so any byte can be sent. */
export function head(method: string, target: string, headers: Record<string, string | number>): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** PUT then GET of fresh random bytes under a fresh hash; returns what GET returned and the statuses. */
export async function roundTrip(url: string, token: string | null, size = 64 * 1024): Promise<{ put: number; get: number; same: boolean }> {
  const hash = `rt${randomBytes(8).toString('hex')}`;
  const body = randomBytes(size);
  const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const put = await fetch(`${url}/v1/cache/${hash}`, { method: 'PUT', body, headers: auth });
  const got = await fetch(`${url}/v1/cache/${hash}`, { headers: auth });
  const bytes = Buffer.from(await got.arrayBuffer());
  return { put: put.status, get: got.status, same: bytes.equals(body) };
}
