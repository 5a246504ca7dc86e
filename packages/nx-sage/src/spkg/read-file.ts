import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// Checkouts made without symlink support (git core.symlinks=false, some archives) store a symlink as a
// one-line file holding its target. Sage links package-version.txt and checksums.ini this way
// (gfortran → gcc, sagelib → ../../../VERSION.txt), so such a file is followed like a link.
const LINK_TEXT = /^\.\.?\/[^\s]*$/;

/** Reads a text file of a package directory, following real and textual symlinks; null if missing. */
export function readPackageText(file: string, depth = 0): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const trimmed = text.trim();
  if (depth < 4 && LINK_TEXT.test(trimmed) && !trimmed.includes('\n')) {
    const target = resolve(dirname(file), trimmed);
    if (existsSync(target)) return readPackageText(target, depth + 1);
  }
  return text;
}
