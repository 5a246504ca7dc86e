import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { GeneratorError } from '../../errors';

/** An upstream file read from disk, with the checksums checksums.ini records. */
export interface UpstreamFile {
  filename: string;
  content: Buffer;
  sha1: string;
  sha256: string;
}

const ARCHIVE_EXTENSIONS = ['.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tar.xz', '.txz', '.tar.lz', '.tar.zst', '.tar', '.zip', '.whl'];

export function readUpstreamFile(path: string): UpstreamFile {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    throw new GeneratorError('ENOUPSTREAM', `cannot read upstream file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'give --upstreamFile as a path relative to the workspace root, or an absolute path');
  }
  return {
    filename: basename(path),
    content,
    sha1: createHash('sha1').update(content).digest('hex'),
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

/** The version in a conventional upstream file name (`foo-1.2.3.tar.gz`, `foo-1.2-py3-none-any.whl`). */
export function inferVersion(filename: string): string | undefined {
  if (filename.endsWith('.whl')) return filename.split('-')[1] || undefined;
  const extension = ARCHIVE_EXTENSIONS.find((ext) => filename.endsWith(ext));
  if (!extension) return undefined;
  return /-v?(\d[^-]*)$/.exec(filename.slice(0, -extension.length))?.[1];
}

/** Puts VERSION back where the version appears (`foo-1.2.tar.gz` → `foo-VERSION.tar.gz`), as Sage stores names. */
export function versionPattern(text: string, version: string, what: string): string {
  if (!text.includes(version)) {
    throw new GeneratorError(
      'EBADOPTION',
      `the ${what} '${text}' does not contain the version '${version}'`,
      'pass --version with the version exactly as it appears in the file name',
    );
  }
  return text.split(version).join('VERSION');
}
