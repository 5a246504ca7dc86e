'use strict';
// Runs a command to completion and measures it: wall time, and CPU time (user + system of the command and
// all its children, from GNU time, written to `cpuFile`). Shared by run.js and sage-make.js.
const { spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

function timed(cmd, args, options, cpuFile) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-o', cpuFile, '-f', '%U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, ...options });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stdout ?? '').slice(-4000)}\n${(r.stderr ?? '').slice(-4000)}`);
  const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { s, cpu: user + sys, out: r.stdout + r.stderr };
}

module.exports = { timed };
