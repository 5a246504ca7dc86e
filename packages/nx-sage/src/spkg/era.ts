/**
 * Conventions that changed between Sage releases, detected from the tree's own files (never from a
 * version number). Dependency-line conventions ($(PYTHON) = python3 package or venv node, the venv
 * target as `$(SAGE_VENV)/pyvenv.cfg` or a stamp) come out of the tree's Makefile.in itself
 * (dependency-env.ts); `install-requires.txt` (the old `version_requirements.txt`) is read by package.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What sage-spkg does with a `*.whl` tarball's install script: older releases always write
 * `sdh_store_and_pip_install_wheel .` over spkg-install.in; 10.10 only when there is none.
 */
export type WheelInstallRule = 'always' | 'if-missing';

/** Reads the `*.whl)` branch of build/bin/sage-spkg: a test for an existing spkg-install.in means 'if-missing'. */
export function detectWheelInstallRule(sageSpkg: string | null): WheelInstallRule {
  if (sageSpkg === null) return 'if-missing';
  const start = sageSpkg.search(/^\s*\*\.whl\)/m);
  if (start === -1) return 'if-missing';
  const branch = sageSpkg.slice(start, sageSpkg.indexOf(';;', start) === -1 ? undefined : sageSpkg.indexOf(';;', start));
  if (!/sdh_store_and_pip_install_wheel/.test(branch)) return 'if-missing';
  return /\[\s+!?\s*-[ef]\s+"?spkg-install\.in"?\s*\]|test\s+!?\s*-[ef]\s+"?spkg-install\.in/.test(branch) ? 'if-missing' : 'always';
}

export function readWheelInstallRule(sageRoot: string): WheelInstallRule {
  const file = join(sageRoot, 'build', 'bin', 'sage-spkg');
  return detectWheelInstallRule(existsSync(file) ? readFileSync(file, 'utf8') : null);
}
