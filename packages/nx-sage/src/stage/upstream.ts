import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spkg } from '../spkg';
import { verifyChecksum } from './checksum';
import { BuildError } from '../tree/errors';
import type { PackageLogger } from '../tree/logger';
import type { SageLayout } from '../tree/paths';
import { selectTarball } from './platform-tarball';
import { hasSagePackageTool, sagePackageDownload } from './sage-download';

export interface UpstreamFile {
  file: string;
  /** The tarball block's file name (for platform wheels: the one chosen for this machine). */
  filename: string;
  sha256?: string;
}

/**
 * sage-spkg's ensure_pkg_src: the package's upstream file present in SAGE_DISTFILES and verified.
 * A missing file is fetched from upstream_url only when NX_SAGE_ALLOW_DOWNLOAD=1 (nx-sage never
 * touches the network unasked); a corrupt one is an error naming both checksums. Used by the
 * `download` target and by `build` (which no longer waits on a download task: a cached build needs
 * no upstream file at all, so a remote-cache hit never transfers one).
 */
export async function ensureUpstream(
  layout: SageLayout,
  spkg: Spkg,
  logger: PackageLogger,
  env: Record<string, string | undefined> = process.env,
): Promise<UpstreamFile | undefined> {
  // Platform wheels: the block for this machine (sage_bootstrap's find_tarball_for_platform).
  const tarball = await selectTarball(layout, spkg);
  if (!tarball) return undefined;
  const file = join(layout.distfiles, tarball.filename);
  const fail = (problem: string, hint: string) =>
    new BuildError(problem, { code: existsSync(file) ? 'ECHECKSUM' : 'ENOTARBALL', pkg: spkg.name, phase: 'download', file, logFile: logger.logFile, hint });

  if (!existsSync(file) && hasSagePackageTool(layout.sageRoot)) {
    // A Sage checkout downloads as make does, by default (stage/sage-download.ts).
    await sagePackageDownload({ layout, pkg: spkg.name, tarball, logger, env });
  }
  if (!existsSync(file)) {
    if (env.NX_SAGE_ALLOW_DOWNLOAD !== '1' || !tarball.upstreamUrl) {
      throw fail(
        `upstream file ${tarball.filename} is not in ${layout.distfiles}`,
        tarball.upstreamUrl
          ? `copy it there, or allow downloading with NX_SAGE_ALLOW_DOWNLOAD=1 (from ${tarball.upstreamUrl})`
          : 'copy it there (checksums.ini has no upstream_url)',
      );
    }
    logger.info(`downloading ${tarball.upstreamUrl}`);
    const response = await fetch(tarball.upstreamUrl);
    if (!response.ok) throw fail(`download failed: HTTP ${response.status} from ${tarball.upstreamUrl}`, 'retry later or fetch the file by hand');
    mkdirSync(layout.distfiles, { recursive: true });
    // Unique per writer: two packages may share one upstream file (gfortran and gcc).
    const part = `${file}.part-${process.pid}-${Math.random().toString(36).slice(2)}`;
    writeFileSync(part, Buffer.from(await response.arrayBuffer()));
    const fetched = await verifyChecksum(part, tarball);
    if (fetched && !fetched.ok) {
      rmSync(part, { force: true });
      throw fail(`downloaded file has ${fetched.algorithm} ${fetched.actual}, expected ${fetched.expected}`, 'the upstream file changed; fix checksums.ini');
    }
    renameSync(part, file);
  }
  const check = await verifyChecksum(file, tarball);
  if (check && !check.ok) {
    throw fail(
      `checksum mismatch: ${check.algorithm} expected ${check.expected}, got ${check.actual}`,
      `delete ${file} and download again; if the file is right, fix build/pkgs/${spkg.name}/checksums.ini (sage --package fix-checksum)`,
    );
  }
  logger.info(check ? `${tarball.filename}: ${check.algorithm} ok` : `${tarball.filename}: present (no checksum in checksums.ini)`);
  return { file, filename: tarball.filename, sha256: tarball.sha256 ?? check?.actual };
}
