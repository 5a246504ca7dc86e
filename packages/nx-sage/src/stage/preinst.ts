import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spkg } from '../spkg';
import { BuildError } from '../tree/errors';
import type { PackageLogger } from '../tree/logger';
import { spkgPaths, type SageLayout, type SpkgPaths } from '../tree/paths';
import { buildSpkgEnv } from './env';
import { helperMode, runScript, writePlainLauncher, writeWrappedScript } from './scripts';

/** Where a build records that it ran the package's spkg-preinst in this tree (outside the artifact). */
export function preinstMarker(paths: SpkgPaths): string {
  return join(paths.buildRoot, '..', 'nx-preinst', paths.pkgName);
}

/** The package's preinst script file name in build/pkgs/<pkg>, if it has one. */
export function preinstFile(spkg: Spkg): string | undefined {
  return ['spkg-preinst.in', 'spkg-preinst'].find((f) => spkg.files.includes(f));
}

/**
 * sage-spkg runs spkg-preinst BEFORE spkg-build/spkg-install (after uninstalling the old version),
 * and the preinst scripts of Sage write into the live tree (openblas removes stale blas .pc files so
 * that its build does not see them; gcc uninstalls gfortran). So it runs here, before the build, under
 * the EXCLUSIVE lock the caller holds, in a fresh build directory. A marker tells install that it ran;
 * install runs it itself only when the build did not run here (an Nx cache hit).
 */
export async function runPreinstBeforeBuild(input: { layout: SageLayout; spkg: Spkg; logger: PackageLogger; baseEnv: Record<string, string | undefined>; signal?: AbortSignal }): Promise<void> {
  const { layout, spkg, logger } = input;
  const file = preinstFile(spkg);
  if (!file) return;
  const paths = spkgPaths(layout, spkg);
  const dir = paths.buildDir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const mode = helperMode(layout);
  const env = buildSpkgEnv({ layout, spkg, paths, baseEnv: input.baseEnv, pkgDir: dir });
  let script = join(dir, 'spkg-preinst');
  if (file.endsWith('.in')) {
    writeWrappedScript({ file: script, body: readFileSync(join(spkg.dir, file), 'utf8'), env, mode, dir });
  } else {
    copyFileSync(join(spkg.dir, file), script);
    script = join(dir, '.nx-run-spkg-preinst');
    writePlainLauncher(script, join(dir, 'spkg-preinst'), mode);
  }
  logger.info('running spkg-preinst (before the build, as sage-spkg)');
  const code = await runScript({ script, cwd: dir, env, logger, signal: input.signal });
  if (code !== 0) {
    throw new BuildError(`spkg-preinst failed with exit code ${code}`, { code: 'ESCRIPT', pkg: spkg.name, phase: 'spkg-preinst', logFile: logger.logFile, hint: 'read the log; nothing was built' });
  }
  mkdirSync(join(preinstMarker(paths), '..'), { recursive: true });
  writeFileSync(preinstMarker(paths), `${new Date().toISOString()}\n`);
}

/** install: true when this tree's build already ran preinst for this version (consumes the marker). */
export function takePreinstMarker(paths: SpkgPaths): boolean {
  const marker = preinstMarker(paths);
  if (!existsSync(marker)) return false;
  rmSync(marker, { force: true });
  return true;
}
