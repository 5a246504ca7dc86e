import { lstatSync } from 'node:fs';

/** Whether anything (a dangling symlink too) is at `path`: manifests list links as files. */
export function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
