import { SpkgError } from './errors';

// Sage's sage_bootstrap rejects upper case and dashes; its make variables (`inst_<pkg>`) need
// names made of [a-z0-9_] as well.
const VALID_NAME = /^[a-z0-9_][a-z0-9_.]*$/;

/** Returns null when Sage accepts `name` as a package name, else the reason. */
export function checkPackageName(name: string): string | null {
  if (name !== name.toLowerCase()) return 'package names must be lower case';
  if (name.includes('-')) return 'package names must not contain dashes (use underscores)';
  if (!VALID_NAME.test(name)) return 'package names may only contain a-z, 0-9, "_" and "."';
  return null;
}

export function validatePackageName(name: string, file?: string): void {
  const problem = checkPackageName(name);
  if (problem) {
    throw new SpkgError(`invalid package name: ${problem}`, {
      code: 'EBADNAME',
      pkg: name,
      file,
      hint: `rename the directory to '${name.toLowerCase().replace(/-/g, '_')}'`,
    });
  }
}
