import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, machine, release, type, version as osVersion } from 'node:os';
import { join } from 'node:path';
import type { Spkg } from '../spkg';
import { readArtifact, readArtifactScripts, unpackArtifactTree, type ArtifactMeta } from '../stage/artifact';
import { hashPrefix } from '../stage/build-package';
import { buildSpkgEnv } from '../stage/env';
import { BuildError, type BuildPhase } from '../tree/errors';
import { FileSwap } from './file-swap';
import type { PackageLogger } from '../tree/logger';
import { isSafeManifestPath, stripLeadingSlash } from './manifest';
import { spkgPaths, type SageLayout, type SpkgPaths } from '../tree/paths';
import { planInstall, type InstallPlan } from './plan-install';
import { removeInstalled } from './remove-installed';
import { rewriteTreePath, TREE_PLACEHOLDER } from '../stage/relocate';
import { helperMode, runScript, writeWrappedScript } from '../stage/scripts';
import { readStamps, writeStamp, type SageStamp, type StampFile } from './stamp';
import { distributionsPresent } from './venv-state';
import { withExclusiveSwap, type WithLock } from './exclusive';
import { journalPending, writeJournal, type SwapJournal } from './journal';
import { completeSwap, rollbackSwap } from './recover';
import { moveScriptsAside, planSwap } from './swap-plan';
import { guardSwap } from './signal-guard';
import { collectStaleStaging, createStaging, removeStaging } from './staging';
import { swapStep } from './hooks';
import { KEEP_EXISTING_PACKAGES } from './keep-existing';

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
  // Most installs in a warm tree are no-ops: decide them under the shared lock, in parallel.
  const quick = await input.withLock('shared', `check ${paths.pkgName}`, async () => decide());
  if (quick.action === 'skip') {
    logger.info(`nothing to do: ${quick.reason}`);
    return quick;
  }

  const staging = createStaging(paths.installStagingRoot, spkg.name);
  try {
    await unpackArtifactTree(input.artifactsDir, meta, join(staging, 'tree'));
    if (meta.relocatable) rewriteTreePath(join(staging, 'tree'), meta.files, TREE_PLACEHOLDER, paths.tree);
    const scripts = readArtifactScripts(input.artifactsDir, meta);
    return await withExclusiveSwap(input.withLock, layout, `install ${paths.pkgName}`, (m) => logger.info(m), async (signal) => {
      const plan = decide();
      if (plan.action === 'skip') {
        logger.info(`nothing to do: ${plan.reason}`);
        return plan;
      }
      logger.info(`${plan.action}: ${plan.reason}`);
      await swapIn({ ...input, signal }, paths, staging, meta, scripts, fail);
      return plan;
    });
  } finally {
    removeStaging(staging);
  }
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

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
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
  mkdirSync(runDir, { recursive: true });
  const mode = helperMode(layout);
  const env = buildSpkgEnv({ layout, spkg, paths, baseEnv: input.baseEnv, pkgDir: runDir });
  const wrap = (name: string, file: string, installed: boolean) =>
    writeWrappedScript({
      file,
      body: scripts[name],
      env,
      mode,
      installed,
      dir: name.endsWith('rm') ? layout.sageRoot : installed && name === 'check' ? paths.buildDir : runDir,
      fallbackDir: name === 'check' ? spkg.dir : undefined,
    });
  const installedScripts = ['prerm', 'piprm', 'postrm', 'check'].filter((name) => scripts[name] !== undefined);

  await guardSwap(input.signal, async (signal) => {
    const runStep = async (name: 'preinst' | 'pipinst' | 'postinst') => {
      if (scripts[name] === undefined) return;
      const file = join(staging, 'scripts', `spkg-${name}`);
      wrap(name, file, true);
      logger.info(`running spkg-${name}`);
      swapStep(`script-${name}`);
      const code = await runScript({ script: file, cwd: runDir, env, logger, signal });
      if (code !== 0) throw fail(`spkg-${name}`, 'ESCRIPT', `spkg-${name} failed with exit code ${code}`, { hint: 'the previous installation was restored; read the log' });
    };

    await runStep('preinst');
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
      for (const rel of meta.files) swap.put(rel, join(staging, 'tree', rel));
      for (const name of installedScripts) wrap(name, join(paths.pkgScriptsDir, `spkg-${name}`), true);
      await runStep('pipinst');
      await runStep('postinst');
      if (signal.aborted) throw signal.reason;
      commitStamp(journal, makeStamp(layout, spkg, meta));
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

export function makeStamp(layout: SageLayout, spkg: Spkg, meta: ArtifactMeta): SageStamp {
  const versionFile = join(layout.sageRoot, 'VERSION.txt');
  return {
    package_name: spkg.name,
    package_version: spkg.versionWithPatchlevel,
    install_date: new Date().toString(),
    system_uname: [type(), hostname(), release(), osVersion(), machine()].join(' '),
    sage_version: existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : '',
    test_result: '',
    files: meta.files,
    nx_sage: { artifact_hash: meta.hash, source_hash: meta.sourceHash },
  };
}

export type { StampFile };
