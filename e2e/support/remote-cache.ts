/** Helpers for remote-cache e2e tests: our cache server as a child process, and a PATH with tripwires. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from './workspace';

export interface CacheServer {
  url: string;
  /** Request lines so far: `<METHOD> <hash> <status> <bytes> <ms>ms`. */
  requests(): Array<{ method: string; hash: string; status: number; bytes: number }>;
  stop(): Promise<void>;
}

/**
 * Starts tools/remote-cache/server.js on a free loopback port. It runs as a separate process logging
 * to a file: the tests call Nx with spawnSync, which would block an in-process server (and a piped
 * stdout could fill up while nobody reads it).
 */
export async function startCacheServer(opts: { dir: string; token?: string; readToken?: string }): Promise<CacheServer> {
  mkdirSync(opts.dir, { recursive: true });
  const logFile = join(opts.dir, '..', `server-${process.pid}-${Date.now()}.log`);
  const args = [join(REPO_ROOT, 'tools/remote-cache/server.js'), '--dir', opts.dir, '--port', '0'];
  if (opts.token) args.push('--token', opts.token);
  else args.push('--insecure'); // the server refuses to run without a token otherwise (loopback only)
  if (opts.readToken) args.push('--read-token', opts.readToken);
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', out, out], env: { PATH: process.env.PATH ?? '' } });
  const lines = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : []);
  const deadline = Date.now() + 10_000;
  let url: string | undefined;
  while (!url) {
    url = lines().map((l) => /^listening (http:\/\/\S+)$/.exec(l)?.[1]).find(Boolean);
    if (!url) {
      if (child.exitCode !== null) throw new Error(`cache server exited: ${lines().join('\n')}`);
      if (Date.now() > deadline) throw new Error('cache server did not start within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    requests: () =>
      lines()
        .map((l) => /^(GET|PUT|HEAD|POST|DELETE) (\S+) (\d+) (\d+) [\d.]+ms$/.exec(l))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => ({ method: m[1], hash: m[2], status: Number(m[3]), bytes: Number(m[4]) })),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Build tools whose use on a machine that only installs from the cache would mean it built something. */
export const BUILD_TOOLS = ['gcc', 'cc', 'c++', 'g++', 'cpp', 'clang', 'make', 'gmake', 'ninja', 'cmake', 'meson', 'ld', 'as', 'gfortran', 'x86_64-linux-gnu-gcc'];

/** The compilers the runtime identity names (graph/runtime-identity.ts): a machine that shares builds must have the same. */
export const IDENTITY_COMPILERS = ['cc', 'c++', 'gfortran'];

/**
 * A PATH that has every executable of the current PATH except the build tools, which are replaced by
 * tripwires: each logs its name and arguments to `<dir>/tripwire.log` and exits 127 (command not
 * found). Returns the PATH and a reader for the log. `keep` names build tools left real (the
 * compilers of the runtime identity, when the machine must match another one's identity).
 * `tripwires: false` makes the same PATH string with every tool real (the machine that builds).
 */
export function pathWithoutBuildTools(dir: string, opts: { keep?: readonly string[]; tripwires?: boolean } = {}): { PATH: string; tripped(): string[] } {
  const bin = join(dir, 'bin');
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'tripwire.log');
  writeFileSync(log, '');
  const tripwires = (opts.tripwires ?? true) ? BUILD_TOOLS.filter((tool) => !(opts.keep ?? []).includes(tool)) : [];
  const isBuildTool = (name: string) =>
    tripwires.length > 0 && (tripwires.includes(name) || /^(x86_64|aarch64)-linux-gnu-(gcc|g\+\+|ld|as|cpp)/.test(name) || /^(gcc|g\+\+|cpp|clang)-\d+$/.test(name));
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    if (!entry || !existsSync(entry)) continue;
    for (const name of readdirSync(entry)) {
      const target = join(bin, name);
      if (isBuildTool(name) || existsSync(target)) continue; // first one on the PATH wins, as in a shell
      try {
        if (statSync(join(entry, name)).isFile()) symlinkSync(join(entry, name), target);
      } catch {
        // dangling link or unreadable: not a usable command anyway
      }
    }
  }
  for (const tool of tripwires) {
    const file = join(bin, tool);
    writeFileSync(file, `#!/bin/sh\necho "${tool} $*" >> '${log}'\necho "${tool}: build tools are not available here" >&2\nexit 127\n`);
    chmodSync(file, 0o755);
  }
  return { PATH: bin, tripped: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}
