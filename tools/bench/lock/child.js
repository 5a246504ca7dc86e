// The other process of a lock benchmark: waits for a lock when told to (handoff), or takes one and
// keeps it until it is killed (recovery). Talks to run.js over IPC.
'use strict';
const lockfile = require('proper-lockfile');
const { withTreeLock } = require('../../../packages/nx-sage/dist/lock/index.js');

const now = () => process.hrtime.bigint();
const quiet = { log: () => undefined, timeoutMs: 120_000 };

async function acquireOnce({ kind, target, mode, plOptions }) {
  if (kind === 'pl') {
    const release = await lockfile.lock(target, plOptions);
    const acquiredAt = now();
    await release();
    return acquiredAt;
  }
  return withTreeLock(target, mode, async () => now(), quiet);
}

async function holdForever({ kind, target, mode, plOptions }) {
  if (kind === 'pl') await lockfile.lock(target, plOptions);
  else void withTreeLock(target, mode, () => new Promise(() => undefined), quiet);
  // Give our own lock a moment to be fully on disk before saying so.
  setTimeout(() => process.send({ holding: true }), 20);
}

process.on('message', (message) => {
  if (message.cmd === 'acquire') {
    process.send({ started: true });
    const cpuBefore = process.cpuUsage();
    void acquireOnce(message).then((acquiredAt) => {
      const cpu = process.cpuUsage(cpuBefore);
      process.send({ acquiredAt: String(acquiredAt), cpuMs: (cpu.user + cpu.system) / 1000 });
    });
  } else if (message.cmd === 'hold') {
    void holdForever(message);
  } else if (message.cmd === 'exit') {
    process.exit(0);
  }
});
process.send({ ready: true });
