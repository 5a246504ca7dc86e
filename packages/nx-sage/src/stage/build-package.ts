import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Spkg } from '../spkg';
import { readWheelInstallRule } from '../spkg/era';
import { run } from '../process/run';
import { extractArchive, UnsafeArchiveError } from './archive';
import { writeArtifact, type ArtifactMeta } from './artifact';
import { buildSpkgEnv } from './env';
import { BuildError, type BuildPhase } from '../tree/errors';
import type { PackageLogger } from '../tree/logger';
import { listTreeFiles } from '../swap/manifest';
import { spkgPaths, venvPython, type SageLayout, type SpkgPaths } from '../tree/paths';
import { helperMode, runScript, unconfiguredCheckoutProblem, writePlainLauncher, writeWrappedScript, type HelperMode } from './scripts';
import { extractScriptBody, hasShebang, WRAPPED_SCRIPTS } from './script-wrapper';
import { hashPackageSources } from './source-hash';
import { ensureUpstream, type UpstreamFile } from './upstream';
import { isRelocatable, rewriteTreePath, TREE_PLACEHOLDER } from './relocate';

export interface BuildInput {
  layout: SageLayout;
  spkg: Spkg;
  artifactsDir: string;
  logger: PackageLogger;
  signal?: AbortSignal;
  baseEnv: Record<string, string | undefined>;
}

/** Scripts whose bodies go into the artifact: install runs the first three, the rest get installed. */
const ARTIFACT_SCRIPTS = ['preinst', 'pipinst', 'postinst', 'prerm', 'piprm', 'postrm', 'check'] as const;

/**
 * sage-spkg's setup/extract/patch/build/install phases, staged into SAGE_DESTDIR and packed into
 * the artifact. Touches nothing in the install tree: the caller holds the tree lock SHARED so that
 * no install swaps files under the build, and the installed version stays as it is on failure.
 */
export async function buildPackage(input: BuildInput): Promise<ArtifactMeta> {
  const { layout, spkg, logger } = input;
  const paths = spkgPaths(layout, spkg);
  const fail = (phase: BuildPhase, code: BuildError['code'], problem: string, extra: { hint?: string; file?: string; cause?: unknown } = {}) =>
    new BuildError(problem, { code, pkg: spkg.name, phase, logFile: logger.logFile, ...extra });

  if (spkg.source === 'none') {
    throw fail('setup', 'ECONFIG', 'this is a dummy package (source none): Sage only uses it to name system packages', {
      hint: 'install the system package instead, or mark it as provided by the system (nx.json: system)',
    });
  }
  const unconfigured = unconfiguredCheckoutProblem(layout, helperMode(layout));
  if (unconfigured) {
    throw fail('setup', 'ECONFIG', unconfigured, { hint: `run ./configure in ${layout.sageRoot} first (see its README), then build again` });
  }
  const upstream = await checkUpstream(input);
  if (spkg.trees === 'SAGE_VENV' && !existsSync(venvPython(layout))) {
    throw fail('setup', 'ENOVENV', `the venv ${layout.sageVenv} does not exist`, {
      hint: "the build of a Python package creates the venv first; check the 'python' option (it must have the venv module)",
    });
  }

  logger.info(`building ${paths.pkgName} (${spkg.source}) in ${paths.buildDir}`);
  rmSync(paths.buildDir, { recursive: true, force: true });
  mkdirSync(paths.buildDir, { recursive: true });
  const mode = helperMode(layout);
  const env = buildSpkgEnv({ layout, spkg, paths, baseEnv: input.baseEnv, pkgDir: paths.buildDir });

  await setUpBuildDir(input, paths, upstream, fail);
  if (spkg.source === 'pip') await stagePipRequirements(input, paths, env, fail);

  prepareScripts(spkg, paths, env, mode, fail);
  // Sage issue 26996: writes into lib64/ must end up in lib/.
  mkdirSync(join(paths.destdirLocal, 'lib'), { recursive: true });
  symlinkSync('lib', join(paths.destdirLocal, 'lib64'));

  const has = (name: string) => existsSync(join(paths.buildDir, `spkg-${name}`));
  // spkg-preinst ran before this build, under the exclusive lock (stage/preinst.ts), as sage-spkg runs it.
  for (const phase of ['build', 'install'] as const) {
    if (!has(phase)) continue;
    logger.info(`running spkg-${phase}`);
    let script = join(paths.buildDir, `spkg-${phase}`);
    if (mode.checkout && !existsSync(`${script}.in`)) {
      // A plain executable script: sage-spkg runs it as it is, in the environment it sourced.
      script = join(paths.buildDir, `.nx-run-spkg-${phase}`);
      writePlainLauncher(script, join(paths.buildDir, `spkg-${phase}`), mode);
    }
    const code = await runScript({ script, cwd: paths.buildDir, env, logger, signal: input.signal });
    if (code !== 0) {
      throw fail(`spkg-${phase}`, 'ESCRIPT', `spkg-${phase} failed with exit code ${code}`, {
        hint: `read the log; the build directory ${paths.buildDir} is kept for inspection. The installed version (if any) is untouched.`,
      });
    }
  }

  const meta = await collectArtifact(input, paths, upstream?.sha256);
  logger.info(`artifact ${meta.hash.slice(0, 12)}: ${meta.files.length} files${meta.distributions.length ? `, wheels: ${meta.distributions.map((d) => `${d.name}-${d.version}`).join(' ')}` : ''}`);
  if (!keepBuildDir(input.baseEnv)) rmSync(paths.buildDir, { recursive: true, force: true });
  return meta;
}

type Fail = (phase: BuildPhase, code: BuildError['code'], problem: string, extra?: { hint?: string; file?: string; cause?: unknown }) => BuildError;

/** The verified upstream file of normal/wheel packages (sage-spkg's ensure_pkg_src). */
async function checkUpstream(input: BuildInput): Promise<UpstreamFile | undefined> {
  const { spkg, layout } = input;
  if (spkg.source !== 'normal' && spkg.source !== 'wheel') return undefined;
  return ensureUpstream(layout, spkg, input.logger, input.baseEnv);
}

/** sage-spkg's extract_the_package: scripts, wheel into dist/, or the archive into src/ + patches. */
async function setUpBuildDir(input: BuildInput, paths: SpkgPaths, upstream: UpstreamFile | undefined, fail: Fail): Promise<void> {
  const upstreamFile = upstream?.file;
  const { spkg, logger, layout } = input;
  if (spkg.source === 'script' || spkg.source === 'pip') {
    const src = join(spkg.dir, 'src');
    if (existsSync(src)) symlinkSync(realpathSync(src), join(paths.buildDir, 'src'));
    for (const name of WRAPPED_SCRIPTS) {
      for (const file of [`spkg-${name}.in`, `spkg-${name}`]) {
        if (spkg.files.includes(file)) {
          copyFileSync(join(spkg.dir, file), join(paths.buildDir, file));
          break;
        }
      }
    }
    return;
  }
  // normal/wheel: the whole package directory, symlinks resolved (cp -RLp).
  cpSync(spkg.dir, paths.buildDir, { recursive: true, dereference: true, preserveTimestamps: true });
  if (spkg.source === 'wheel') {
    mkdirSync(join(paths.buildDir, 'dist'), { recursive: true });
    copyFileSync(upstreamFile!, join(paths.buildDir, 'dist', upstream!.filename));
    // Older sage-spkg replaced the package's own spkg-install.in too; the tree's sage-spkg says which.
    if (readWheelInstallRule(layout.sageRoot) === 'always' || !existsSync(join(paths.buildDir, 'spkg-install.in'))) {
      writeFileSync(join(paths.buildDir, 'spkg-install.in'), 'sdh_store_and_pip_install_wheel .\n');
    }
    return;
  }
  logger.info(`extracting ${upstream!.filename}`);
  const src = join(paths.buildDir, 'src');
  rmSync(src, { recursive: true, force: true });
  try {
    await extractArchive({ file: upstreamFile!, dest: src, workDir: join(paths.buildDir, '.nx-extract'), python: layout.python, signal: input.signal });
  } catch (error) {
    if (error instanceof UnsafeArchiveError) {
      throw fail('extract', 'EUNSAFEARCHIVE', error.message, { file: upstreamFile, hint: 'the upstream file is broken or hostile: nothing was extracted; replace it with a clean archive', cause: error });
    }
    throw fail('extract', 'EEXTRACT', `cannot extract: ${(error as Error).message}`, { file: upstreamFile, cause: error });
  } finally {
    rmSync(join(paths.buildDir, '.nx-extract'), { recursive: true, force: true });
  }
  for (const patch of spkg.patches) {
    const patchFile = join(paths.buildDir, 'patches', patch);
    logger.info(`applying patches/${patch}`);
    const result = await run('patch', ['-p1', '--batch', '--forward', '-i', patchFile], { cwd: src, onLine: logger.line, reject: false, signal: input.signal });
    if (result.exitCode !== 0) {
      throw fail('patch', 'EPATCH', `patches/${patch} does not apply (patch -p1 exit code ${result.exitCode})`, {
        file: join(spkg.dir, 'patches', patch),
        hint: 'rebase the patch on the upstream version in package-version.txt; the installed version is untouched',
      });
    }
  }
}

/**
 * pip-type packages (requirements.txt): Sage runs `pip install -r` from PyPI at install time. Here
 * the build resolves the requirements into wheels from the configured pipIndex (never PyPI), stored
 * in the staged tree under var/lib/sage/pip/<pkg>; install then runs pip offline from them.
 */
async function stagePipRequirements(input: BuildInput, paths: SpkgPaths, env: Record<string, string>, fail: Fail): Promise<void> {
  const { spkg, layout, logger } = input;
  const index = input.baseEnv.NX_SAGE_PIP_INDEX || layout.pipIndex;
  if (!index) {
    throw fail('pip-wheel', 'ECONFIG', 'pip-type package but no pipIndex is configured (nx-sage never uses PyPI implicitly)', {
      hint: 'set the executor option pipIndex (a directory of wheels or an index URL) or NX_SAGE_PIP_INDEX',
    });
  }
  const store = join(paths.destdirLocal, 'var', 'lib', 'sage', 'pip', spkg.name);
  mkdirSync(store, { recursive: true });
  copyFileSync(join(spkg.dir, 'requirements.txt'), join(store, 'requirements.txt'));
  const source = /^[a-z]+:\/\//i.test(index) ? ['--index-url', index] : ['--no-index', `--find-links=${index}`];
  logger.info(`resolving requirements.txt from ${index}`);
  // With dependencies: install must work offline from exactly these wheels.
  const result = await run(
    venvPython(layout),
    ['-m', 'pip', 'wheel', '--disable-pip-version-check', '--isolated', '--no-cache-dir', '--no-build-isolation', ...source, `--wheel-dir=${store}`, '-r', join(store, 'requirements.txt')],
    { cwd: paths.buildDir, env, onLine: logger.line, reject: false, signal: input.signal },
  );
  if (result.exitCode !== 0) {
    throw fail('pip-wheel', 'ESCRIPT', `pip wheel -r requirements.txt failed with exit code ${result.exitCode}`, { file: join(spkg.dir, 'requirements.txt') });
  }
  const rel = `$SAGE_INST_LOCAL/var/lib/sage/pip/${spkg.name}`;
  writeFileSync(join(paths.buildDir, 'spkg-pipinst.in'), `python3 -m pip --disable-pip-version-check --isolated install --no-index --find-links="${rel}" --no-build-isolation --no-cache-dir -r "${rel}/requirements.txt" || sdh_die "Error installing the requirements of $PKG_BASE"\n`);
  writeFileSync(join(paths.buildDir, 'spkg-piprm.in'), `sdh_pip_uninstall -r "${rel}/requirements.txt"\n`);
}

/** sage-spkg's prepare_for_installation: empty pipinst/piprm, then a wrapper for every script. */
function prepareScripts(spkg: Spkg, paths: SpkgPaths, env: Record<string, string>, mode: HelperMode, fail: Fail): void {
  for (const name of ['piprm', 'pipinst']) {
    const file = join(paths.buildDir, `spkg-${name}.in`);
    if (!existsSync(file)) writeFileSync(file, '');
  }
  for (const name of WRAPPED_SCRIPTS) {
    const inFile = join(paths.buildDir, `spkg-${name}.in`);
    if (!existsSync(inFile)) continue;
    const body = readFileSync(inFile, 'utf8');
    if (hasShebang(body)) {
      throw fail('setup', 'ECONFIG', `spkg-${name}.in must not start with a shebang line; it is prepended automatically`, {
        file: join(spkg.dir, `spkg-${name}.in`),
      });
    }
    writeWrappedScript({
      file: join(paths.buildDir, `spkg-${name}`),
      body,
      env,
      mode,
      dir: name.endsWith('rm') ? env.SAGE_ROOT : paths.buildDir,
      fallbackDir: name === 'check' ? spkg.dir : undefined,
    });
  }
}

/** sage-spkg's unload_destdir + install_scripts, into the artifact instead of the tree. */
async function collectArtifact(input: BuildInput, paths: SpkgPaths, upstreamSha256?: string): Promise<ArtifactMeta> {
  const { spkg, layout } = input;
  const root = paths.destdirLocal;
  rmSync(join(root, 'lib64'), { force: true });
  const libDir = join(root, 'lib');
  if (existsSync(libDir)) {
    for (const name of readdirSync(libDir)) if (name.endsWith('.la') && lstatSync(join(libDir, name)).isFile()) unlinkSync(join(libDir, name));
  }
  const files = existsSync(root) ? listTreeFiles(root) : [];
  const staged = (f: string) => files.includes(f);
  // As sage-spkg: without a staged spkg-requirements.txt there is nothing for pip to (un)install.
  const pipManaged = spkg.source === 'pip' || staged(`var/lib/sage/scripts/${spkg.name}/spkg-requirements.txt`);
  const bodies: Record<string, string> = {};
  for (const name of ARTIFACT_SCRIPTS) {
    if ((name === 'pipinst' || name === 'piprm') && !pipManaged) continue;
    const wrapped = join(paths.buildDir, `spkg-${name}`);
    if (!existsSync(wrapped)) continue;
    const body = extractScriptBody(readFileSync(wrapped, 'utf8'));
    if (body.trim() !== '' || name === 'check') bodies[name] = body;
  }
  const relocatable = isRelocatable(files);
  if (relocatable) rewriteTreePath(root, files, paths.tree, TREE_PLACEHOLDER);
  return writeArtifact(input.artifactsDir, {
    relocatable,
    package: spkg.name,
    version: spkg.versionWithPatchlevel,
    source: spkg.source,
    trees: spkg.trees,
    prefix: relative(layout.workspaceRoot, paths.tree) || '.',
    prefixHash: hashPrefix(paths.tree),
    sourceHash: hashPackageSources(spkg.dir, upstreamSha256),
    files,
    stagedRoot: root,
    scriptBodies: bodies,
    runDir: { dir: paths.buildDir, files: runDirFiles(paths.buildDir) },
  });
}

/** Identifies the absolute install prefix without storing the machine path in the artifact. */
export function hashPrefix(tree: string): string {
  return createHash('sha256').update(tree).digest('hex').slice(0, 16);
}

/** Top-level files of the build directory (not the scripts): what post-install scripts may read from their cwd. */
function runDirFiles(buildDir: string): string[] {
  return readdirSync(buildDir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('spkg-') && !e.name.startsWith('.'))
    .map((e) => e.name);
}

function keepBuildDir(env: Record<string, string | undefined>): boolean {
  // spkg-check scripts often need the build tree (cd src && make check): keep it when checks run.
  return env.SAGE_KEEP_BUILT_SPKGS === 'yes' || env.SAGE_CHECK === 'yes' || env.SAGE_CHECK === 'warn';
}
