import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, machine, release, type, version as osVersion } from 'node:os';
import { join } from 'node:path';
import type { Spkg } from '../spkg';
import { chooseInstallMode, countPresentDistributions, countPresentFiles, installOrder, type InstallLockMode } from '../lock';
import { copyArtifactRunFiles, readArtifact, readArtifactScripts, unpackArtifactTree, type ArtifactMeta } from '../stage/artifact';
import { takePreinstMarker } from '../stage/preinst';
import { sageCheckFor } from './sage-check';
import { hashPrefix } from '../stage/build-package';
import { buildSpkgEnv } from '../stage/env';
import { BuildError, type BuildPhase } from '../tree/errors';
import { FileSwap } from './file-swap';
import type { PackageLogger } from '../tree/logger';
import { isSafeManifestPath, stripLeadingSlash } from './manifest';
import { spkgPaths, type SageLayout, type SpkgPaths } from '../tree/paths';
import { adoptionPlan, readAdoptionFacts } from './adopt';
import { planInstall, type InstallPlan } from './plan-install';
import { removeInstalled } from './remove-installed';
import { rewriteTreePath, TREE_PLACEHOLDER } from '../stage/relocate';
import { helperMode, runScript, writePlainLauncher, writeWrappedScript } from '../stage/scripts';
import { readStamps, writeStamp, type SageStamp, type StampFile } from './stamp';
import { distributionsPresent } from './venv-state';
import { NEEDS_EXCLUSIVE, withSwapLock, type WithLock } from './exclusive';
import { journalPending, writeJournal, type SwapJournal } from './journal';
import { completeSwap, rollbackSwap } from './recover';
import { moveScriptsAside, planSwap } from './swap-plan';
import { guardSwap } from './signal-guard';
import { collectStaleStaging, createStaging, removeStaging } from './staging';
import { swapStep } from './hooks';
import { KEEP_EXISTING_PACKAGES } from './keep-existing';
import { lexists } from '../tree/lexists';

export type { WithLock };
export { KEEP_EXISTING_PACKAGES };

export interface InstallInput {
  layout: SageLayout;
  spkg: Spkg;
  artifactsDir: string;
  logger: PackageLogger;
  withLock: WithLock;
  baseEnv: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** Installs the artifact of `build`: a no-op when the tree already has exactly it, else one exclusive swap. */
export async function installPackage(input: InstallInput): Promise<InstallPlan> {
  const { layout, spkg, logger } = input;
  const paths = spkgPaths(layout, spkg);
  const fail = (phase: BuildPhase, code: BuildError['code'], problem: string, extra: { hint?: string; file?: string; cause?: unknown } = {}) =>
    new BuildError(problem, { code, pkg: spkg.name, phase, logFile: logger.logFile, ...extra });

  // A package make installed is adopted whether or not a build artifact exists (the build skipped it too).
  const adoption = adoptionPlan(readAdoptionFacts(layout, paths, spkg.name, spkg.versionWithPatchlevel));
  if (adoption.adopt) {
    logger.info(`nothing to do: ${adoption.reason}`);
    return { action: 'skip', reason: adoption.reason };
  }
  const meta = readArtifact(input.artifactsDir);
  if (!meta) {
    throw fail('install', 'ENOARTIFACT', `no build artifact in ${input.artifactsDir}`, { hint: `run the build target first (nx run <project>:build)` });
  }
  if (meta.version !== spkg.versionWithPatchlevel || meta.package !== spkg.name) {
    throw fail('install', 'ENOARTIFACT', `the artifact is ${meta.package}-${meta.version} but the package is ${paths.pkgName}`, { hint: 'run the build target again' });
  }
  if (!meta.relocatable && meta.prefixHash !== hashPrefix(paths.tree)) {
    throw fail('install', 'EINSTALL', `the artifact was configured for another install tree (${meta.prefix} elsewhere); its files would point to the wrong place`, {
      hint: 'rebuild without the cache: nx run <project>:build --skip-nx-cache',
    });
  }

  const decide = () => planInstall(installFacts(layout, paths, spkg.name, meta));
  // Staging left by dead installs goes even when this one turns out to be a no-op (only dead owners' dirs: no lock needed).
  collectStaleStaging(paths.installStagingRoot);
  const scripts = readArtifactScripts(input.artifactsDir, meta);
  // A first install that only adds files runs beside builds (lock/install-lock.ts). Plan and mode are
  // read in one shared section (one snapshot: a stamp written just after the plan must not turn a
  // first install into an exclusive one), read again inside the install's locks, and if they changed
  // meanwhile (or an interrupted swap waits for recovery) the install goes exclusive.
  const modeOf = (plan: InstallPlan): InstallLockMode => chooseInstallMode(additiveFacts(layout, paths, meta, scripts, plan)).mode;
  // Most installs in a warm tree are no-ops: decide them under the shared lock, in parallel.
  const { plan: quick, mode: quickMode } = await input.withLock('shared', `check ${paths.pkgName}`, async () => {
    const plan = decide();
    return { plan, mode: plan.action === 'skip' ? ('exclusive' as const) : modeOf(plan) };
  });
  if (quick.action === 'skip') {
    logger.info(`nothing to do: ${quick.reason}`);
    return quick;
  }

  const staging = createStaging(paths.installStagingRoot, spkg.name);
  try {
    await unpackArtifactTree(input.artifactsDir, meta, join(staging, 'tree'));
    if (meta.relocatable) rewriteTreePath(join(staging, 'tree'), meta.files, TREE_PLACEHOLDER, paths.tree);
    let mode = quickMode;
    for (;;) {
      const lockMode = mode;
      const outcome = await withSwapLock(input.withLock, lockMode, layout, `install ${paths.pkgName}`, (m) => logger.info(m), async (signal) => {
        const plan = decide();
        if (plan.action === 'skip') {
          logger.info(`nothing to do: ${plan.reason}`);
          return plan;
        }
        if (lockMode === 'additive' && modeOf(plan) !== 'additive') return NEEDS_EXCLUSIVE;
        logger.info(`${plan.action}: ${plan.reason}${lockMode === 'additive' ? ' (additive: builds keep running)' : ''}`);
        await swapIn({ ...input, signal }, paths, staging, meta, scripts, fail);
        return plan;
      });
      if (outcome !== NEEDS_EXCLUSIVE) return outcome;
      mode = 'exclusive';
    }
  } finally {
    removeStaging(staging);
  }
}

/** What makes an install additive (first install, nothing of it in the tree, no install hooks). */
export function additiveFacts(layout: SageLayout, paths: SpkgPaths, meta: ArtifactMeta, scripts: Record<string, string>, plan: InstallPlan) {
  return {
    action: plan.action,
    stamped: readStamps(paths.stampDir, meta.package).length > 0,
    presentFiles: countPresentFiles(paths.tree, meta.files),
    presentDistributions: countPresentDistributions(layout.sageVenv, meta.distributions.map((d) => d.name)),
    hasInstallHooks: scripts.preinst !== undefined || scripts.postinst !== undefined,
  };
}

export function installFacts(layout: SageLayout, paths: SpkgPaths, pkg: string, meta: ArtifactMeta) {
  const stamps = readStamps(paths.stampDir, pkg);
  const newest = stamps[stamps.length - 1];
  const files = newest?.stamp?.files;
  return {
    stamp: newest && {
      version: newest.version,
      artifactHash: newest.stamp?.nx_sage?.artifact_hash,
      hasFiles: Array.isArray(files),
    },
    artifact: { version: meta.version, hash: meta.hash },
    filesPresent: Array.isArray(files) && files.every((f) => !isSafeManifestPath(f) || lexists(join(paths.tree, stripLeadingSlash(f)))),
    distributionsPresent: distributionsPresent(layout.sageVenv, meta.distributions),
    interrupted: journalPending(paths.tree, pkg),
  };
}

type Fail = (phase: BuildPhase, code: BuildError['code'], problem: string, extra?: { hint?: string; file?: string; cause?: unknown }) => BuildError;

/**
 * The exclusive section: old version out, new files in, scripts, deferred pip install, stamp. The
 * journal is on disk before the first file moves; a failure (or SIGINT/SIGTERM) rolls back from it,
 * a crash leaves it for the next exclusive holder.
 */
async function swapIn(
  input: InstallInput,
  paths: SpkgPaths,
  staging: string,
  meta: ArtifactMeta,
  scripts: Record<string, string>,
  fail: Fail,
): Promise<void> {
  const { layout, spkg, logger } = input;
  const runDir = join(staging, 'run');
  // sage-spkg runs pipinst/postinst in the build directory: its top-level files are in the artifact.
  copyArtifactRunFiles(input.artifactsDir, meta, runDir);
  const mode = helperMode(layout);
  const env = buildSpkgEnv({ layout, spkg, paths, baseEnv: input.baseEnv, pkgDir: runDir });
  // sage-spkg unsets them once the staged tree is unloaded: post-install scripts must not see them.
  delete env.SAGE_DESTDIR;
  delete env.SAGE_DESTDIR_LOCAL;
  const wrap = (name: string, file: string, installed: boolean) => {
    if (scripts[name].startsWith('#!')) {
      // A plain executable script (no .in): installed as it is, as sage-spkg does.
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, scripts[name], { mode: 0o755 });
      return;
    }
    writeWrappedScript({
      file,
      body: scripts[name],
      env,
      mode,
      installed,
      dir: name.endsWith('rm') ? layout.sageRoot : installed && name === 'check' ? paths.buildDir : runDir,
      fallbackDir: name === 'check' ? spkg.dir : undefined,
    });
  };
  const launch = (file: string, name: string) => {
    if (!scripts[name].startsWith('#!')) return file;
    const launcher = join(staging, 'scripts', `.nx-run-spkg-${name}`);
    writePlainLauncher(launcher, file, mode);
    return launcher;
  };
  const installedScripts = ['prerm', 'piprm', 'postrm', 'check'].filter((name) => scripts[name] !== undefined);

  await guardSwap(input.signal, async (signal) => {
    const runStep = async (name: 'preinst' | 'pipinst' | 'postinst') => {
      if (scripts[name] === undefined) return;
      const file = join(staging, 'scripts', `spkg-${name}`);
      wrap(name, file, true);
      logger.info(`running spkg-${name}`);
      swapStep(`script-${name}`);
      const code = await runScript({ script: launch(file, name), cwd: runDir, env, logger, signal });
      if (code !== 0) throw fail(`spkg-${name}`, 'ESCRIPT', `spkg-${name} failed with exit code ${code}`, { hint: 'the previous installation was restored; read the log' });
    };
    /** sage-spkg's run_test_suite: after post-install, BEFORE the stamp; a failure fails the install unless warn. */
    const runCheck = async (): Promise<string> => {
      const check = sageCheckFor(spkg, input.baseEnv);
      if (check === 'no') return '';
      if (scripts.check === undefined) return 'not available';
      const file = join(paths.pkgScriptsDir, 'spkg-check');
      logger.info('running spkg-check');
      const code = await runScript({ script: launch(file, 'check'), cwd: existsSync(paths.buildDir) ? paths.buildDir : spkg.dir, env, logger, signal });
      if (code === 0) return 'passed';
      if (check === 'warn') {
        logger.info(`warning: failures testing package ${paths.pkgName} (ignored: SAGE_CHECK=warn)`);
        return 'failed';
      }
      throw fail('spkg-check', 'ESCRIPT', `spkg-check failed with exit code ${code}`, { hint: 'the previous installation was restored; set SAGE_CHECK=warn to install anyway' });
    };

    // The build ran preinst before building, in this tree; after a cache hit it did not run here.
    if (!takePreinstMarker(paths)) await runStep('preinst');
    const keepFiles = KEEP_EXISTING_PACKAGES.has(spkg.name);
    const journal = planSwap({
      layout,
      paths,
      pkg: spkg.name,
      newFiles: meta.files,
      newDists: meta.distributions.map((d) => d.name),
      keepFiles,
      newScripts: installedScripts,
    });
    writeJournal(journal);
    try {
      const swap = new FileSwap(paths.tree, journal.backupDir);
      const oldScripts = moveScriptsAside(journal);
      await removeInstalled({
        pkg: spkg.name,
        tree: paths.tree,
        stampDir: paths.stampDir,
        pkgScriptsDir: oldScripts ?? join(staging, 'no-old-scripts'),
        logger,
        signal,
        keepFiles,
        keep: new Set(meta.files),
        swap,
      });
      // Metadata last: a build running beside an additive install finds the package whole or not at all.
      for (const rel of installOrder(meta.files)) swap.put(rel, join(staging, 'tree', rel));
      for (const name of installedScripts) wrap(name, join(paths.pkgScriptsDir, `spkg-${name}`), true);
      await runStep('pipinst');
      await runStep('postinst');
      const testResult = await runCheck();
      if (signal.aborted) throw signal.reason;
      commitStamp(journal, { ...makeStamp(layout, spkg, meta), test_result: testResult });
    } catch (error) {
      logger.info(`install of ${paths.pkgName} failed; restoring the previous state of ${paths.tree}`);
      await rollbackSwap(journal, { pip: true, log: (m) => logger.info(m) });
      throw error instanceof BuildError ? error : fail('install', 'EINSTALL', (error as Error).message, { cause: error });
    }
    completeSwap(journal);
    swapStep('done');
  });
  logger.info(`installed ${paths.pkgName} into ${paths.tree} (${meta.files.length} files)`);
}

/** The commit point of a swap: the new stamp (atomic), then the journal says so. */
export function commitStamp(journal: SwapJournal, stamp: SageStamp): void {
  mkdirSync(join(journal.newStamp, '..'), { recursive: true });
  swapStep('stamp');
  writeStamp(journal.newStamp, stamp);
  journal.state = 'committed';
  writeJournal(journal);
}

/**
 * sage-spkg's stamp field is `$(uname -a)`: kernel name, node, release, version, machine, and on Linux
 * the operating system (GNU coreutils omits the "unknown" processor/platform fields).
 */
export function unameAll(): string {
  const fields = [type(), hostname(), release(), osVersion(), machine()];
  if (type() === 'Linux') fields.push('GNU/Linux');
  return fields.join(' ');
}

export function makeStamp(layout: SageLayout, spkg: Spkg, meta: ArtifactMeta): SageStamp {
  const versionFile = join(layout.sageRoot, 'VERSION.txt');
  return {
    package_name: spkg.name,
    package_version: spkg.versionWithPatchlevel,
    install_date: new Date().toString(),
    system_uname: unameAll(),
    sage_version: existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : '',
    test_result: '',
    files: meta.files,
    nx_sage: { artifact_hash: meta.hash, source_hash: meta.sourceHash },
  };
}

export type { StampFile };
