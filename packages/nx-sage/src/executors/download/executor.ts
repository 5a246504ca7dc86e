import type { ExecutorContext } from '@nx/devkit';
import { runStub, stubMode } from '../common/stub';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyChecksum } from '../../build/checksum';
import { BuildError } from '../../build/errors';
import type { SpkgExecutorOptions } from '../common/options';
import { runPackageExecutor } from '../common/run-executor';

/**
 * Makes SAGE_DISTFILES/<tarball> present and verified (sage-package download). A verified file is
 * reused; a missing one is fetched from upstream_url only when NX_SAGE_ALLOW_DOWNLOAD=1 (nx-sage
 * never touches the network unasked); a corrupt one is an error naming both checksums.
 */
export default async function downloadExecutor(options: SpkgExecutorOptions, context: ExecutorContext) {
  if (stubMode()) return runStub('download', options, context.root);
  return runPackageExecutor('download', options, context, async ({ layout, spkg, logger }) => {
    const tarball = spkg.tarballs[0];
    if (!tarball) {
      logger.info(`${spkg.name} has no upstream file (source ${spkg.source}): nothing to download`);
      return;
    }
    const file = join(layout.distfiles, tarball.filename);
    const fail = (problem: string, hint: string) =>
      new BuildError(problem, { code: existsSync(file) ? 'ECHECKSUM' : 'ENOTARBALL', pkg: spkg.name, phase: 'download', file, logFile: logger.logFile, hint });
    if (!existsSync(file)) {
      if (process.env.NX_SAGE_ALLOW_DOWNLOAD !== '1' || !tarball.upstreamUrl) {
        throw fail(`${tarball.filename} is not in ${layout.distfiles}`, tarball.upstreamUrl
          ? `copy it there, or allow downloading with NX_SAGE_ALLOW_DOWNLOAD=1 (from ${tarball.upstreamUrl})`
          : 'copy it there (checksums.ini has no upstream_url)');
      }
      logger.info(`downloading ${tarball.upstreamUrl}`);
      const response = await fetch(tarball.upstreamUrl);
      if (!response.ok) throw fail(`download failed: HTTP ${response.status} from ${tarball.upstreamUrl}`, 'retry later or fetch the file by hand');
      mkdirSync(layout.distfiles, { recursive: true });
      const part = `${file}.part-${process.pid}`;
      writeFileSync(part, Buffer.from(await response.arrayBuffer()));
      const check = await verifyChecksum(part, tarball);
      if (check && !check.ok) {
        rmSync(part, { force: true });
        throw fail(`downloaded file has ${check.algorithm} ${check.actual}, expected ${check.expected}`, 'the upstream file changed; fix checksums.ini');
      }
      renameSync(part, file);
    }
    const check = await verifyChecksum(file, tarball);
    if (check && !check.ok) {
      throw fail(`checksum mismatch: ${check.algorithm} expected ${check.expected}, got ${check.actual}`,
        `delete ${file} and download again; if the file is right, fix build/pkgs/${spkg.name}/checksums.ini`);
    }
    logger.info(check ? `${tarball.filename}: ${check.algorithm} ok` : `${tarball.filename}: present (no checksum in checksums.ini)`);
  });
}
