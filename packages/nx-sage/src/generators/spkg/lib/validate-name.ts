import { checkPackageName } from '../../../spkg/name';
import { GeneratorError } from '../../errors';

/**
 * Sage's rules for a package name (lower case, no dashes; see spkg/name.ts), plus one for new packages:
 * only [a-z0-9_], since the name becomes part of make variables (`inst_<pkg>`) and shell names.
 */
export function validateNewPackageName(name: string): void {
  const problem = checkPackageName(name) ?? (name.includes('.') ? 'new package names may only contain a-z, 0-9 and "_"' : null);
  if (!problem) return;
  const suggestion = suggestPackageName(name);
  throw new GeneratorError(
    'EBADNAME',
    `invalid package name '${name}': ${problem}`,
    suggestion && suggestion !== name ? `rename it to '${suggestion}'` : 'use lower-case letters, digits and "_"',
  );
}

/** `Foo-Bar.py` → `foo_bar_py`, the way Sage turns a PyPI name into a package name. */
export function suggestPackageName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
