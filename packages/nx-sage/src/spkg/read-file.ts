import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// Checkouts made without symlink support (git core.symlinks=false, some archives) store a symlink as a
// one-line file holding its target. Sage links package-version.txt and checksums.ini this way
// (gfortran → gcc, sagelib → ../../../VERSION.txt), so such a file is followed like a link.
const LINK_TEXT = /^\.\.?\/[^\s]*$/;

/**
 * Reads a text file of a package directory, following real and textual symlinks; null if missing.
 * Every file reached through a link is added to `followed` (absolute paths): it is an input of the
 * package as much as its own files (bumping gcc's version bumps gfortran's).
 */
export function readPackageText(file: string, followed?: Set<string>, depth = 0): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    if (followed && lstatSync(file).isSymbolicLink()) followed.add(realpathSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const trimmed = text.trim();
  if (depth < 4 && LINK_TEXT.test(trimmed) && !trimmed.includes('\n')) {
    const target = resolve(dirname(file), trimmed);
    if (existsSync(target)) {
      followed?.add(target);
      return readPackageText(target, followed, depth + 1);
    }
  }
  return text;
}
