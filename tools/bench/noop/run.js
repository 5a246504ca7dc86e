#!/usr/bin/env node
// No-op `nx run-many -t install` over Sage 10.10.beta4 (437 packages; 273 builds, 275 installs, the
// downloads) with stub executors (NX_SAGE_STUB_BUILDS: no real build, see executors/common/stub.ts),
// everything already installed and up to date. Measures the wall time of the whole CLI and counts what
// happened anyway: builds and installs (runs.log of the stub), python and pip processes (PATH
// wrappers that log every start), Nx's task outcomes.
//
// The workspace is set up as `nx g nx-sage:init` sets one up: plugins load inside nx (.env:
// NX_ISOLATE_PLUGINS=false); --isolate leaves Nx's default (a worker process per plugin).
//
// Usage: npm run build && node tools/bench/noop/run.js [runs=5] [--daemon] [--parallel=N] [--isolate] [--keep]
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir, totalmem, release } = require('node:os');
const { delimiter, join, resolve } = require('node:path');

const argv = process.argv.slice(2);
const runs = Number(argv.find((a) => /^\d+$/.test(a)) ?? 5);
const daemon = argv.includes('--daemon');
const keep = argv.includes('--keep');
const isolate = argv.includes('--isolate');
const parallel = Number((argv.find((a) => a.startsWith('--parallel=')) ?? '--parallel=8').split('=')[1]);
const repo = resolve(__dirname, '../../..');
const tree = resolve(repo, '../shared/sage-10.10.beta4');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync(join(repo, 'packages/nx-sage/dist/executors/common/stub.js'))) throw new Error('run `npm run build` first');

// Workspace: the tree, the plugin, a private Nx cache.
const ws = mkdtempSync(join(tmpdir(), 'nx-sage-bench-noop-'));
cpSync(tree, ws, { recursive: true });
execFileSync('chmod', ['-R', 'u+w', ws]);
symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'));
writeFileSync(join(ws, 'nx.json'), JSON.stringify({ plugins: ['nx-sage'] }));
if (!isolate) writeFileSync(join(ws, '.env'), require(join(repo, 'packages/nx-sage/dist/generators/init/lib/update-env-file.js')).addEnvSettings(null));
writeFileSync(join(ws, '.gitignore'), 'node_modules\n.nx\nlocal\nlogs\n.bench\n');

// python/pip wrappers first on the PATH: each start is logged, then the real program runs.
const bin = join(ws, '.bench/bin');
const procLog = join(ws, '.bench/processes.log');
mkdirSync(bin, { recursive: true });
const which = (name) => (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name)).find((f) => existsSync(f));
for (const name of ['python3', 'python', 'pip', 'pip3']) {
  const real = which(name);
  if (!real) continue;
  writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${procLog}'\nexec '${real}' "$@"\n`);
  chmodSync(join(bin, name), 0o755);
}

const stub = join(ws, '.bench/stub');
mkdirSync(stub, { recursive: true });
const env = {
  ...process.env,
  PATH: `${bin}${delimiter}${process.env.PATH}`,
  NX_DAEMON: daemon ? 'true' : 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  CI: 'true',
  NX_SAGE_STUB_BUILDS: stub,
  NX_SAGE_QUIET: '1',
  NX_CACHE_DIRECTORY: join(ws, '.nx/cache'),
};

function take(file) {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  writeFileSync(file, '');
  return lines;
}

function run() {
  take(join(stub, 'runs.log'));
  take(procLog);
  const t0 = performance.now();
  const r = spawnSync(join(ws, 'node_modules/.bin/nx'), ['run-many', '-t', 'install', `--parallel=${parallel}`, '--outputStyle=static'], {
    cwd: ws,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`nx failed (${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const stubLines = take(join(stub, 'runs.log'));
  const procs = take(procLog);
  const out = r.stdout + r.stderr;
  return {
    ms,
    builds: stubLines.filter((l) => l.startsWith('build ')).length,
    installs: stubLines.filter((l) => l.startsWith('install ')).length,
    python: procs.length,
    pip: procs.filter((l) => /^pip3? |(^|\s)-m pip(\s|$)/.test(l)).length,
    processSamples: [...new Set(procs)].slice(0, 3),
    localCacheHits: (out.match(/\[local cache\]|\[existing outputs match the cache, left as is\]/g) ?? []).length,
    summary: (out.match(/Successfully ran target install[^\n]*|nx-sage: \d+ tasks in [^\n]*/) ?? [''])[0].trim(),
  };
}

const cold = run(); // everything built and installed (stubs)
const settle = run(); // first no-op (fills Nx's task history etc.)
const noops = Array.from({ length: runs }, run);
if (daemon) spawnSync(join(ws, 'node_modules/.bin/nx'), ['daemon', '--stop'], { cwd: ws, env });

const result = {
  machine: `${cpus().length} × ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, node ${process.version}`,
  nx: require(join(repo, 'node_modules/nx/package.json')).version,
  daemon,
  pluginIsolation: isolate,
  parallel,
  cold: { s: +(cold.ms / 1000).toFixed(1), builds: cold.builds, installs: cold.installs },
  noop: {
    medianS: +(median(noops.map((n) => n.ms)) / 1000).toFixed(2),
    allS: noops.map((n) => +(n.ms / 1000).toFixed(2)),
    builds: noops.map((n) => n.builds),
    installs: noops.map((n) => n.installs),
    pythonProcesses: noops.map((n) => n.python),
    pipProcesses: noops.map((n) => n.pip),
    pythonSample: noops[0].processSamples,
    localCacheHits: noops[0].localCacheHits,
    nxSummary: noops[0].summary,
  },
  settleRun: { s: +(settle.ms / 1000).toFixed(1), builds: settle.builds, installs: settle.installs },
};
console.log(JSON.stringify(result, null, 2));
const target = result.noop.medianS <= 3 && noops.every((n) => n.builds === 0 && n.pip === 0);
console.log(`no-op median ${result.noop.medianS} s over ${runs} runs; builds ${result.noop.builds.join('/')}, pip ${result.noop.pipProcesses.join('/')}; target (≤ 3 s, no build, no pip): ${target ? 'MET' : 'NOT MET'}`);
if (keep) console.log(`workspace kept: ${ws}`);
else rmSync(ws, { recursive: true, force: true });
