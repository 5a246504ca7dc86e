#!/usr/bin/env node
/**
 * Writes make-noop-targets.txt into a checkout prepared by setup.js (after one nx-sage run settled it):
 * the stamps of the build set's non-system packages that do not reach sagelib. Sage's sagelib has the
 * prerequisite FORCE, so make is never a no-op for it or for anything that depends on it; `make -q` over
 * these stamps is make's no-op to set beside nx-sage's. Uses nx-sage's project graph (`nx graph --file`)
 * for the dependents of sagelib and GNU make for the stamp paths (`$(inst_<pkg>)`).
 *   node tools/bench/configured/make-noop-targets.js <checkout>
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { evalDriver } = require('./make-driver');

const root = process.argv[2];
if (!root) throw new Error('usage: make-noop-targets.js <checkout>');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const file = join(mkdtempSync(join(tmpdir(), 'nx-sage-graph-')), 'graph.json');
execFileSync(join(root, 'node_modules/.bin/nx'), ['graph', `--file=${file}`], { cwd: root, env, stdio: 'ignore' });
const graph = JSON.parse(readFileSync(file, 'utf8')).graph;

const dependents = new Map();
for (const [from, deps] of Object.entries(graph.dependencies)) {
  for (const { target } of deps) dependents.set(target, [...(dependents.get(target) ?? []), from]);
}
const reachSagelib = new Set(['sagelib']);
const queue = ['sagelib'];
while (queue.length) for (const from of dependents.get(queue.pop()) ?? []) if (!reachSagelib.has(from)) reachSagelib.add(from), queue.push(from);

// Non-system packages: their build target runs a command (system ones are nx:noop).
const names = Object.values(graph.nodes)
  .filter((n) => n.data.targets?.build && n.data.targets.build.executor !== 'nx:noop' && !reachSagelib.has(n.name))
  .map((n) => n.name);
const driver = `include build/make/Makefile\n$(foreach p,${names.join(' ')},$(info T $(inst_$(p))))\nnothing: ;\n`;
const out = evalDriver(root, driver, 'nothing');
const stamps = out.split('\n').filter((l) => l.startsWith('T /')).map((l) => l.slice(2));
writeFileSync(join(root, 'make-noop-targets.txt'), `${stamps.join('\n')}\n`);
console.log(`${stamps.length} stamps (${reachSagelib.size} packages reach sagelib and are left out)`);
