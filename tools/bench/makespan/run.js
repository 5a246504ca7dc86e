#!/usr/bin/env node
// Makespan of a full build of Sage 10.10.beta4's standard build set (graph.json: 273 packages + the
// venv node), every package a tiny normal spkg (its own tarball + checksums.ini) whose spkg-install.in
// only sleeps a Sage-like build time (times.js) and installs one file. In the same run, for each N:
//   - GNU make -jN over the same graph (normal + order-only prerequisites, one rule per package that
//     sleeps the same time), the reference scheduler with no lock and no per-task overhead;
//   - nx-sage: `nx run-many -t install --parallel=N` on a fresh tree and a fresh Nx cache.
// Prints makespan, the critical-path and work/N bounds, nx/make, the CPU time each used (GNU time: the
// command and all its children) and the tree-lock waits (run report and
// package logs). Sleeps use no CPU: what is left is scheduling, locking and per-task overhead.
//
// Usage: npm run build && node tools/bench/makespan/run.js [--scale=1] [--jobs=4,8] [--seed=1]
//          [--only=make|nx] [--env=K=V ...] [--root=<pkg>] [--plan] [--keep] [--again]
//   --scale  multiplies every time (0.25 for a quick run on a shared machine)
//   --seed   jitters every time by ±10 % (deterministic; --seed=0: the table as written)
//   --env    extra environment for the nx runs (e.g. --env=NX_SAGE_INSTALL_LOCK=exclusive, the old lock)
//   --root   only <pkg> and its prerequisites (normal + order-only, transitively): a smaller graph for
//            a loaded machine; nx runs `nx run <pkg>:install`, make the rule of <pkg>
//   --plan   print the generated times, work and critical path, and exit
//   --again  after each nx run, a second one on a fresh tree and empty Nx cache that keeps the build
//            times the first measured (the build batch's order; executors/build/estimates.ts)
'use strict';
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { cpus, loadavg, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { VENV, plan, writeSyntheticPackages } = require('./synthetic');
const { timed: timedRun } = require('./timed');

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.find((a) => a.startsWith(`--${name}=`)) ?? `--${name}=${fallback}`).slice(name.length + 3);
const scale = Number(opt('scale', 1));
const jobs = opt('jobs', '4,8').split(',').map(Number);
const seed = Number(opt('seed', 1));
const only = opt('only', '');
const withHistory = argv.includes('--again');
const extraEnv = Object.fromEntries(argv.filter((a) => a.startsWith('--env=')).map((a) => a.slice(6).split(/=(.*)/s).slice(0, 2)));
const repo = resolve(__dirname, '../../..');
const shared = resolve(repo, '../shared/sage-10.10.beta4');
const graph = JSON.parse(readFileSync(join(shared, 'graph.json'), 'utf8'));

// ---- the build set and its times ----------------------------------------------------------------
const root = opt('root', '');
const { names, seconds, work, criticalPath, prereqs } = plan(graph, { scale, seed, root });

if (argv.includes('--plan')) {
  for (const n of names) console.log(`${n}\t${seconds[n]}`);
  console.log(`${names.length} packages (incl. ${VENV}), work ${work.toFixed(1)} s, critical path ${criticalPath.toFixed(1)} s (scale ${scale}, seed ${seed})`);
  process.exit(0);
}
if (!existsSync(join(repo, 'packages/nx-sage/dist/index.js'))) throw new Error('run `npm run build` first');

// ---- the workspace ------------------------------------------------------------------------------
const ws = mkdtempSync(join(tmpdir(), 'nx-sage-bench-makespan-'));
cpSync(shared, ws, { recursive: true });
execFileSync('chmod', ['-R', 'u+w', ws]);
symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'));
writeFileSync(join(ws, 'nx.json'), JSON.stringify({ plugins: ['nx-sage'] }));
// As `nx g nx-sage:init` leaves it: plugins load inside nx (NX_ISOLATE_PLUGINS=false).
writeFileSync(join(ws, '.env'), require(join(repo, 'packages/nx-sage/dist/generators/init/lib/update-env-file.js')).addEnvSettings(null));
writeFileSync(join(ws, '.gitignore'), 'node_modules\n.nx\nlocal\nlogs\nupstream\n.bench\n');
const upstream = join(ws, 'upstream');
writeSyntheticPackages(graph, join(ws, 'build/pkgs'), upstream, join(ws, '.bench/src'), names, seconds);

// GNU make over the same graph: one rule per package that sleeps the same time and touches a stamp.
const stamp = (n) => `$(S)/${n}`;
const rules = names.map((n) => {
  const { deps, orderOnly } = prereqs(n);
  const recipe = n === VENV ? `${process.env.PYTHON ?? 'python3'} -m venv --without-pip $(S)/venv` : `sleep ${seconds[n]}`;
  return `${stamp(n)}: ${deps.map(stamp).join(' ')}${orderOnly.length ? ` | ${orderOnly.map(stamp).join(' ')}` : ''}\n\t@${recipe} && touch $@\n`;
});
writeFileSync(join(ws, '.bench/Makefile'), `S := stamps\nall: ${(root ? [root] : names).map(stamp).join(' ')}\n\n${rules.join('\n')}`);

// ---- runs ---------------------------------------------------------------------------------------
const nxEnv = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  CI: 'true',
  NX_SAGE_QUIET: '1',
  ...extraEnv,
};

const timed = (cmd, args, options) => timedRun(cmd, args, options, join(ws, '.bench/cpu.txt'));

function runMake(n) {
  const dir = join(ws, '.bench/make');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'stamps'), { recursive: true });
  return timed('make', [`-j${n}`, '-f', join(ws, '.bench/Makefile'), 'all'], { cwd: dir });
}

/** Lock waits from the package logs: every "got the … lock … after X" line (one per wait). */
function logWaits() {
  const dir = join(ws, 'logs/pkgs');
  const waits = [];
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      // The lock's formatDuration (lock/holder-info.ts): "18 ms", "4.2 s", "2.5 min"
      const m = /got the (\w+) (?:install )?lock on .* after (\d+(?:\.\d+)?) (ms|s|min)$/.exec(line);
      if (m) waits.push({ mode: m[1], ms: Number(m[2]) * { ms: 1, s: 1000, min: 60_000 }[m[3]] });
    }
  }
  return waits;
}

// The build batch orders builds by the times it measured in this workspace before (executors/build/
// estimates.ts); a fresh run has none and orders by its prior. `history`: keep the last run's times.
const BUILD_TIMES = '.nx/workspace-data/nx-sage-build-times.json';

function runNx(n, history = false) {
  const wipe = ['local', 'logs', '.nx/cache', '.bench/report.json', ...(history ? [] : [BUILD_TIMES])];
  for (const dir of wipe) rmSync(join(ws, dir), { recursive: true, force: true });
  const reportFile = join(ws, '.bench/report.json');
  const env = { ...nxEnv, NX_CACHE_DIRECTORY: join(ws, '.nx/cache'), NX_SAGE_REPORT_FILE: reportFile };
  const { s, cpu, out } = timed(join(ws, 'node_modules/.bin/nx'), [...(root ? ['run', `${root}:install`] : ['run-many', '-t', 'install']), `--parallel=${n}`, '--outputStyle=static'], { cwd: ws, env });
  const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
  const waits = logWaits();
  return {
    s,
    cpu,
    ran: (out.match(/Successfully ran target install/) ? 'ok' : '?'),
    reportWaitS: report ? report.lockWait.totalMs / 1000 : NaN,
    reportWaiters: report ? report.lockWait.tasks.length : NaN,
    topHolders: report ? report.lockWait.byHolder.slice(0, 3).map((h) => `${h.holder} ${(h.waitMs / 1000).toFixed(1)}s`).join(', ') : '',
    logWaitS: waits.reduce((a, w) => a + w.ms, 0) / 1000,
    logWaits: waits.length,
    logExclusiveWaits: waits.filter((w) => w.mode === 'exclusive').length,
  };
}

// Nx computes the project graph once (cached in .nx/workspace-data), outside the timed runs.
timed(join(ws, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: ws, env: nxEnv });

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
console.log(`makespan bench: ${names.length} packages${root ? ` (${root} and its prerequisites)` : ` (incl. ${VENV})`}, scale ${scale}, seed ${seed}; work ${fmt(work)} s, critical path ${fmt(criticalPath)} s`);
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (Object.keys(extraEnv).length) console.log(`nx env: ${JSON.stringify(extraEnv)}`);
const rows = [];
for (const n of jobs) {
  const bound = Math.max(criticalPath, work / n);
  const makeRun = only === 'nx' ? { s: NaN, cpu: NaN } : runMake(n);
  const make = makeRun.s;
  const nx = only === 'make' ? undefined : runNx(n);
  // The same full build again on a fresh tree and an empty Nx cache, with the build times of the run above.
  const again = only === 'make' || !withHistory ? undefined : runNx(n, true);
  const row = {
    N: n,
    'make s': fmt(make),
    'nx s': fmt(nx?.s),
    'CP s': fmt(criticalPath),
    'work/N s': fmt(work / n),
    'nx/make': nx ? (nx.s / make).toFixed(2) : '–',
    'nx/bound': nx ? (nx.s / bound).toFixed(2) : '–',
    ...(again ? { 'nx again s': fmt(again.s), 'again/bound': (again.s / bound).toFixed(2), 'cpu again s': fmt(again.cpu) } : {}),
    'make/bound': (make / bound).toFixed(2),
    'cpu make/nx s': `${fmt(makeRun.cpu)}/${fmt(nx?.cpu)}`,
    'lock wait (report)': nx ? `${fmt(nx.reportWaitS)} s, ${nx.reportWaiters} tasks` : '–',
    'lock wait (logs)': nx ? `${fmt(nx.logWaitS)} s, ${nx.logWaits} waits (${nx.logExclusiveWaits} excl.)` : '–',
    load: loadavg()[0].toFixed(2),
  };
  rows.push(row);
  console.log(JSON.stringify(row), nx?.topHolders ? `behind: ${nx.topHolders}` : '');
}
console.table(rows);
if (argv.includes('--keep')) console.log(`workspace kept: ${ws}`);
else rmSync(ws, { recursive: true, force: true });
