import { SpkgError } from './errors';
import { substituteVersion } from './version';

export interface SpkgTarball {
  /** File name pattern as written (`gmp-VERSION.tar.xz`). */
  pattern: string;
  /** File name with the version substituted. */
  filename: string;
  sha1?: string;
  sha256?: string;
  upstreamUrl?: string;
}

const LINE = /^([a-zA-Z0-9_]*)=(.*)$/;
const KNOWN_KEYS = new Set(['tarball', 'sha1', 'sha256', 'upstream_url', 'md5', 'cksum']);
const HEX = /^[0-9a-f]+$/;

/**
 * Parses checksums.ini into tarball blocks (several `tarball=` blocks are allowed: platform wheels).
 * Throws an SpkgError naming the line for anything Sage would not understand.
 */
export function parseChecksums(text: string, version: string, ctx: { pkg: string; file: string }): SpkgTarball[] {
  const tarballs: SpkgTarball[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fail = (problem: string, hint: string): never => {
      throw new SpkgError(problem, { code: 'EBADCHECKSUMS', pkg: ctx.pkg, file: ctx.file, line: index + 1, hint });
    };
    const match = LINE.exec(line);
    if (!match) fail(`malformed line '${line}'`, 'each line must be key=value (tarball, sha1, sha256, upstream_url)');
    const [, key, value] = match!;
    if (!KNOWN_KEYS.has(key)) fail(`unknown key '${key}'`, 'known keys: tarball, sha1, sha256, upstream_url');
    if (key === 'tarball') {
      if (!value) fail('empty tarball name', 'write tarball=<name>-VERSION.<ext>');
      tarballs.push({ pattern: value, filename: substituteVersion(value, version) });
      return;
    }
    const current = tarballs[tarballs.length - 1];
    if (!current) fail(`'${key}' before any 'tarball=' line`, 'start each block with tarball=<file name>');
    if (key === 'sha1' || key === 'sha256') {
      const want = key === 'sha1' ? 40 : 64;
      if (value.length !== want || !HEX.test(value)) {
        fail(`${key} must be ${want} lower-case hex digits, got '${value}'`, `recompute it with: ${key}sum <file>`);
      }
      current![key] = value;
    } else if (key === 'upstream_url') {
      current!.upstreamUrl = substituteVersion(value, version);
    }
  });
  return tarballs;
}
