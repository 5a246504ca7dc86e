// Helpers for the multi-process lock specs: start worker.js children, read their stdout lines, and
// check that the compiled lock they use is present and not older than the sources.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, rmSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const SRC_LOCK = resolve(__dirname, '..');
const DIST_LOCK = resolve(__dirname, '../../../dist/lock');
const WORKER = join(__dirname, 'worker.js');

function assertLockBuilt() {
  const index = join(DIST_LOCK, 'index.js');
  if (!existsSync(index)) throw new Error(`The lock specs run child processes on the compiled lock, but ${index} is missing: run \`npm run build\` first.`);
  for (const name of readdirSync(SRC_LOCK)) {
    if (!name.endsWith('.ts') || name.endsWith('.spec.ts') || name.endsWith('.d.ts')) continue;
    const built = join(DIST_LOCK, name.replace(/\.ts$/, '.js'));
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(SRC_LOCK, name)).mtimeMs) {
      throw new Error(`${built} is missing or older than src/lock/${name}: run \`npm run build\` first.`);
    }
  }
}

function makeTempDir(prefix = 'nxsage-lock-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

const removeDir = (dir) => rmSync(dir, { recursive: true, force: true });

const running = new Set();

/** SIGKILLs workers still running (a failed test must not leave them behind). */
function stopWorkers() {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Starts one worker; `lines` collects its stdout lines, `waitFor(prefix)` resolves with the first match. */
function startWorker(config, env = {}) {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines = [];
  const listeners = new Set();
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop();
    for (const line of parts) {
      lines.push(line);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  running.add(child);
  const exited = new Promise((resolveExit) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolveExit({ code, signal, stderr });
    }),
  );
  const waitFor = (prefix, timeoutMs = 20_000) =>
    new Promise((resolveLine, reject) => {
      const found = lines.find((line) => line.startsWith(prefix));
      if (found) return resolveLine(found);
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`worker ${child.pid} printed no '${prefix}' within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      const listener = (line) => {
        if (!line.startsWith(prefix)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolveLine(line);
      };
      listeners.add(listener);
      void exited.then(() => setImmediate(() => {
        if (!listeners.has(listener)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        reject(new Error(`worker ${child.pid} exited before printing '${prefix}'; stderr: ${stderr}`));
      }));
    });
  return { child, pid: child.pid, lines, waitFor, exited };
}

/** Waits until every worker has loaded, then starts them all at once. */
async function startTogether(workers) {
  await Promise.all(workers.map((worker) => worker.waitFor('READY')));
  for (const worker of workers) worker.child.stdin.end('go\n');
}

const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

const msBetween = (from, to) => Number(to - from) / 1e6;

/**
 * The hooks every multi-process lock spec needs: the compiled lock must exist, each test gets a fresh
 * temporary directory (`sandbox.dir`), and its worker processes are stopped and the directory removed after it.
 */
function useWorkerSandbox() {
  const sandbox = { dir: '' };
  beforeAll(assertLockBuilt);
  beforeEach(() => {
    sandbox.dir = makeTempDir();
  });
  afterEach(() => {
    stopWorkers();
    removeDir(sandbox.dir);
  });
  return sandbox;
}

module.exports = { assertLockBuilt, makeTempDir, removeDir, startWorker, startTogether, stopWorkers, sleep, msBetween, useWorkerSandbox };
