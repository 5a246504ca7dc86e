// A lock participant run as a real child process by the lock specs. It uses the COMPILED lock
// (packages/nx-sage/dist), so `npm run build` must have run. Usage: node worker.js '<json config>'.
//
// Every hold records [t0, t1] from process.hrtime.bigint() taken INSIDE the hold. On Linux that is
// CLOCK_MONOTONIC, one clock for all processes, so logged intervals are subsets of the real holds and
// an overlap between them is a real overlap (no false positives).
'use strict';
const { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { withTreeLock } = require('../../../dist/lock/index.js');

const config = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => process.hrtime.bigint();
const random = (max) => Math.random() * max;
const logFile = config.logDir ? join(config.logDir, `${process.pid}.jsonl`) : undefined;

const lockOptions = {
  lockDir: config.lockDir,
  owner: `${config.mode}-${process.pid}`,
  staleMs: config.staleMs,
  updateMs: config.updateMs,
  pollMs: config.pollMs,
  timeoutMs: config.timeoutMs ?? 60_000,
  disabled: config.disabled,
  log: () => undefined,
};

function record(interval) {
  if (logFile) appendFileSync(logFile, `${JSON.stringify({ pid: process.pid, ...interval, t0: String(interval.t0), t1: interval.t1 === undefined ? undefined : String(interval.t1) })}\n`);
}

/** One hold that logs its interval; `body` runs inside it. */
async function hold(mode, body) {
  return withTreeLock(config.tree, mode, async (lock) => {
    const t0 = now();
    const result = await body(lock);
    record({ mode, t0, t1: now() });
    return result;
  }, lockOptions);
}

// Workers load, print READY, and start together when the harness writes a line to their stdin.
// Modes that run for a while get their end time from durationMs at that moment.
let endAt = Infinity;
async function startGate() {
  process.stdout.write('READY\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
  endAt = Date.now() + (config.durationMs ?? 0);
  await sleep(config.delayMs ?? 0);
}

const MODES = {
  // Many short holds, mixed modes.
  async stress() {
    await startGate();
    for (let i = 0; i < config.ops; i++) {
      const mode = Math.random() < config.exclusiveRatio ? 'exclusive' : 'shared';
      await hold(mode, () => sleep(random(config.holdMaxMs)));
      await sleep(random(config.gapMaxMs ?? 2));
    }
  },

  // Takes one hold at once, says so on stdout, keeps it for holdMs (or until killed), then releases.
  async hold() {
    let aborted = false;
    await withTreeLock(config.tree, config.lockMode, async (lock) => {
      const t0 = now();
      // Logged before anything else, so a SIGKILLed holder's interval [t0, kill] is known.
      record({ mode: config.lockMode, t0, open: true });
      process.stdout.write(`HOLDING ${t0}\n`);
      await sleep(config.holdMs);
      aborted = lock.signal.aborted;
      record({ mode: config.lockMode, t0, t1: now() });
    }, lockOptions);
    process.stdout.write(`RELEASED ${now()} ${aborted}\n`);
  },

  // Back-to-back shared holds until endAt: some reader is always inside.
  async readers() {
    await startGate();
    while (Date.now() < endAt) await hold('shared', () => sleep(config.holdMs));
  },

  // A reinstall as one exclusive section: remove the marker package, then put it back.
  async reinstall() {
    await startGate();
    let reinstalls = 0;
    // Unlocked (the control), two writers collide inside rm/mkdir: count that instead of dying.
    let collisions = 0;
    while (Date.now() < endAt) {
      await hold('exclusive', async () => {
        try {
          rmSync(join(config.tree, 'marker'), { recursive: true, force: true });
          await sleep(1 + random(3));
          mkdirSync(join(config.tree, 'marker'), { recursive: true });
          writeFileSync(join(config.tree, 'marker', '__init__.py'), '');
        } catch {
          collisions++;
        }
      });
      reinstalls++;
      await sleep(random(3));
    }
    process.stdout.write(`DONE ${JSON.stringify({ reinstalls, collisions })}\n`);
  },

  // Readers check that the marker package is present during their whole shared hold.
  async check() {
    await startGate();
    let holds = 0;
    let misses = 0;
    while (Date.now() < endAt) {
      await hold('shared', async () => {
        holds++;
        if (!existsSync(join(config.tree, 'marker', '__init__.py'))) misses++;
        await sleep(random(2));
        if (!existsSync(join(config.tree, 'marker', '__init__.py'))) misses++;
      });
      await sleep(random(1));
    }
    process.stdout.write(`DONE ${JSON.stringify({ holds, misses })}\n`);
  },
};

MODES[config.mode]().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`worker ${process.pid} (${config.mode}) failed: ${error && error.stack}\n`);
    process.exit(1);
  },
);
