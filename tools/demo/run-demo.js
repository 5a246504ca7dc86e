#!/usr/bin/env node
// The README's main command: generate the demo Sage tree (offline, from Debian's wheels and our own
// sdists), build and install every package with nx-sage at parallelism 4, run again (nothing to do),
// then show what pip sees in the venv.
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join, resolve } = require('node:path');

const repo = resolve(__dirname, '../..');
const demo = join(repo, 'demo');
// No NX_SAGE_PIP_INDEX: demo/nx.json names the local index (pipIndex), so plain `nx` in demo/ works too.
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const step = (title, file, args, cwd = repo) => {
  console.log(`\n=== ${title}\n$ ${[file, ...args].join(' ')}`);
  execFileSync(file, args, { cwd, env, stdio: 'inherit' });
};

step('Generate the demo tree', process.execPath, ['tools/fixtures/python/build-fixtures.js', '--out', 'demo']);
const nx = join(repo, 'node_modules/.bin/nx');
step('The packages as Nx projects', nx, ['show', 'projects'], demo);
step('Build and install everything (race-free, parallel)', nx, ['run-many', '-t', 'install', '--parallel=4'], demo);
step('Again: everything is cached and installed, nothing runs pip', nx, ['run-many', '-t', 'install', '--parallel=4'], demo);
const sage = join(demo, 'local/var/lib/sage');
const venv = readdirSync(sage).find((name) => name.startsWith('venv-python'));
step('What pip sees in the venv', join(sage, venv, 'bin/python'), ['-m', 'pip', 'list', '--isolated']);
step('pip check', join(sage, venv, 'bin/python'), ['-m', 'pip', 'check', '--isolated']);
