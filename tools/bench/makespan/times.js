'use strict';
// The fixed table of Sage-like build times of the makespan benchmark: one second per real minute of a
// Sage build on a typical 2020s laptop (rough figures; what matters is their shape: one huge package at
// the end of a long chain, a few big ones, many tiny Python wheels). Not measured here.
//
// Packages named below take that many seconds; the others take the default of their kind:
// native (SAGE_LOCAL, normal) 3 s, Python built from source (SAGE_VENV, normal/script) 1.4 s,
// wheels 0.08 s, docs packages 1 s. At scale 1 the standard build set of 10.10.beta4 adds up to
// ≈374 s of work with a critical path of ≈68 s (printed by run.js --plan).
const NAMED = {
  sagelib: 40,
  scipy: 12,
  singular: 12,
  openblas: 8,
  flint: 8,
  pari: 5,
  gap: 5,
  maxima: 4,
  ecl: 4,
  numpy: 4,
  highs: 4,
  ntl: 3,
  eclib: 3,
  cython: 2.5,
  matplotlib: 2.5,
  cypari: 2,
  gsl: 2,
  ppl: 2,
  linbox: 2,
  pillow: 1.5,
  gmp: 2,
  givaro: 1.5,
  fflas_ffpack: 1.5,
  brial: 1.5,
  pplpy: 1,
  symmetrica: 1,
  ecm: 1,
  glpk: 1,
  lcalc: 1,
  mpfr: 1.5,
  m4ri: 0.6,
  m4rie: 0.6,
  freetype: 0.6,
  libpng: 0.3,
  mpc: 0.4,
  mpfi: 0.3,
  sage_docbuild: 3.5,
  python3_venv: 0,
};

const DEFAULTS = { native: 3, python: 1.4, wheel: 0.08, docs: 1, none: 0 };

function kindOf(name, pkg) {
  if (pkg.source === 'none') return 'none';
  if (pkg.source === 'wheel') return 'wheel';
  if (pkg.trees === 'SAGE_DOCS') return 'docs';
  if (pkg.trees === 'SAGE_VENV') return 'python';
  return 'native';
}

/** Seconds at scale 1 for one package of graph.json. */
function baseSeconds(name, pkg) {
  if (name in NAMED) return NAMED[name];
  return pkg ? DEFAULTS[kindOf(name, pkg)] : 0;
}

module.exports = { NAMED, DEFAULTS, baseSeconds, kindOf };
