import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpkgTarball } from '../spkg/checksums';
import { run } from '../process/run';
import { BuildError } from '../tree/errors';
import type { PackageLogger } from '../tree/logger';
import type { SageLayout } from '../tree/paths';

/** A Sage checkout downloads with its own `sage-package download` (mirrors, SAGE_SERVER, upstream_url with -o). */
export function hasSagePackageTool(sageRoot: string): boolean {
  return existsSync(join(sageRoot, 'build', 'bin', 'sage-package')) && existsSync(join(sageRoot, 'build', 'sage_bootstrap'));
}

/** Whether configure allowed upstream_url downloads (--enable-download-from-upstream-url puts -o into SAGE_SPKG_OPTIONS). */
export function upstreamAllowed(configuredMakefile: string | undefined): boolean {
  const line = configuredMakefile?.split('\n').find((l) => /^SAGE_SPKG_OPTIONS\s*=/.test(l));
  return !!line && /(^|\s)(-o|--allow-upstream)(\s|$)/.test(line.replace(/^SAGE_SPKG_OPTIONS\s*=/, ' '));
}

/**
 * Fetches `tarball` into SAGE_DISTFILES the way make does (sage-spkg's ensure_pkg_src): the checkout's
 * own `build/bin/sage-package download <pkg>`, which tries Sage's mirror list or SAGE_SERVER, then
 * upstream_url when configure allowed it, and verifies the checksum. Offline or unmirrored: an error
 * naming the file and how to provide it by hand.
 */
export async function sagePackageDownload(input: {
  layout: SageLayout;
  pkg: string;
  tarball: SpkgTarball;
  logger: PackageLogger;
  env: Record<string, string | undefined>;
}): Promise<void> {
  const { layout, pkg, tarball, logger } = input;
  const makefile = join(layout.sageRoot, 'build', 'make', 'Makefile');
  const allow = upstreamAllowed(existsSync(makefile) ? readFileSync(makefile, 'utf8') : undefined) || input.env.NX_SAGE_ALLOW_DOWNLOAD === '1';
  const args = [join(layout.sageRoot, 'build', 'bin', 'sage-package'), 'download', ...(allow ? ['--allow-upstream'] : []), pkg];
  logger.info(`downloading ${tarball.filename} with sage-package download${allow ? ' --allow-upstream' : ''}${input.env.SAGE_SERVER ? ` (SAGE_SERVER=${input.env.SAGE_SERVER})` : ''}`);
  const lines: string[] = [];
  const result = await run(layout.python, args, {
    cwd: layout.sageRoot,
    env: { ...input.env, SAGE_ROOT: layout.sageRoot, SAGE_DISTFILES: layout.distfiles },
    onLine: (line) => {
      lines.push(line);
      logger.line(line);
    },
    reject: false,
  });
  const file = join(layout.distfiles, tarball.filename);
  if (result.exitCode === 0 && existsSync(file)) return;
  const why = lines.filter((l) => /error/i.test(l)).pop() ?? lines[lines.length - 1] ?? `exit code ${result.exitCode}`;
  const checksum = tarball.sha256 ? `sha256 ${tarball.sha256}` : tarball.sha1 ? `sha1 ${tarball.sha1}` : 'no checksum';
  throw new BuildError(`cannot download ${tarball.filename}: ${why.trim()}`, {
    code: 'ENOTARBALL',
    pkg,
    phase: 'download',
    file,
    logFile: logger.logFile,
    hint:
      `put ${tarball.filename} (${checksum}, see build/pkgs/${pkg}/checksums.ini) into ${layout.distfiles}, ` +
      `or point SAGE_SERVER at a Sage mirror that has it${tarball.upstreamUrl && !allow ? `, or allow its upstream_url (${tarball.upstreamUrl}) with ./configure --enable-download-from-upstream-url` : ''}`,
  });
}
