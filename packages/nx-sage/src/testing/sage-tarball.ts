import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What the tests need of a real Sage checkout: the package metadata with its real symlinks, the
 * Makefile template, sage-spkg (era detection) and VERSION.txt (the target of the sagelib family's
 * package-version.txt links). Everything else (src/, pkgs/) is left out: the links into it dangle, as
 * they do in any partial checkout.
 */
export const SAGE_TARBALL_MEMBERS = ['build/pkgs', 'build/make/Makefile.in', 'build/bin/sage-spkg', 'VERSION.txt'];

// `./bootstrap` writes version_requirements.txt for these (bootstrap l. 36; meson's is committed), which
// makes them SAGE_VENV packages; graph.json was computed after that step (conventions §7 step 1).
export const BOOTSTRAP_VERSION_REQUIREMENTS = ['cypari', 'cysignals', 'cython', 'gmpy2', 'jupyter_core', 'memory_allocator', 'numpy', 'pkgconfig', 'pplpy', 'setuptools', 'wheel'];

/**
 * Extracts the real-symlink tree of `<shared>/sage-10.10.beta4.tar.xz` into a new temporary directory
 * (once per test file; the caller removes it), with the ground-truth graph.json of the flattened folder
 * copied beside it, and bootstrapped as graph.json's tree was: bootstrap's generated
 * version_requirements.txt files are taken from the flattened folder (which holds bootstrap's output).
 */
export function extractSageTarball(shared: string, prefix = 'nx-sage-tarball-'): string {
  const dest = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('tar', ['-xJf', join(shared, 'sage-10.10.beta4.tar.xz'), '-C', dest, ...SAGE_TARBALL_MEMBERS]);
  copyFileSync(join(shared, 'sage-10.10.beta4', 'graph.json'), join(dest, 'graph.json'));
  for (const pkg of BOOTSTRAP_VERSION_REQUIREMENTS) {
    const file = join('build/pkgs', pkg, 'version_requirements.txt');
    if (!existsSync(join(dest, file))) copyFileSync(join(shared, 'sage-10.10.beta4', file), join(dest, file));
  }
  return dest;
}
