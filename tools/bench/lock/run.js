#!/usr/bin/env node
// Lock benchmark: `npm run build && node tools/bench/lock/run.js [--quick]`.
// Measures the tree lock (packages/nx-sage/dist/lock) beside proper-lockfile 4.1.2 used the plain way
// (`retries: 10`, i.e. the retry defaults: 1 s, 2 s, 4 s …) and prints Markdown tables:
//   1. uncontended acquire + release in one process (the per-task overhead);
//   2. handoff: another process releases while we sleep on the lock; release → our first line in fn;
//   3. recovery: the holder is SIGKILLed while we wait; kill → our first line in fn;
//   4. CPU used by a waiter that sleeps on a held lock for 3 s.
// Times come from process.hrtime.bigint() (CLOCK_MONOTONIC, one clock for all processes on Linux).
'use strict';
const { fork } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const lockfile = require('proper-lockfile');
const { withTreeLock } = require('../../../packages/nx-sage/dist/lock/index.js');

const QUICK = process.argv.includes('--quick');
const N = (full, quick) => (QUICK ? quick : full);
const now = () => process.hrtime.bigint();
const ms = (from, to) => Number(to - from) / 1e6;
const sleep = (delay) => new Promise((resolve) => setTimeout(resolve, delay));
const quiet = { log: () => undefined };

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

const fmt = (value) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const row = (name, s) => `| ${name} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.max)} |`;
const table = (title, rows) => [`\n### ${title}\n`, '| what | n | p50 ms | p95 ms | max ms |', '| --- | ---: | ---: | ---: | ---: |', ...rows].join('\n');

const root = mkdtempSync(join(os.tmpdir(), 'nxsage-lock-bench-'));
let counter = 0;
function freshTree() {
  const tree = join(root, `tree-${counter++}`);
  mkdirSync(tree);
  return tree;
}
function freshFile() {
  const file = join(root, `file-${counter++}`);
  writeFileSync(file, '');
  return file;
}
const PL_DEFAULT = { realpath: false, retries: 10 };

async function uncontended() {
  const rounds = N(2000, 300);
  const measure = async (once) => {
    for (let i = 0; i < 100; i++) await once(); // warm-up
    const samples = [];
    for (let i = 0; i < rounds; i++) {
      const start = now();
      await once();
      samples.push(ms(start, now()));
    }
    return stats(samples);
  };
  const file = freshFile();
  const tree = freshTree();
  return table('Uncontended acquire + release (one process)', [
    row('proper-lockfile lock() + release()', await measure(async () => (await lockfile.lock(file, PL_DEFAULT))())),
    row('withTreeLock shared', await measure(() => withTreeLock(tree, 'shared', async () => undefined, quiet))),
    row('withTreeLock exclusive', await measure(() => withTreeLock(tree, 'exclusive', async () => undefined, quiet))),
  ]);
}

function startChild() {
  const child = fork(join(__dirname, 'child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue = [];
  const waiters = [];
  child.on('message', (message) => (waiters.length ? waiters.shift()(message) : queue.push(message)));
  const next = () => new Promise((resolve) => (queue.length ? resolve(queue.shift()) : waiters.push(resolve)));
  return { child, next, send: (message) => child.send(message) };
}

/** We hold `held`; the child waits for `wanted`; we release 10–40 ms after it started waiting. */
async function handoff({ kind, held, wanted, rounds }) {
  const target = kind === 'pl' ? freshFile() : freshTree();
  const child = startChild();
  await child.next(); // ready
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    let releasedAt;
    const holdWhile = async () => {
      child.send({ cmd: 'acquire', kind, target, mode: wanted, plOptions: PL_DEFAULT });
      await child.next(); // started
      await sleep(10 + Math.random() * 30);
      releasedAt = now();
    };
    if (kind === 'pl') {
      const release = await lockfile.lock(target, PL_DEFAULT);
      await holdWhile();
      await release();
    } else {
      await withTreeLock(target, held, holdWhile, quiet);
    }
    const { acquiredAt } = await child.next();
    samples.push(ms(releasedAt, BigInt(acquiredAt)));
  }
  child.send({ cmd: 'exit' });
  return stats(samples);
}

/** The child holds `held`; we wait for `wanted`; the child is SIGKILLed 50–100 ms into our wait. */
async function recovery({ kind, held, wanted, rounds, plOptions }) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const target = kind === 'pl' ? freshFile() : freshTree();
    const child = startChild();
    await child.next();
    child.send({ cmd: 'hold', kind, target, mode: held, plOptions });
    await child.next(); // holding
    let killedAt;
    const acquired = kind === 'pl'
      ? lockfile.lock(target, plOptions).then(async (release) => {
          const at = now();
          await release();
          return at;
        })
      : withTreeLock(target, wanted, async () => now(), { ...quiet, timeoutMs: 120_000 });
    await sleep(50 + Math.random() * 50);
    killedAt = now();
    child.child.kill('SIGKILL');
    samples.push(ms(killedAt, await acquired));
  }
  return stats(samples);
}

/** CPU time a waiter spends while the lock is held by someone else for 3 s. */
async function waitingCpu() {
  const tree = freshTree();
  const child = startChild();
  await child.next();
  let cpuMs;
  await withTreeLock(tree, 'exclusive', async () => {
    child.send({ cmd: 'acquire', kind: 'tree', target: tree, mode: 'shared' });
    await child.next();
    await sleep(3000);
  }, quiet);
  ({ cpuMs } = await child.next());
  child.send({ cmd: 'exit' });
  return `\nA waiter sleeping 3 s on a held lock used ${cpuMs.toFixed(1)} ms CPU (${((cpuMs / 3000) * 100).toFixed(2)} % of a core).`;
}

function describeMachine() {
  const cpus = os.cpus();
  let fsType = 'unknown';
  try {
    // The longest mount point that contains the temp dir.
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((line) => line.split(' ')).filter((f) => f.length > 2);
    const match = mounts.filter(([, point]) => root.startsWith(point)).sort((a, b) => b[1].length - a[1].length)[0];
    if (match) fsType = match[2];
  } catch {
    // not Linux
  }
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}, Node ${process.version}, temp dir on ${fsType}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
}

async function main() {
  const out = [`Lock benchmark (${QUICK ? 'quick' : 'full'}): ${describeMachine()}`];
  out.push(await uncontended());
  const h = N(200, 40);
  out.push(
    table('Handoff: holder (other process) releases → waiter is in fn', [
      row('tree lock exclusive → exclusive', await handoff({ kind: 'tree', held: 'exclusive', wanted: 'exclusive', rounds: h })),
      row('tree lock exclusive → shared', await handoff({ kind: 'tree', held: 'exclusive', wanted: 'shared', rounds: h })),
      row('tree lock shared → exclusive', await handoff({ kind: 'tree', held: 'shared', wanted: 'exclusive', rounds: h })),
      row('proper-lockfile, `retries: 10` (default retry timing)', await handoff({ kind: 'pl', rounds: N(10, 3) })),
    ]),
  );
  const r = N(15, 4);
  out.push(
    table('Recovery: holder SIGKILLed → waiter is in fn', [
      row('tree lock, dead exclusive holder, exclusive waiter', await recovery({ kind: 'tree', held: 'exclusive', wanted: 'exclusive', rounds: r })),
      row('tree lock, dead exclusive holder, shared waiter', await recovery({ kind: 'tree', held: 'exclusive', wanted: 'shared', rounds: r })),
      row('tree lock, dead shared holder, exclusive waiter', await recovery({ kind: 'tree', held: 'shared', wanted: 'exclusive', rounds: r })),
      row('proper-lockfile, stale 2 s (its minimum), 25 ms retries', await recovery({ kind: 'pl', rounds: N(3, 1), plOptions: { realpath: false, stale: 2000, retries: { retries: 1000, factor: 1, minTimeout: 25, maxTimeout: 25 } } })),
      row('proper-lockfile, stale 10 s (default), 25 ms retries', await recovery({ kind: 'pl', rounds: N(2, 1), plOptions: { realpath: false, stale: 10_000, retries: { retries: 1000, factor: 1, minTimeout: 25, maxTimeout: 25 } } })),
    ]),
  );
  out.push(await waitingCpu());
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => rmSync(root, { recursive: true, force: true }),
  (error) => {
    rmSync(root, { recursive: true, force: true });
    process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  },
);
