#!/usr/bin/env node
// Remote cache benchmark (issue 14): the native fixture tree (tools/fixtures/native: sqlite from a real
// autotools tarball, a C library linking it, a Python package using both, pip/setuptools/wheel, a
// script package) installed three ways, in one run, at ONE checkout path (compiled artifacts are tied
// to their SAGE_LOCAL path) and with one environment:
//   full    nothing cached: every package is built, every build is uploaded to the remote cache;
//   local   a fresh tree (no local/, logs/) with the local Nx cache warm (and Nx's cache database);
//   remote  a fresh clone (also no upstream/ and an EMPTY local cache) with the remote cache warm.
// local and remote alternate --reps times (medians reported). Target: remote <= 1.2 x local.
//
//   npm run build && node tools/bench/remote/run.js [--reps 3] [--parallel 4] [--fixture native|scripts] [--keep] [--json <file>]
// --fixture scripts: 12 script packages instead (no compiler; minutes instead of a native build).
'use strict';

const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const REPO = path.resolve(__dirname, '..', '..', '..');
const TOKEN = 'bench-remote-token';

function parseArgs(argv) {
  const opts = { reps: 3, parallel: 4, keep: false, json: undefined, fixture: 'native' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--reps') opts.reps = Number(argv[++i]);
    else if (a === '--parallel') opts.parallel = Number(argv[++i]);
    else if (a === '--keep') opts.keep = true;
    else if (a === '--json') opts.json = path.resolve(argv[++i]);
    else if (a === '--fixture') opts.fixture = argv[++i];
    else throw new Error(`unknown argument ${a} (usage: run.js [--reps 3] [--parallel 4] [--keep] [--json <file>])`);
  }
  if (!(opts.reps >= 1)) throw new Error('--reps must be >= 1');
  if (!['native', 'scripts'].includes(opts.fixture)) throw new Error('--fixture is native or scripts');
  return opts;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The cache server as a child process; resolves its URL from the "listening" line. */
async function startServer(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, '..', 'server.log');
  const out = fs.openSync(log, 'a');
  const child = spawn(process.execPath, [path.join(REPO, 'tools/remote-cache/server.js'), '--dir', dir, '--port', '0', '--token', TOKEN], { stdio: ['ignore', out, out] });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = fs.readFileSync(log, 'utf8').match(/^listening (http:\/\/\S+)$/m)?.[1];
    if (url) return { url, log, stop: () => child.kill('SIGTERM') };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`cache server did not start:\n${fs.readFileSync(log, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `--fixture scripts`: n script packages (no upstream file, no compiler), a chain of dependencies. */
function writeScriptTree(ws, n) {
  for (let i = 0; i < n; i++) {
    const dir = path.join(ws, 'build/pkgs', `script_${i}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'type'), 'standard\n');
    fs.writeFileSync(path.join(dir, 'dependencies'), `${i > 0 ? `script_${i - 1}` : ''}\n----------\nAll lines of this file are ignored except the first.\n`);
    fs.writeFileSync(path.join(dir, 'spkg-install.in'), `mkdir -p out\nhead -c 200000 /dev/urandom > out/data.bin\nsdh_install out/data.bin "$SAGE_LOCAL/share/script_${i}"\n`);
  }
}

function main(opts, server, root) {
  const ws = path.join(root, 'ws');
  fs.mkdirSync(ws);
  if (opts.fixture === 'native') execFileSync(process.execPath, [path.join(REPO, 'tools/fixtures/native/build-fixtures.js'), '--out', ws], { stdio: 'pipe' });
  else writeScriptTree(ws, 12);
  fs.mkdirSync(path.join(ws, 'upstream'), { recursive: true });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(ws, 'node_modules'));
  fs.writeFileSync(path.join(ws, 'nx.json'), JSON.stringify({ plugins: [{ plugin: 'nx-sage', options: opts.fixture === 'native' ? { system: ['sysprovided'] } : {} }] }, null, 2));
  fs.writeFileSync(path.join(ws, '.gitignore'), 'node_modules\n.nx\nlocal\nlogs\n');
  const upstream = path.join(root, 'upstream-saved');
  fs.cpSync(path.join(ws, 'upstream'), upstream, { recursive: true });

  const localCache = path.join(root, 'local-cache');
  const env = (cacheDir) => ({
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    CI: 'true',
    NX_SAGE_QUIET: '1',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    // A long native build holds the tree lock shared; on a loaded machine installs may wait long for it.
    NX_SAGE_LOCK_TIMEOUT_MS: String(6 * 3600_000),
    NX_CACHE_DIRECTORY: cacheDir,
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN,
  });
  // Nx 24 finds local cache entries through its database in .nx/workspace-data: the local-cache case
  // keeps it (a tree reset on the same machine), the remote case starts without it (a fresh clone).
  const fresh = ({ keepUpstream }) => {
    for (const d of ['local', 'logs', ...(keepUpstream ? [] : ['.nx'])]) fs.rmSync(path.join(ws, d), { recursive: true, force: true });
    fs.rmSync(path.join(ws, 'upstream'), { recursive: true, force: true });
    if (keepUpstream) fs.cpSync(upstream, path.join(ws, 'upstream'), { recursive: true });
  };
  const install = (label, cacheDir) => {
    const t = performance.now();
    const run = spawnSync(path.join(ws, 'node_modules/.bin/nx'), ['run-many', '-t', 'install', `--parallel=${opts.parallel}`, '--output-style=static'], {
      cwd: ws,
      env: env(cacheDir),
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const seconds = (performance.now() - t) / 1000;
    const output = `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    if (run.status !== 0) throw new Error(`${label}: nx exited ${run.status}\n${output.slice(-4000)}`);
    const builds = output.split('\n').filter((l) => /nx run \S+:build/.test(l));
    const tags = { built: builds.filter((l) => !/\[(local|remote) cache\]/.test(l)).length, local: builds.filter((l) => /\[local cache\]/.test(l)).length, remote: builds.filter((l) => /\[remote cache\]/.test(l)).length };
    process.stderr.write(`${label}: ${seconds.toFixed(1)} s, builds ${JSON.stringify(tags)}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
    return { seconds, tags };
  };

  fresh({ keepUpstream: true });
  const full = install('full build', localCache);
  const local = [];
  const remote = [];
  for (let i = 0; i < opts.reps; i++) {
    fresh({ keepUpstream: true });
    local.push(install(`local cache #${i + 1}`, localCache));
    fresh({ keepUpstream: false });
    const emptyCache = path.join(root, `empty-cache-${i}`);
    remote.push(install(`remote cache #${i + 1}`, emptyCache));
    fs.rmSync(emptyCache, { recursive: true, force: true });
  }
  if (local.some((r) => r.tags.local !== full.tags.built)) throw new Error('the local-cache installs were not all served by the local cache');
  if (remote.some((r) => r.tags.remote !== full.tags.built)) throw new Error('the remote-cache installs were not all served by the remote cache');
  for (const r of [...local, ...remote]) if (r.tags.built > 0) throw new Error(`a cached install built ${r.tags.built} package(s): the caches did not serve every build`);
  const result = {
    command: `node tools/bench/remote/run.js --reps ${opts.reps} --parallel ${opts.parallel} --fixture ${opts.fixture}`,
    machine: `${os.cpus().length} × ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}, node ${process.version}`,
    loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))),
    builds: full.tags.built,
    fullBuildSeconds: Number(full.seconds.toFixed(2)),
    localCacheSeconds: local.map((r) => Number(r.seconds.toFixed(2))),
    remoteCacheSeconds: remote.map((r) => Number(r.seconds.toFixed(2))),
    medianLocal: Number(median(local.map((r) => r.seconds)).toFixed(2)),
    medianRemote: Number(median(remote.map((r) => r.seconds)).toFixed(2)),
  };
  result.remoteOverLocal = Number((result.medianRemote / result.medianLocal).toFixed(2));
  result.target = 'remote <= 1.2 x local';
  result.met = result.remoteOverLocal <= 1.2;
  return result;
}

(async () => {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(REPO, 'packages/nx-sage/dist/index.js'))) throw new Error('run `npm run build` first');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-sage-bench-remote-'));
  const server = await startServer(path.join(root, 'store'));
  try {
    const result = main(opts, server, root);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    server.stop();
    if (!opts.keep) fs.rmSync(root, { recursive: true, force: true });
    else process.stderr.write(`kept ${root}\n`);
  }
})().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
