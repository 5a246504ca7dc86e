#!/usr/bin/env node
// Test-only child process for the crash and concurrency e2e tests: runs the compiled engine's install
// entry points (installPackage, the batch wave, recovery) on a workspace, with the swap test seams
// (swap/hooks.ts) set from ITS OWN environment. The seams are assigned here, in test code: no
// production module reads these variables.
//
//   node swap-child.js <workspace> install|batch|recover|prereq <pkg>...
//   CRASH_STEP=k       SIGKILL this process at the k-th swap step (0-based)
//   CRASH_DELAY_MS=t   SIGKILL this process t ms after its first journal write (lands inside pip runs)
//   NO_JOURNAL=1       control: swap without the journal
//   SHARED_STAGING=1   control: one staging directory per package
//   COUNT_STEPS=1      print "steps <n>" at the end
'use strict';
const path = require('node:path');
const dist = path.resolve(__dirname, '../../packages/nx-sage/dist');
const load = (m) => require(path.join(dist, m));

const { swapTestHooks } = load('swap/hooks');
const { resolveOptions, pythonMinorVersion } = load('executors/common/options');
const { readSpkg } = load('spkg');
const { spkgPaths } = load('tree/paths');
const { openPackageLogger } = load('tree/logger');
const { packageTreeLock } = load('executors/common/package-lock');
const { installPackage } = load('swap/install-package');
const { installWave } = load('swap/install-wave');
const { withExclusiveSwap } = load('swap/exclusive');
const { prepareVenv } = load('stage/venv');
const { withTreeLock } = load('lock');
const { installDependencies } = load('executors/build/install-dependencies');

const [ws, mode, ...pkgs] = process.argv.slice(2);
const crashStep = process.env.CRASH_STEP === undefined ? -1 : Number(process.env.CRASH_STEP);
const crashDelay = process.env.CRASH_DELAY_MS === undefined ? -1 : Number(process.env.CRASH_DELAY_MS);
if (process.env.NO_JOURNAL === '1') swapTestHooks.journalDisabled = true;
if (process.env.SHARED_STAGING === '1') swapTestHooks.sharedStaging = true;
let steps = 0;
let armed = false;
swapTestHooks.onStep = (step) => {
  if (steps++ === crashStep) process.kill(process.pid, 'SIGKILL');
  if (!armed && crashDelay >= 0 && step.startsWith('journal')) {
    armed = true;
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), crashDelay);
  }
};

const optionsOf = (pkg) => ({ package: pkg, sageRoot: '.', sageLocal: 'local', python: 'python3', artifactsDir: `local/var/lib/sage/nx-artifacts/${pkg}` });

async function setUp(pkg) {
  const { layout, artifactsDir } = await resolveOptions(optionsOf(pkg), ws);
  const spkg = readSpkg(layout.pkgsDir, pkg);
  const paths = spkgPaths(layout, spkg);
  const logger = openPackageLogger({ logFile: paths.logFile, label: paths.pkgName, quiet: true, echo: () => undefined });
  if (spkg.trees === 'SAGE_VENV') await prepareVenv(layout, await pythonMinorVersion(layout.python), () => undefined);
  return { layout, artifactsDir, spkg, paths, logger, withLock: packageTreeLock(layout.sageLocal, pkg, logger) };
}

async function main() {
  if (mode === 'prereq') {
    // What a build does before it runs: install its missing prerequisites (executors/build).
    const s = await setUp(pkgs[0]);
    const steps = pkgs.map((pkg) => ({ project: pkg, kind: 'package', options: optionsOf(pkg) }));
    await installDependencies({ pkg: 'a-consumer', layout: s.layout, inVenv: false, steps, workspaceRoot: ws, logger: s.logger, baseEnv: process.env });
  } else if (mode === 'install') {
    for (const pkg of pkgs) {
      const s = await setUp(pkg);
      await installPackage({ layout: s.layout, spkg: s.spkg, artifactsDir: s.artifactsDir, logger: s.logger, withLock: s.withLock, baseEnv: process.env });
    }
  } else if (mode === 'batch') {
    const items = [];
    for (const pkg of pkgs) {
      const s = await setUp(pkg);
      items.push({ id: `${pkg}:install`, layout: s.layout, spkg: s.spkg, artifactsDir: s.artifactsDir, logger: s.logger, fileLine: () => undefined, withLock: s.withLock });
    }
    const layout = items[0].layout;
    const batchLock = (m, description, fn) => withTreeLock(layout.sageLocal, m, (lock) => fn(lock.signal), { owner: 'batch', description });
    let failed = 0;
    const routes = [];
    for await (const { id, result } of installWave({ items, batchLock, baseEnv: process.env, echoGroupLine: () => undefined })) {
      routes.push(`${id}:${result.route}`);
      if (!result.ok) {
        failed++;
        process.stderr.write(`${id} failed: ${result.error && result.error.message}\n`);
      }
    }
    process.stdout.write(`routes ${routes.join(' ')}\n`);
    if (failed) process.exitCode = 1;
  } else if (mode === 'recover') {
    const s = await setUp(pkgs[0]);
    await withExclusiveSwap(s.withLock, s.layout, 'recover', (m) => process.stdout.write(`${m}\n`), async () => undefined);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  if (process.env.COUNT_STEPS === '1') process.stdout.write(`steps ${steps}\n`);
}

main().catch((error) => {
  process.stderr.write(`swap-child ${mode} ${pkgs.join(' ')}: ${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
