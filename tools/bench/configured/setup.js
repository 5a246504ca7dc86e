#!/usr/bin/env node
/**
 * Prepares the benchmark of a configured Sage 10.10.beta4 checkout (see BENCHMARKS.md, "configured
 * checkout"): a private copy of the e2e fixture (extract + ./bootstrap + ./configure, built once), nx.json
 * with the plugin (compiled dist/ of this repository), and — for the no-ops — a stamp for every package
 * configure lets make build (JSON as sage-spkg writes it, so nx-sage adopts it), plus .dummy and the venv
 * stamp, all with ONE mtime so make sees everything up to date. Prints the checkout's path.
 *   node -r @swc-node/register tools/bench/configured/setup.js
 */
const { execFileSync } = require('node:child_process');
const { symlinkSync, writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');
const { copyConfiguredCheckout } = require('../../../e2e/support/configured-checkout.ts');
const { evalDriver } = require('./make-driver');

const REPO = join(__dirname, '../../..');
const root = copyConfiguredCheckout('nx-sage-bench-configured-');
symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins: [{ plugin: 'nx-sage' }] }));
const driver = [
  'include build/make/Makefile',
  '$(info STAMP $(SAGE_LOCAL)/$(SPKG_INST_RELDIR)/.dummy)',
  '$(info STAMP $(inst_python3_venv))',
  '$(foreach p,$(BUILT_PACKAGES),$(info STAMP $(inst_$(p))))',
  'bench-nothing: ;',
].join('\n');
const out = evalDriver(root, driver, 'bench-nothing');
const stamps = out.split('\n').filter((l) => l.startsWith('STAMP /')).map((l) => l.slice(6).trim());
for (const stamp of stamps) execFileSync('mkdir', ['-p', join(stamp, '..')]);
// Package stamps as sage-spkg writes them (JSON, an empty manifest), so nx-sage adopts the tree as
// installed by make (swap/adopt.ts); .dummy and the venv stamp stay empty files, as make writes them.
for (const stamp of stamps) {
  const name = basename(stamp);
  const m = /^([^-]+)-(.+)$/.exec(name); // Sage package names have no dash; versions need not start with a digit (threejs-r122.p0)
  const isPackage = m && name !== '.dummy' && !name.startsWith('python3_venv-');
  const record = isPackage ? { package_name: m[1], package_version: m[2], install_date: 'Thu Jan  1 00:00:00 UTC 2026', system_uname: '', sage_version: '', test_result: '', files: [] } : undefined;
  writeFileSync(stamp, record ? `${JSON.stringify(record, null, 2)}\n` : '');
}
// Existing directories of the trees get the same time too (the venv stamp's order-only dir).
execFileSync('touch', ['-d', '2026-01-01 00:00:00', ...stamps]);
console.error(`${stamps.length} stamps written`);
console.log(root);
