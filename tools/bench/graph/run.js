#!/usr/bin/env node
// Benchmark of the plugin's graph creation for Sage 10.10.beta4 (437 packages): cold (no plugin cache),
// warm (plugin cache present), each in a fresh Node process, plus the whole `nx show projects`.
// Usage: npm run build && node tools/bench/graph/run.js [runs=15]
const { execFileSync, spawnSync } = require('node:child_process');
const { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { tmpdir, cpus } = require('node:os');
const { join, resolve } = require('node:path');

const runs = Number(process.argv[2] ?? 15);
const repo = resolve(__dirname, '../../..');
const tree = resolve(repo, '../shared/sage-10.10.beta4');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

function measure(cacheDir) {
  const out = execFileSync(process.execPath, [join(__dirname, 'measure-once.js'), tree, cacheDir], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

const cold = [];
const index = [];
const warm = [];
let shape;
for (let i = 0; i < runs; i++) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'nx-sage-bench-'));
  const c = measure(cacheDir);
  const w = measure(cacheDir);
  rmSync(cacheDir, { recursive: true, force: true });
  index.push(c.indexMs);
  cold.push(c.createNodesMs + c.createDependenciesMs);
  warm.push(w.createNodesMs + w.createDependenciesMs);
  shape = c;
}

// Whole CLI: a temporary workspace holding the tree, no daemon.
const ws = mkdtempSync(join(tmpdir(), 'nx-sage-bench-ws-'));
cpSync(tree, ws, { recursive: true });
execFileSync('chmod', ['-R', 'u+w', ws]);
symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'));
writeFileSync(join(ws, 'nx.json'), JSON.stringify({ plugins: ['nx-sage'] }));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const cli = [];
for (let i = 0; i < Math.min(runs, 7); i++) {
  const t0 = performance.now();
  const r = spawnSync(join(ws, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: ws, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  cli.push(performance.now() - t0);
}
rmSync(ws, { recursive: true, force: true });

const fmt = (xs) => `median ${median(xs).toFixed(1)} ms, p95 ${p95(xs).toFixed(1)} ms (n=${xs.length})`;
console.log(`machine: ${cpus().length} × ${cpus()[0].model}, node ${process.version}`);
console.log(`tree: ${tree} → ${shape.projects} projects, ${shape.edges} edges`);
console.log(`plugin cold (no plugin cache, fresh process): ${fmt(cold)}`);
console.log(`Nx workspace file index build (before plugins, not plugin time): ${fmt(index)}`);
console.log(`plugin warm (plugin cache hit, fresh process): ${fmt(warm)}`);
console.log(`nx show projects (whole CLI, NX_DAEMON=false): ${fmt(cli)}`);
console.log(`cold/warm ratio: ${(median(cold) / median(warm)).toFixed(1)}×`);
