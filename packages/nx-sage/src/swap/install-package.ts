import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, machine, release, type, version as osVersion } from 'node:os';
import { join } from 'node:path';
import type { Spkg } from '../spkg';
import { chooseInstallMode, countPresentDistributions, countPresentFiles, installOrder, type InstallLockMode, type PackageLockMode } from '../lock';
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
import { formatStamp, readStamps, type SageStamp, type StampFile } from './stamp';
import { distributionsPresent } from './venv-state';

/**
 * Runs `fn` under the tree lock in `mode` (injected so the engine is testable without real locks):
 * `shared` for reading the tree; an install `additive` or `exclusive` (lock/install-lock.ts).
 */
export type WithLock = <T>(mode: PackageLockMode, description: string, fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Sage keeps these installed while they are rebuilt (sage-spkg --keep-existing, uninstall --keep-files). */
export const KEEP_EXISTING_PACKAGES: ReadonlySet<string> = new Set(['gmp', 'mpfr', 'mpc']);

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
  const scripts = readArtifactScripts(input.artifactsDir, meta);
  // A first install that only adds files runs beside builds (lock/install-lock.ts). Plan and mode are
  // read in one shared section (one snapshot: a stamp written just after the plan must not turn a
  // first install into an exclusive one), read again inside the install's locks, and if they changed
  // meanwhile the install goes exclusive.
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

  const staging = paths.installStaging;
  rmSync(staging, { recursive: true, force: true });
  await unpackArtifactTree(input.artifactsDir, meta, join(staging, 'tree'));
  if (meta.relocatable) rewriteTreePath(join(staging, 'tree'), meta.files, TREE_PLACEHOLDER, paths.tree);
  let mode = quickMode;
  try {
    for (;;) {
      const lockMode = mode;
      const outcome = await input.withLock(lockMode, `install ${paths.pkgName}`, async (signal) => {
        const plan = decide();
        if (plan.action === 'skip') {
          logger.info(`nothing to do: ${plan.reason}`);
          return plan;
        }
        if (lockMode === 'additive' && modeOf(plan) !== 'additive') return 'retry-exclusive' as const;
        logger.info(`${plan.action}: ${plan.reason}${lockMode === 'additive' ? ' (additive: builds keep running)' : ''}`);
        await swapIn({ ...input, signal }, paths, meta, scripts, fail);
        return plan;
      });
      if (outcome !== 'retry-exclusive') return outcome;
      mode = 'exclusive';
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
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

/** The exclusive section: old version out, new files in, scripts, deferred pip install, stamp. Undone on failure. */
async function swapIn(input: InstallInput, paths: SpkgPaths, meta: ArtifactMeta, scripts: Record<string, string>, fail: Fail): Promise<void> {
  const { layout, spkg, logger, signal } = input;
  const staging = paths.installStaging;
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
  const runStep = async (name: 'preinst' | 'pipinst' | 'postinst') => {
    if (scripts[name] === undefined) return;
    const file = join(staging, 'scripts', `spkg-${name}`);
    wrap(name, file, true);
    logger.info(`running spkg-${name}`);
    const code = await runScript({ script: file, cwd: runDir, env, logger, signal });
    if (code !== 0) throw fail(`spkg-${name}`, 'ESCRIPT', `spkg-${name} failed with exit code ${code}`, { hint: 'the previous installation was restored; read the log' });
  };

  await runStep('preinst');
  const oldStamps = readStamps(paths.stampDir, spkg.name).map((s) => ({ file: s.file, text: readFileSync(s.file, 'utf8'), stamp: s.stamp }));
  const swap = new FileSwap(paths.tree, join(staging, 'backup'));
  const oldScripts = moveAside(paths.pkgScriptsDir, join(staging, 'old-scripts'), new Set(meta.files));
  let pipRemoved = false;
  try {
    const removal = await removeInstalled({
      pkg: spkg.name,
      tree: paths.tree,
      stampDir: paths.stampDir,
      pkgScriptsDir: oldScripts ?? join(staging, 'no-old-scripts'),
      logger,
      signal,
      keepFiles: KEEP_EXISTING_PACKAGES.has(spkg.name),
      keep: new Set(meta.files),
      swap,
    });
    pipRemoved = removal.removedVersion !== undefined && !KEEP_EXISTING_PACKAGES.has(spkg.name);
    // Metadata last: a build running beside an additive install finds the package whole or not at all.
    for (const rel of installOrder(meta.files)) swap.put(rel, join(staging, 'tree', rel));
    for (const name of ['prerm', 'piprm', 'postrm', 'check']) {
      if (scripts[name] !== undefined) wrap(name, join(paths.pkgScriptsDir, `spkg-${name}`), true);
    }
    await runStep('pipinst');
    await runStep('postinst');
    mkdirSync(paths.stampDir, { recursive: true });
    writeFileSync(join(paths.stampDir, paths.pkgName), formatStamp(makeStamp(layout, spkg, meta)));
  } catch (error) {
    logger.info(`install of ${paths.pkgName} failed; restoring the previous state of ${paths.tree}`);
    rmSync(join(paths.stampDir, paths.pkgName), { force: true });
    swap.rollback();
    restoreAside(paths.pkgScriptsDir, oldScripts, new Set(meta.files));
    for (const old of oldStamps) writeFileSync(old.file, old.text);
    if (pipRemoved) await reinstallOldWheels(input, paths, oldStamps, env, runDir);
    throw error instanceof BuildError ? error : fail('install', 'EINSTALL', (error as Error).message, { cause: error });
  }
  swap.commit();
  if (oldScripts) rmSync(oldScripts, { recursive: true, force: true });
  logger.info(`installed ${paths.pkgName} into ${paths.tree} (${meta.files.length} files)`);
}

/** Moves the installed scripts (not manifest files) of the old version aside; returns where. */
export function moveAside(dir: string, aside: string, manifest: ReadonlySet<string>): string | undefined {
  if (!existsSync(dir)) return undefined;
  rmSync(aside, { recursive: true, force: true });
  mkdirSync(aside, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name === 'spkg-requirements.txt' || manifest.has(name)) continue;
    renameSync(join(dir, name), join(aside, name));
  }
  return aside;
}

export function restoreAside(dir: string, aside: string | undefined, _manifest: ReadonlySet<string>): void {
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) if (name.startsWith('spkg-') && name !== 'spkg-requirements.txt') rmSync(join(dir, name), { force: true });
  }
  if (!aside || !existsSync(aside)) return;
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(aside)) renameSync(join(aside, name), join(dir, name));
}

/** After a failed swap whose old version's piprm already ran: put the old wheels back into the venv. */
async function reinstallOldWheels(
  input: InstallInput,
  paths: SpkgPaths,
  oldStamps: { stamp?: SageStamp }[],
  env: Record<string, string>,
  runDir: string,
): Promise<void> {
  const files = oldStamps[oldStamps.length - 1]?.stamp?.files ?? [];
  const requirements = `var/lib/sage/scripts/${input.spkg.name}/spkg-requirements.txt`;
  if (!files.map(stripLeadingSlash).includes(requirements)) return;
  const file = join(paths.installStaging, 'scripts', 'spkg-restore');
  writeWrappedScript({
    file,
    body: `sdh_actually_pip_install_wheel ${input.spkg.name} -r "$SAGE_SPKG_SCRIPTS/$PKG_BASE/spkg-requirements.txt"\n`,
    env,
    mode: helperMode(input.layout),
    installed: true,
    dir: runDir,
  });
  const code = await runScript({ script: file, cwd: runDir, env, logger: input.logger, signal: input.signal });
  input.logger.info(code === 0 ? 'reinstalled the previous wheel(s)' : `warning: could not reinstall the previous wheel(s) (exit code ${code})`);
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
