'use strict';
// The makespan benchmark's synthetic build set, shared by run.js (GNU make + nx-sage on the metadata tree)
// and sage-make.js (Sage's own make + nx-sage on a configured checkout): the standard build set of
// graph.json, each package's seeded time (times.js) and its rewrite as a tiny normal spkg that sleeps.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { baseSeconds } = require('./times');

const VENV = 'python3_venv';

// mulberry32: a tiny seeded PRNG, so a seed names one exact set of times.
function prng(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The build set (optionally one root's closure), every package's seconds, work and critical path. */
function plan(graph, { scale = 1, seed = 1, root = '' } = {}) {
  const pkgs = graph.packages;
  const closure = (starts) => {
    const seen = new Set();
    for (const stack = [...starts]; stack.length; ) {
      const name = stack.pop();
      if (seen.has(name)) continue;
      seen.add(name);
      if (pkgs[name]) stack.push(...pkgs[name].deps, ...pkgs[name].orderOnlyDeps);
    }
    return seen;
  };
  const buildSet = closure(Object.keys(pkgs).filter((n) => pkgs[n].type === 'standard'));
  if (root && !buildSet.has(root)) throw new Error(`--root=${root}: not in the standard build set`);
  const names = [...(root ? closure([root]) : buildSet)].filter((n) => buildSet.has(n)).sort();
  const inSet = new Set(names);
  const prereqs = (n) => (pkgs[n] ? { deps: pkgs[n].deps.filter((d) => inSet.has(d)), orderOnly: pkgs[n].orderOnlyDeps.filter((d) => inSet.has(d)) } : { deps: [], orderOnly: [] });
  const random = prng(seed);
  const seconds = {};
  for (const n of names) {
    const jitter = seed === 0 ? 1 : 0.9 + 0.2 * random();
    seconds[n] = Math.round(baseSeconds(n, pkgs[n]) * jitter * scale * 1000) / 1000;
  }
  const work = names.reduce((s, n) => s + seconds[n], 0);
  const finish = {};
  const longest = (n) => {
    if (finish[n] !== undefined) return finish[n];
    finish[n] = 0; // cycle guard (make drops the edge too)
    const { deps, orderOnly } = prereqs(n);
    return (finish[n] = seconds[n] + Math.max(0, ...[...deps, ...orderOnly].map(longest)));
  };
  const criticalPath = Math.max(...names.map(longest));
  return { names, seconds, work, criticalPath, prereqs };
}

const KEEP = new Set(['type', 'dependencies', 'dependencies_order_only', 'dependencies_check']);
const sha = (algo, file) => createHash(algo).update(readFileSync(file)).digest('hex');

/**
 * Rewrites each package of `names` under `pkgsDir` as a normal spkg (its own tarball in `upstream`,
 * checksums.ini, package-version.txt 1.0, `trees.txt` from graph.json) whose spkg-install.in sleeps its
 * time and installs one file. `keep` names more files to leave alone (a configured checkout keeps
 * spkg-configure.m4, so configure decides the same system packages). Packages without a source (the venv
 * node, iconv) are left as they are.
 */
function writeSyntheticPackages(graph, pkgsDir, upstream, scratch, names, seconds, keep = []) {
  const keepFiles = new Set([...KEEP, ...keep]);
  mkdirSync(upstream, { recursive: true });
  for (const n of names) {
    const pkg = graph.packages[n];
    if (!pkg || pkg.source === 'none') continue;
    const dir = join(pkgsDir, n);
    for (const file of readdirSync(dir)) if (!keepFiles.has(file)) rmSync(join(dir, file), { recursive: true, force: true });
    writeFileSync(join(dir, 'package-version.txt'), '1.0\n');
    writeFileSync(join(dir, 'trees.txt'), `${pkg.trees}\n`);
    const src = join(scratch, `${n}-1.0`);
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'README'), `${n}: synthetic package of the makespan benchmark\n`);
    const tarball = join(upstream, `${n}-1.0.tar.gz`);
    execFileSync('tar', ['czf', tarball, '-C', scratch, `${n}-1.0`]);
    writeFileSync(join(dir, 'checksums.ini'), `tarball=${n}-VERSION.tar.gz\nsha1=${sha('sha1', tarball)}\nsha256=${sha('sha256', tarball)}\n`);
    writeFileSync(
      join(dir, 'spkg-install.in'),
      `sleep ${seconds[n]}\nmkdir -p "$SAGE_DESTDIR_LOCAL/share/makespan"\necho ${n} > "$SAGE_DESTDIR_LOCAL/share/makespan/${n}"\n`,
    );
  }
}

module.exports = { VENV, plan, writeSyntheticPackages };
