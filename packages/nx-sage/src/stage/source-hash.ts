import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * sha256 over the package directory (names, contents, symlink targets; `src` links of script
 * packages are not followed) and the upstream file's checksum: the "source hash" of an artifact.
 */
export function hashPackageSources(pkgDir: string, upstreamSha256?: string): string {
  const hash = createHash('sha256');
  hash.update(`upstream\0${upstreamSha256 ?? ''}\0`);
  const walk = (rel: string) => {
    for (const name of readdirSync(join(pkgDir, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const full = join(pkgDir, child);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) hash.update(`link\0${child}\0${readlinkSync(full)}\0`);
      else if (stat.isDirectory()) walk(child);
      else if (stat.isFile()) hash.update(`file\0${child}\0`).update(readFileSync(full)).update('\0');
    }
  };
  walk('');
  return hash.digest('hex');
}
