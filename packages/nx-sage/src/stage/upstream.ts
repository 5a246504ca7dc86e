import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Spkg } from '../spkg';
import { hashFile, verifyChecksum } from './checksum';
import { downloadLimits, downloadVerified, DownloadError } from './download';
import { BuildError, type BuildErrorCode } from '../tree/errors';
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
 * Whether `pkg` may use an upstream file that checksums.ini gives no sha256/sha1 for: only when the
 * user names it, in the plugin option `allowUnchecksummed` (reaching here as layout.allowUnchecksummed)
 * or in NX_SAGE_ALLOW_UNCHECKSUMMED (comma- or space-separated names). Without a checksum, the build
 * hash does not identify the upstream file, so a cache may serve an artifact of another file.
 */
export function mayUseUnchecksummed(pkg: string, layout: Pick<SageLayout, 'allowUnchecksummed'>, env: Record<string, string | undefined>): boolean {
  const fromEnv = (env.NX_SAGE_ALLOW_UNCHECKSUMMED ?? '').split(/[\s,]+/).filter(Boolean);
  return [...(layout.allowUnchecksummed ?? []), ...fromEnv].includes(pkg);
}

/**
 * sage-spkg's ensure_pkg_src: the package's upstream file present in SAGE_DISTFILES and verified.
 * A file without a checksum in checksums.ini is refused (downloaded or found) unless the user allowed
 * it for this package by name. A missing file is fetched from upstream_url only when
 * NX_SAGE_ALLOW_DOWNLOAD=1 (nx-sage never touches the network unasked): streamed to a temporary file
 * under a timeout and a size cap, verified, then renamed into place (download.ts); a corrupt one is
 * an error naming both checksums. Used by the `download` target and by `build` (which does not wait
 * on a download task: a cached build needs no upstream file at all, so a remote-cache hit never
 * transfers one).
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
  const fail = (problem: string, hint: string, code?: BuildErrorCode) =>
    new BuildError(problem, { code: code ?? (existsSync(file) ? 'ECHECKSUM' : 'ENOTARBALL'), pkg: spkg.name, phase: 'download', file, logFile: logger.logFile, hint });

  const checksummed = Boolean(tarball.sha256 || tarball.sha1);
  if (!checksummed && !mayUseUnchecksummed(spkg.name, layout, env)) {
    throw fail(
      `build/pkgs/${spkg.name}/checksums.ini has no sha256 (or sha1) for ${tarball.filename}: refusing to use an upstream file nothing identifies`,
      `add its checksum (sage --package fix-checksum ${spkg.name}, or sha256=$(sha256sum <file>)), or accept it knowingly: nx.json plugin option "allowUnchecksummed": ["${spkg.name}"] or NX_SAGE_ALLOW_UNCHECKSUMMED=${spkg.name}`,
      'ENOCHECKSUM',
    );
  }
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
    if (!checksummed) {
      throw fail(`will not download ${tarball.upstreamUrl} without a checksum to verify it against`, `add the file's sha256 to build/pkgs/${spkg.name}/checksums.ini, or copy the file to ${layout.distfiles} by hand`, 'ENOCHECKSUM');
    }
    logger.info(`downloading ${tarball.upstreamUrl}`);
    mkdirSync(layout.distfiles, { recursive: true });
    try {
      const got = await downloadVerified({ url: tarball.upstreamUrl, dest: file, sums: tarball, limits: downloadLimits(env) });
      logger.info(`downloaded ${got.bytes} bytes, ${got.algorithm} ok`);
    } catch (error) {
      if (!(error instanceof DownloadError)) throw error;
      throw fail(
        error.message,
        error.reason === 'checksum' ? 'the upstream file changed; fix checksums.ini' : 'retry later, raise the limits (NX_SAGE_DOWNLOAD_TIMEOUT, NX_SAGE_DOWNLOAD_MAX_BYTES) or fetch the file by hand',
        error.reason === 'checksum' ? 'ECHECKSUM' : 'EDOWNLOAD',
      );
    }
  }
  const check = await verifyChecksum(file, tarball);
  if (check && !check.ok) {
    throw fail(
      `checksum mismatch: ${check.algorithm} expected ${check.expected}, got ${check.actual}`,
      `delete ${file} and download again; if the file is right, fix build/pkgs/${spkg.name}/checksums.ini (sage --package fix-checksum)`,
    );
  }
  if (check) {
    logger.info(`${tarball.filename}: ${check.algorithm} ok`);
    return { file, filename: tarball.filename, sha256: tarball.sha256 ?? check.actual };
  }
  // Allowed by name: identify the file by its content in the artifact's source hash at least.
  const sha256 = await hashFile(file, 'sha256');
  logger.info(`${tarball.filename}: no checksum in checksums.ini, used as allowed (allowUnchecksummed); sha256 ${sha256}`);
  return { file, filename: tarball.filename, sha256 };
}
