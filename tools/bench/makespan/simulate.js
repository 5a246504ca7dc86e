#!/usr/bin/env node
// What the build batch's order alone is worth on the makespan bench's graph: nx-sage's own pool
// (executors/build/pool.ts, the compiled one in dist) runs the synthetic build set on a simulated clock,
// each package taking its bench time plus a fixed overhead, with three estimates of the build times:
//   - kinds only:  the prior by kind (executors/build/estimates.ts) with no package named;
//   - nx-sage:     what a first build uses (the prior by kind, sagelib's own prior);
//   - measured:    every time known, as on a second build (the bench's own times).
// The bench's synthetic packages are all `normal` spkgs with graph.json's trees, so the kinds that remain
// are native (SAGE_LOCAL), Python (SAGE_VENV) and docs. No process runs: Nx's start, hashing and caching
// are not in these figures (compare with run.js for those).
//
// Usage: npm run build && node tools/bench/makespan/simulate.js [--jobs=8,4] [--seed=1] [--scale=1] [--overhead=0.15]
'use strict';
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { plan } = require('./synthetic');

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.find((a) => a.startsWith(`--${name}=`)) ?? `--${name}=${fallback}`).slice(name.length + 3);
const jobs = opt('jobs', '8,4').split(',').map(Number);
const seed = Number(opt('seed', 1));
const scale = Number(opt('scale', 1));
const overhead = Number(opt('overhead', 0.15));
const repo = resolve(__dirname, '../../..');
const dist = (m) => require(resolve(repo, 'packages/nx-sage/dist', m));
const { runPool } = dist('executors/build/pool.js');
const { expectedSeconds } = dist('executors/build/estimates.js');
const { breakCycles } = dist('graph/cycles.js');
const graph = JSON.parse(readFileSync(resolve(repo, '../shared/sage-10.10.beta4/graph.json'), 'utf8'));
const { names, seconds, work, criticalPath, prereqs } = plan(graph, { scale, seed });

// What the batch knows of a synthetic package: its name, `normal` (or `none`), graph.json's trees.
const metaOf = (n) => {
  const pkg = graph.packages[n];
  return { package: n, source: !pkg || pkg.source === 'none' ? 'none' : 'normal', trees: pkg?.trees };
};
const ESTIMATES = {
  'kinds only': (n) => expectedSeconds({ ...metaOf(n), package: undefined }, {}),
  'nx-sage (first build)': (n) => expectedSeconds(metaOf(n), {}),
  'measured (second build)': (n) => expectedSeconds(metaOf(n), seconds),
};

// The graph as nx-sage's has it: the edge of a cycle dropped as GNU make drops it (graph/cycles.ts).
const edgesOf = (n) => [...prereqs(n).deps.map((to) => ({ from: n, to, kind: 'normal' })), ...prereqs(n).orderOnly.map((to) => ({ from: n, to, kind: 'orderOnly' }))];
const dropped = new Set(breakCycles(names, edgesOf).map(({ dropped: e }) => `${e.from} ${e.to}`));
const deps = Object.fromEntries(names.map((n) => [n, edgesOf(n).filter((e) => !dropped.has(`${e.from} ${e.to}`)).map((e) => e.to)]));

/** Makespan of runPool on a simulated clock: whenever the pool waits, the earliest running task ends. */
async function simulate(limit, estimate) {
  let now = 0;
  const running = [];
  const run = (id) => new Promise((done) => running.push({ end: now + seconds[id] + overhead, done }));
  const pool = runPool({ ids: names, deps, limit, estimate, run, ok: () => true, blocked: () => false, crashed: () => false });
  const tick = () =>
    setImmediate(() => {
      // The pool has started everything it could: end the earliest task and let it react.
      running.sort((a, b) => a.end - b.end);
      const next = running.shift();
      if (!next) return;
      now = next.end;
      next.done(true);
      tick();
    });
  tick();
  let count = 0;
  for await (const outcome of pool) {
    if (outcome.result !== true) throw new Error(`${outcome.id} did not run`);
    count++;
  }
  if (count !== names.length) throw new Error(`ran ${count} of ${names.length}`);
  return now;
}

(async () => {
  console.log(`makespan simulation: ${names.length} packages, scale ${scale}, seed ${seed}; work ${work.toFixed(1)} s, critical path ${criticalPath.toFixed(1)} s, ${overhead} s per task`);
  const rows = [];
  for (const n of jobs) {
    const bound = Math.max(criticalPath, work / n);
    for (const [order, estimate] of Object.entries(ESTIMATES)) {
      const s = await simulate(n, estimate);
      rows.push({ N: n, order, 'makespan s': s.toFixed(1), bound: bound.toFixed(1), 'makespan/bound': (s / bound).toFixed(2) });
    }
  }
  console.table(rows);
})();
