#!/usr/bin/env node
// Sage's own build system beside nx-sage on the makespan benchmark's synthetic packages (issue 12), on a
// configured Sage 10.10.beta4 checkout (the e2e fixture, e2e/support/configured-checkout.ts). Two private
// copies get the same synthetic packages (synthetic.js: same table, seed and scale as run.js; spkg-configure.m4
// kept, so configure leaves the same packages to the system) and are re-configured by Sage's own rule. Then,
// for each N, on a fresh SAGE_LOCAL each time:
//   - Sage:    `cd build/make && ./install <the build set>` with MAKE='make -jN' V=0 (what the top-level
//              `make all-build` runs: its configured Makefile, sage-spkg per package);
//   - nx-sage: `nx run-many -t install --parallel=N` (configure's graph: the same build set, the same dummies).
// Both install exactly the packages configure lets make build; the run checks that the two trees end
// with the same stamps.
//
// Usage: npm run build && node -r @swc-node/register tools/bench/makespan/sage-make.js [--jobs=4,8] [--scale=1] [--seed=1]
//          [--root=<pkg>: only <pkg> and its prerequisites as goals] [--keep]
'use strict';
const { spawn } = require('node:child_process');
const { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { cpus, loadavg } = require('node:os');
const { join, resolve } = require('node:path');
const { configuredCheckout, copyConfiguredCheckout } = require('../../../e2e/support/configured-checkout.ts');
const { plan, writeSyntheticPackages } = require('./synthetic');
const { timed: timedRun } = require('./timed');

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.find((a) => a.startsWith(`--${name}=`)) ?? `--${name}=${fallback}`).slice(name.length + 3);
const jobs = opt('jobs', '4,8').split(',').map(Number);
const scale = Number(opt('scale', 1));
const seed = Number(opt('seed', 1));
const repo = resolve(__dirname, '../../..');
const graph = JSON.parse(readFileSync(resolve(repo, '../shared/sage-10.10.beta4/graph.json'), 'utf8'));
const root = opt('root', '');
// Every package gets its synthetic version (the tree stays one release); --root only narrows the goals.
const { names, seconds, work, criticalPath } = plan(graph, { scale, seed });
const goalSet = new Set(plan(graph, { scale, seed, root }).names);
// A closed port: a file missing from upstream/ fails at once instead of waiting on the network.
const OFFLINE = { SAGE_SERVER: 'http://127.0.0.1:9/', V: '0' };

const timed = (cmd, args, options) => timedRun(cmd, args, options, join(options.cwd, '.bench-cpu.txt'));

function reconfigure(root) {
  return new Promise((done, fail) => {
    const child = spawn('make', ['build/make/Makefile'], { cwd: root, env: { ...process.env, ...OFFLINE } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`re-configure failed in ${root}:\n${out.slice(-4000)}`))));
  });
}

/** Names of the stamps in both trees (SAGE_LOCAL and the venv), for the check that both did the same. */
function stampNames(root) {
  const sage = join(root, 'local/var/lib/sage');
  const trees = [join(root, 'local'), ...readdirSync(sage).filter((d) => d.startsWith('venv-')).map((d) => join(sage, d))];
  return trees.flatMap((t) => (existsSync(join(t, 'var/lib/sage/installed')) ? readdirSync(join(t, 'var/lib/sage/installed')) : [])).sort();
}

async function main() {
  const { python } = configuredCheckout();
  const bySage = copyConfiguredCheckout('nx-sage-bench-sage-make-');
  const byNx = copyConfiguredCheckout('nx-sage-bench-sage-nx-');
  // Only the packages a configured checkout has (graph.json is the same release).
  const present = names.filter((n) => existsSync(join(bySage, 'build/pkgs', n)));
  for (const root of [bySage, byNx]) {
    writeSyntheticPackages(graph, join(root, 'build/pkgs'), join(root, 'upstream'), join(root, '.bench-src'), present, seconds, ['spkg-configure.m4']);
  }
  const t = performance.now();
  await Promise.all([reconfigure(bySage), reconfigure(byNx)]);
  console.log(`re-configure of both copies: ${((performance.now() - t) / 1000).toFixed(0)} s`);
  symlinkSync(join(repo, 'node_modules'), join(byNx, 'node_modules'));
  writeFileSync(join(byNx, 'nx.json'), JSON.stringify({ plugins: [{ plugin: 'nx-sage', options: { python } }] }));
  // As `nx g nx-sage:init` leaves it: plugins load inside nx (NX_ISOLATE_PLUGINS=false).
  writeFileSync(join(byNx, '.env'), require(join(repo, 'packages/nx-sage/dist/generators/init/lib/update-env-file.js')).addEnvSettings(null));
  const nxEnv = { ...process.env, ...OFFLINE, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', NX_SAGE_QUIET: '1', FORCE_COLOR: '0', NO_COLOR: '1' };
  // What configure left to build: nx-sage's build set is make's (e2e/configured-graph.e2e.ts).
  const tagged = (tag) => {
    const out = timed(join(byNx, 'node_modules/.bin/nx'), ['show', 'projects', '--json', '--projects', tag], { cwd: byNx, env: nxEnv }).out;
    const lines = out.split('\n');
    for (const line of lines.filter((l) => /nx-sage/.test(l))) console.log(`  (nx: ${line.trim()})`);
    return JSON.parse(lines.find((l) => l.startsWith('[')) ?? '[]');
  };
  // Packages configure left to the system are not goals: `make <pkg>` builds a package even when it is
  // dummy (nx-sage's install of one is a no-op); make reaches their .dummy stamps as prerequisites.
  const buildable = new Set(tagged('tag:sage:build'));
  const goals = present.filter((n) => buildable.has(n) && goalSet.has(n));
  for (const root of [bySage, byNx]) cpSync(join(root, 'local'), join(root, '.bench-local'), { recursive: true, verbatimSymlinks: true });
  const fresh = (root) => {
    for (const d of ['local', 'logs']) rmSync(join(root, d), { recursive: true, force: true });
    cpSync(join(root, '.bench-local'), join(root, 'local'), { recursive: true, verbatimSymlinks: true });
  };

  console.log(`Sage's make vs nx-sage on a configured checkout: ${goals.length} packages, scale ${scale}, seed ${seed}; synthetic work of the whole set ${work.toFixed(1)} s, critical path ${criticalPath.toFixed(1)} s`);
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const rows = [];
  for (const n of jobs) {
    fresh(bySage);
    // One inner `make -jN <goals>` through build/make/install, as the top-level `make all-build` runs it. The
    // top-level Makefile given the goals themselves (`make pkg1 pkg2 …`) runs one `./install <pkg>` per goal,
    // one after the other: that is how the first run of this bench (2051 s at N=8) came out serial.
    const sage = timed('bash', ['-c', 'cd build/make && exec ./install "$@"', 'sage-install', ...goals], {
      cwd: bySage,
      env: { ...process.env, ...OFFLINE, MAKE: `make -j${n}`, V: '0' },
    });
    fresh(byNx);
    rmSync(join(byNx, '.nx/cache'), { recursive: true, force: true });
    // No build times from an earlier run (executors/build/estimates.ts): nx-sage orders builds by its prior, as on a first build.
    rmSync(join(byNx, '.nx/workspace-data/nx-sage-build-times.json'), { force: true });
    const nx = timed(join(byNx, 'node_modules/.bin/nx'), ['run-many', '-t', 'install', '-p', ...goals, `--parallel=${n}`, '--outputStyle=static'], {
      cwd: byNx,
      env: { ...nxEnv, NX_CACHE_DIRECTORY: join(byNx, '.nx/cache') },
    });
    const [fromSage, fromNx] = [stampNames(bySage), stampNames(byNx)];
    const same = JSON.stringify(fromSage) === JSON.stringify(fromNx);
    if (!same) {
      console.log(`  stamps only Sage's make wrote: ${fromSage.filter((s) => !fromNx.includes(s)).join(' ') || '-'}`);
      console.log(`  stamps only nx-sage wrote: ${fromNx.filter((s) => !fromSage.includes(s)).join(' ') || '-'}`);
    }
    const row = {
      N: n,
      "Sage's make s": sage.s.toFixed(1),
      'nx s': nx.s.toFixed(1),
      "nx/Sage's make": (nx.s / sage.s).toFixed(2),
      'cpu Sage/nx s': `${sage.cpu.toFixed(1)}/${nx.cpu.toFixed(1)}`,
      'same stamps': same ? 'yes' : `NO (${fromSage.length} vs ${fromNx.length})`,
      load: loadavg()[0].toFixed(2),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  console.table(rows);
  if (!argv.includes('--keep')) for (const root of [bySage, byNx]) rmSync(root, { recursive: true, force: true });
  else console.log(`kept: ${bySage} ${byNx}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
