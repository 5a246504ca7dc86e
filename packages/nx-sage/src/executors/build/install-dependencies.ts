import { installFacts, installPackage } from '../../swap/install-package';
import { readArtifact } from '../../stage/artifact';
import { openPackageLogger, type PackageLogger } from '../../tree/logger';
import { spkgPaths } from '../../tree/paths';
import { planInstall } from '../../swap/plan-install';
import { prepareVenv } from '../../stage/venv';
import type { SageLayout } from '../../tree/paths';
import { readSpkg } from '../../spkg';
import { pythonMinorVersion, resolveOptions } from '../common/options';
import { packageTreeLock, type WaitingTask } from '../common/package-lock';
import type { DependencyInstall } from './dependency-installs';

export interface InstallDependenciesInput {
  /** The package being built, its tree, and whether it goes into the venv. */
  pkg: string;
  layout: SageLayout;
  inVenv: boolean;
  steps: DependencyInstall[];
  workspaceRoot: string;
  /** The building package's log. */
  logger: PackageLogger;
  baseEnv: Record<string, string | undefined>;
  /** The build task, charged with the waits of these installs in the run report. */
  task?: WaitingTask;
}

/**
 * Makes the tree hold the prerequisites of a build that really runs (a cached build needs none of
 * them, which is why `build` depends on `^build`, not `^install`: a no-op run looks up every build at
 * once instead of waiting level by level for installs). Up-to-date packages are recognised in one
 * shared-lock section; the others are installed as their own `install` target would, each in its own
 * exclusive section, prerequisites first. SAGE_VENV is created first when anything goes into it.
 */
export async function installDependencies(input: InstallDependenciesInput): Promise<void> {
  const { pkg, steps, workspaceRoot, logger, baseEnv } = input;
  const packages = await Promise.all(
    steps
      .filter((s) => s.kind === 'package')
      .map(async (step) => {
        const { layout, artifactsDir } = await resolveOptions(step.options, workspaceRoot, baseEnv);
        const spkg = readSpkg(layout.pkgsDir, step.options.package);
        return { step, layout, artifactsDir, spkg, paths: spkgPaths(layout, spkg) };
      }),
  );
  // The venv node is nx:noop: SAGE_VENV is made here, by the first build that needs it.
  if (input.inVenv || packages.some((p) => p.spkg.trees === 'SAGE_VENV')) {
    await prepareVenv(input.layout, await pythonMinorVersion(input.layout.python), (m) => logger.info(m));
  }
  if (packages.length === 0) return;

  const upToDate = new Set<string>();
  await packageTreeLock(packages[0].layout.sageLocal, pkg, logger, input.task)('shared', `check the prerequisites of ${pkg}`, async () => {
    for (const p of packages) {
      const meta = readArtifact(p.artifactsDir);
      if (meta && planInstall(installFacts(p.layout, p.paths, p.spkg.name, meta)).action === 'skip') upToDate.add(p.step.project);
    }
  });
  const missing = packages.filter((p) => !upToDate.has(p.step.project));
  logger.info(
    `prerequisites: ${upToDate.size} installed and up to date` + (missing.length ? `; installing ${missing.map((p) => p.paths.pkgName).join(' ')}` : ''),
  );

  for (const p of missing) {
    const depLogger = openPackageLogger({ logFile: p.paths.logFile, label: p.paths.pkgName, quiet: baseEnv.NX_SAGE_QUIET === '1' });
    const withLock = packageTreeLock(p.layout.sageLocal, p.spkg.name, depLogger, input.task, ` (prerequisite of ${pkg})`);
    try {
      depLogger.info(`install ${p.paths.pkgName} (prerequisite of ${pkg}, ${new Date().toISOString()})`);
      await installPackage({ layout: p.layout, spkg: p.spkg, artifactsDir: p.artifactsDir, logger: depLogger, withLock, baseEnv });
    } finally {
      depLogger.close();
    }
  }
}
