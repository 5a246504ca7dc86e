'use strict';
// Evaluates a driver makefile (on stdin, it includes build/make/Makefile) in a configured checkout with the
// environment build/make/install gives make, and returns what make printed. Nothing is built: the goal
// has an empty recipe and make runs with -q (exit 1, "not up to date", is expected; 2 is an error).
const { spawnSync } = require('node:child_process');

function evalDriver(root, driver, goal) {
  const r = spawnSync('bash', ['-c', `. src/bin/sage-env-config && SAGE_PKGCONFIG="$SAGE_LOCAL/lib/pkgconfig" make -f - -q ${goal}`], {
    cwd: root,
    input: driver,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`make could not evaluate the driver in ${root} (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

module.exports = { evalDriver };
