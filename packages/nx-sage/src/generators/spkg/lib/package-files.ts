import { parseVersion } from '../../../spkg/version';
import { buildInstallScript } from './install-scripts';
import type { NormalizedSpkgOptions } from './normalize-options';
import { buildSpkgRst } from './spkg-rst';

/** Sage's convention for everything after the first line of a `dependencies` file. */
export const DEPENDENCIES_FOOTER = '----------\nAll lines of this file are ignored except the first.\n';

/** The files of a new package directory, name → content. Pure. */
export function buildPackageFiles(options: NormalizedSpkgOptions): Record<string, string> {
  const files: Record<string, string> = { type: `${options.type}\n` };
  if (options.version) files['package-version.txt'] = `${options.version}\n`;
  if (options.upstream) files['checksums.ini'] = buildChecksumsIni(options.upstream);
  if (options.dependencies.length || options.orderOnlyDependencies.length || options.source !== 'none') {
    files.dependencies = `${buildDependencyLine(options.dependencies, options.orderOnlyDependencies)}\n\n${DEPENDENCIES_FOOTER}`;
  }
  files['SPKG.rst'] = buildSpkgRst(options);
  if (options.python && options.source !== 'pip') files['version_requirements.txt'] = `${options.distribution}\n`;
  if (options.source === 'pip') {
    const pin = options.version ? ` ==${parseVersion(options.version).version}` : '';
    files['requirements.txt'] = `${options.distribution}${pin}\n`;
  }
  const install = buildInstallScript(options);
  if (install !== null) files['spkg-install.in'] = install;
  return files;
}

export function buildDependencyLine(normal: string[], orderOnly: string[]): string {
  return [normal.join(' '), ...(orderOnly.length ? ['|', orderOnly.join(' ')] : [])].filter(Boolean).join(' ');
}

export function buildChecksumsIni(upstream: NonNullable<NormalizedSpkgOptions['upstream']>): string {
  return [
    `tarball=${upstream.pattern}`,
    ...(upstream.sha1 ? [`sha1=${upstream.sha1}`] : []),
    ...(upstream.sha256 ? [`sha256=${upstream.sha256}`] : []),
    ...(upstream.upstreamUrl ? [`upstream_url=${upstream.upstreamUrl}`] : []),
    '',
  ].join('\n');
}
