#!/usr/bin/env node
// Install batching benchmark: N tiny real wheels (written here), installed into a fresh venv
//   (a) one package at a time through installPackage (what the single install executor does per
//       task: exclusive section, spkg-pipinst = pip uninstall + pip install, stamp), and
//   (b) all N through the batch install (installWave: one exclusive section, one pip uninstall,
//       one pip install for the group, stamps),
// both in-process (no Nx, no fork: only the install work is measured). For reference it also times
// raw pip: N `pip install <wheel>` calls vs one `pip install <N wheels>`. Then the no-op case (all N
// up to date) both ways. Medians of --reps repetitions; every repetition gets a fresh venv.
//
//   npm run build && node tools/bench/install/run.js [--packages 50] [--reps 3] [--no-raw] [--json <file>]
//
// Offline: pip comes from the Debian pip wheel that tools/fixtures/python/build-fixtures.js caches
// (<repo>/tmp/fixtures or $NX_SAGE_FIXTURE_CACHE); if it is missing, build-fixtures.js is run once.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { zip, recordLine } = require('../../fixtures/python/lib/archives');

const REPO = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(REPO, 'packages', 'nx-sage', 'dist');

function parseArgs(argv) {
  const opts = { packages: 50, reps: 3, raw: true, json: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--packages') opts.packages = Number(argv[++i]);
    else if (a === '--reps') opts.reps = Number(argv[++i]);
    else if (a === '--no-raw') opts.raw = false;
    else if (a === '--json') opts.json = path.resolve(argv[++i]);
    else if (a === '--keep') opts.keep = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(opts.packages > 1) || !(opts.reps >= 1)) throw new Error('--packages must be > 1 and --reps >= 1');
  return opts;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** A pure-Python wheel: <name>/__init__.py + dist-info METADATA/WHEEL/RECORD. */
function makeWheel(name, version) {
  const distInfo = `${name}-${version}.dist-info`;
  const files = [
    { path: `${name}/__init__.py`, data: Buffer.from(`VALUE = ${JSON.stringify(name)}\n`) },
    { path: `${distInfo}/METADATA`, data: Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: nx-sage install benchmark package\n`) },
    { path: `${distInfo}/WHEEL`, data: Buffer.from('Wheel-Version: 1.0\nGenerator: nx-sage tools/bench/install\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
  ];
  const record = files.map((f) => recordLine(f.path, f.data));
  record.push(`${distInfo}/RECORD,,`);
  files.push({ path: `${distInfo}/RECORD`, data: Buffer.from(record.join('\n') + '\n') });
  return { file: `${name}-${version}-py3-none-any.whl`, bytes: zip(files) };
}

function findPipWheel() {
  const cache = process.env.NX_SAGE_FIXTURE_CACHE || path.join(REPO, 'tmp', 'fixtures');
  const look = () => {
    const dir = path.join(cache, 'wheels');
    if (!fs.existsSync(dir)) return undefined;
    for (const sub of fs.readdirSync(dir)) {
      const d = path.join(dir, sub);
      const whl = fs.statSync(d).isDirectory() ? fs.readdirSync(d).find((f) => /^pip-.*\.whl$/.test(f)) : undefined;
      if (whl) return path.join(d, whl);
    }
    return undefined;
  };
  let found = look();
  if (!found) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-sage-bench-fixtures-'));
    execFileSync(process.execPath, [path.join(REPO, 'tools/fixtures/python/build-fixtures.js'), '--out', out, '--quiet'], { stdio: 'inherit' });
    fs.rmSync(out, { recursive: true, force: true });
    found = look();
  }
  if (!found) throw new Error('no pip wheel found in the fixture cache');
  return found;
}

function freshVenv(layout, pipWheel) {
  fs.rmSync(layout.sageLocal, { recursive: true, force: true });
  execFileSync('python3', ['-m', 'venv', '--without-pip', layout.sageVenv]);
  const python = path.join(layout.sageVenv, 'bin', 'python3');
  execFileSync(python, [path.join(pipWheel, 'pip'), 'install', '--quiet', '--no-index', '--no-cache-dir', '--disable-pip-version-check', pipWheel]);
  return python;
}

function verify(python, names) {
  const list = JSON.parse(execFileSync(python, ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], { encoding: 'utf8' }));
  const have = new Set(list.map((d) => d.name.toLowerCase().replace(/[-.]/g, '_')));
  const missing = names.filter((n) => !have.has(n));
  if (missing.length) throw new Error(`not installed: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  execFileSync(python, ['-m', 'pip', 'check', '--disable-pip-version-check'], { encoding: 'utf8' });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(DIST, 'build', 'batch-install.js'))) throw new Error('packages/nx-sage/dist is missing or old: run `npm run build`');
  const { writeArtifact } = require(path.join(DIST, 'build', 'artifact'));
  const { hashPrefix } = require(path.join(DIST, 'build', 'build-package'));
  const { installPackage } = require(path.join(DIST, 'build', 'install-package'));
  const { installWave } = require(path.join(DIST, 'build', 'batch-install'));
  const { openPackageLogger } = require(path.join(DIST, 'build', 'logger'));
  const { spkgPaths } = require(path.join(DIST, 'build', 'paths'));
  const { withTreeLock } = require(path.join(DIST, 'lock'));
  const { readSpkg } = require(path.join(DIST, 'spkg'));

  const pipWheel = findPipWheel();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-sage-bench-install-'));
  const sageRoot = path.join(root, 'sage');
  const layout = {
    workspaceRoot: root,
    sageRoot,
    pkgsDir: path.join(sageRoot, 'build', 'pkgs'),
    sageLocal: path.join(sageRoot, 'local'),
    sageVenv: path.join(sageRoot, 'local', 'var', 'lib', 'sage', 'venv-bench'),
    distfiles: path.join(sageRoot, 'upstream'),
    python: 'python3',
    jobs: 1,
  };
  const names = Array.from({ length: opts.packages }, (_, i) => `bench_pkg_${String(i).padStart(2, '0')}`);
  const rawWheels = path.join(root, 'raw-wheels');
  fs.mkdirSync(rawWheels, { recursive: true });
  const PIPINST = (n) => `sdh_actually_pip_install_wheel ${n}  -r "$SAGE_SPKG_SCRIPTS/$PKG_BASE/spkg-requirements.txt"\n`;
  const PIPRM = 'sdh_pip_uninstall -r "$SAGE_SPKG_SCRIPTS/$PKG_BASE/spkg-requirements.txt"\n';

  // Packages and their built artifacts, exactly as build would stage a wheel package with our helpers.
  for (const name of names) {
    const dir = path.join(layout.pkgsDir, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'type'), 'standard\n');
    fs.writeFileSync(path.join(dir, 'package-version.txt'), '1.0\n');
    fs.writeFileSync(path.join(dir, 'dependencies'), '| $(PYTHON)\n');
    fs.writeFileSync(path.join(dir, 'spkg-install.in'), 'cd src && sdh_pip_install .\n');
    const spkg = readSpkg(layout.pkgsDir, name);
    const paths = spkgPaths(layout, spkg);
    const wheel = makeWheel(name, '1.0');
    fs.writeFileSync(path.join(rawWheels, wheel.file), wheel.bytes);
    const staged = path.join(root, 'staged', name);
    const wheelRel = `var/lib/sage/wheels/${wheel.file}`;
    const reqRel = `var/lib/sage/scripts/${name}/spkg-requirements.txt`;
    fs.mkdirSync(path.join(staged, path.dirname(wheelRel)), { recursive: true });
    fs.mkdirSync(path.join(staged, path.dirname(reqRel)), { recursive: true });
    fs.writeFileSync(path.join(staged, wheelRel), wheel.bytes);
    fs.writeFileSync(path.join(staged, reqRel), `${name} @ file://${paths.tree}/${wheelRel}\n`);
    await writeArtifact(path.join(root, 'artifacts', name), {
      package: name,
      version: '1.0',
      source: 'normal',
      trees: spkg.trees,
      prefix: path.relative(root, paths.tree),
      prefixHash: hashPrefix(paths.tree),
      sourceHash: 'bench',
      files: [reqRel, wheelRel],
      stagedRoot: staged,
      scriptBodies: { pipinst: PIPINST(name), piprm: PIPRM },
    });
  }

  const lockFor = (owner) => (mode, description, fn) => withTreeLock(layout.sageLocal, mode, (lock) => fn(lock.signal), { owner, description });
  const loggers = [];
  const items = () =>
    names.map((name) => {
      const spkg = readSpkg(layout.pkgsDir, name);
      const paths = spkgPaths(layout, spkg);
      const logger = openPackageLogger({ logFile: paths.logFile, label: paths.pkgName, echo: () => undefined });
      loggers.push(logger);
      return { id: `${name}:install`, layout, spkg, artifactsDir: path.join(root, 'artifacts', name), logger, fileLine: logger.line, withLock: lockFor(name) };
    });
  const closeLoggers = () => loggers.splice(0).forEach((l) => l.close());

  const perPackage = async () => {
    for (const item of items()) {
      await installPackage({ layout, spkg: item.spkg, artifactsDir: item.artifactsDir, logger: item.logger, withLock: item.withLock, baseEnv: process.env });
    }
    closeLoggers();
  };
  const batched = async () => {
    const routes = {};
    for await (const { result } of installWave({ items: items(), batchLock: lockFor('install-batch'), baseEnv: process.env, echoGroupLine: () => undefined })) {
      if (!result.ok) throw result.error;
      routes[result.route] = (routes[result.route] ?? 0) + 1;
    }
    closeLoggers();
    return routes;
  };
  const time = async (fn) => {
    const t = performance.now();
    const value = await fn();
    return { ms: performance.now() - t, value };
  };

  const samples = { perPackage: [], batched: [], noopPerPackage: [], noopBatched: [], rawPerPackage: [], rawOneCall: [] };
  const wheelFiles = names.map((n) => path.join(rawWheels, `${n}-1.0-py3-none-any.whl`));
  const PIP = ['-m', 'pip', '--disable-pip-version-check', '--isolated', 'install', '--no-index', '--no-cache-dir', '--quiet'];
  for (let rep = 1; rep <= opts.reps; rep++) {
    let python = freshVenv(layout, pipWheel);
    const a = await time(perPackage);
    verify(python, names);
    const a0 = await time(perPackage);
    samples.perPackage.push(a.ms);
    samples.noopPerPackage.push(a0.ms);

    python = freshVenv(layout, pipWheel);
    const b = await time(batched);
    verify(python, names);
    if (b.value.group !== names.length) throw new Error(`expected all ${names.length} in one group, got ${JSON.stringify(b.value)}`);
    const b0 = await time(batched);
    if (b0.value.noop !== names.length) throw new Error(`expected ${names.length} no-ops, got ${JSON.stringify(b0.value)}`);
    samples.batched.push(b.ms);
    samples.noopBatched.push(b0.ms);

    let raw = '';
    if (opts.raw) {
      python = freshVenv(layout, pipWheel);
      const r1 = await time(async () => {
        for (const w of wheelFiles) execFileSync(python, [...PIP, w]);
      });
      python = freshVenv(layout, pipWheel);
      const r2 = await time(async () => execFileSync(python, [...PIP, ...wheelFiles]));
      verify(python, names);
      samples.rawPerPackage.push(r1.ms);
      samples.rawOneCall.push(r2.ms);
      raw = `; raw pip ${sec(r1.ms)} (${names.length} calls) vs ${sec(r2.ms)} (1 call)`;
    }
    console.log(`rep ${rep}: per-package ${sec(a.ms)}, batched ${sec(b.ms)}; no-op ${sec(a0.ms)} vs ${sec(b0.ms)}${raw}`);
  }

  const m = Object.fromEntries(Object.entries(samples).filter(([, v]) => v.length).map(([k, v]) => [k, median(v)]));
  const summary = {
    machine: `${os.cpus().length} vCPU ${os.cpus()[0]?.model?.trim()}, Node ${process.version}, ${execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim()}`,
    packages: names.length,
    reps: opts.reps,
    medianMs: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v)])),
    samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(Math.round)])),
    speedup: { install: +(m.perPackage / m.batched).toFixed(1), noop: +(m.noopPerPackage / m.noopBatched).toFixed(1), ...(m.rawOneCall ? { rawPip: +(m.rawPerPackage / m.rawOneCall).toFixed(1) } : {}) },
  };
  console.log(`\n${summary.machine}; ${names.length} wheel packages, median of ${opts.reps}`);
  console.log(`install into a fresh venv: per-package ${sec(m.perPackage)}, batched ${sec(m.batched)}  -> ${summary.speedup.install}x`);
  console.log(`no-op (all up to date):    per-package ${sec(m.noopPerPackage)}, batched ${sec(m.noopBatched)}  -> ${summary.speedup.noop}x`);
  if (m.rawOneCall) console.log(`raw pip reference:         ${names.length} calls ${sec(m.rawPerPackage)}, 1 call ${sec(m.rawOneCall)}  -> ${summary.speedup.rawPip}x`);
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(summary, null, 2)}\n`);
  if (!opts.keep) fs.rmSync(root, { recursive: true, force: true });
  else console.log(`kept ${root}`);
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
