#!/usr/bin/env node
// What Nx 24 charges per task in a run where nothing is to do, by the kind of task: the price of the
// ways an install task could be skipped on a no-op (issue 12). A workspace of N plain projects (no
// nx-sage), one target per variant, each run after a settling run so that every cacheable task hits:
//   noop            nx:noop (in Nx's process, never cached): the floor
//   cached          nx:run-commands, cacheable, file inputs only: a cache hit
//   runtime-each    the same plus ONE runtime input per project (`cat` of its own stamp file)
//   runtime-shared  the same plus one runtime input that every project shares (a digest of all stamps)
//   command         nx:run-commands, not cacheable, command `true`: what an uncached thin task costs
// Whole-process wall and CPU (user + sys of nx and its children), NX_DAEMON=false.
//
// Usage: node tools/bench/nx-skip/run.js [runs=5] [--projects=274]
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const argv = process.argv.slice(2);
const runs = Number(argv.find((a) => /^\d+$/.test(a)) ?? 5);
const projects = Number((argv.find((a) => a.startsWith('--projects=')) ?? '--projects=274').split('=')[1]);
const repo = resolve(__dirname, '../../..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ws = mkdtempSync(join(tmpdir(), 'nx-sage-bench-nx-skip-'));
symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'));
writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'nx-skip', private: true }));
writeFileSync(join(ws, 'nx.json'), JSON.stringify({}));
writeFileSync(join(ws, '.gitignore'), 'node_modules\n.nx\nstamps\n');
mkdirSync(join(ws, 'stamps'));
const cacheable = (extra) => ({ executor: 'nx:run-commands', options: { command: 'true' }, cache: true, inputs: ['{projectRoot}/**/*', ...extra], outputs: [] });
for (let i = 0; i < projects; i++) {
  mkdirSync(join(ws, `p/p${i}`), { recursive: true });
  writeFileSync(join(ws, `stamps/p${i}`), `p${i} installed\n`);
  const targets = {
    noop: { executor: 'nx:noop', cache: false, inputs: [] },
    cached: cacheable([]),
    'runtime-each': cacheable([{ runtime: `cat stamps/p${i} 2>/dev/null || echo missing-$$` }]),
    'runtime-shared': cacheable([{ runtime: 'cat stamps/* | cksum' }]),
    command: { executor: 'nx:run-commands', options: { command: 'true' }, cache: false, inputs: [] },
  };
  writeFileSync(join(ws, `p/p${i}/project.json`), JSON.stringify({ name: `p${i}`, targets }));
}

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true' };
function timed(target) {
  const script = `s=$(date +%s.%N); node_modules/.bin/nx run-many -t ${target} --parallel=8 --outputStyle=static >/dev/null 2>&1 || exit 1; e=$(date +%s.%N); times; echo "$s $e"`;
  const r = spawnSync('bash', ['-c', script], { cwd: ws, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nx run-many -t ${target} failed in ${ws}`);
  const lines = r.stdout.trim().split('\n');
  const [s, e] = lines.pop().split(' ').map(Number);
  // `times`: line 2 is the children's user and sys time, e.g. "0m5.670s 0m7.670s".
  const cpu = lines[1].split(' ').map((t) => { const m = /(\d+)m([\d.]+)s/.exec(t); return Number(m[1]) * 60 + Number(m[2]); }).reduce((a, b) => a + b, 0);
  return { wall: e - s, cpu };
}

console.log(`nx-skip: ${projects} projects, ${runs} timed runs per variant after one settling run, ${cpus().length} cores`);
console.log('| variant | wall median (min–max) | CPU median |\n|---|---:|---:|');
for (const target of ['noop', 'cached', 'runtime-each', 'runtime-shared', 'command']) {
  timed(target);
  const results = Array.from({ length: runs }, () => timed(target));
  const walls = results.map((r) => r.wall);
  console.log(`| ${target} | ${median(walls).toFixed(2)} s (${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)}) | ${median(results.map((r) => r.cpu)).toFixed(2)} s |`);
}
rmSync(ws, { recursive: true, force: true });
