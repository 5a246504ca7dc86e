/**
 * ONE configured Sage 10.10.beta4 checkout shared by every e2e file: `../shared/sage-10.10.beta4.tar.xz`
 * extracted, `./bootstrap`, `./configure --enable-build-as-root --with-python=<py>`. Built once per
 * machine into `$TMPDIR/nx-sage-configured-<tarball hash>-v<FIXTURE_VERSION>/` under a `flock` (jest
 * runs e2e files in parallel workers; the lock is released by the kernel if a worker dies), then reused.
 *
 * - `configuredCheckout()` is the cached tree itself: READ ONLY (make -pnq, nx show projects with
 *   NX_DAEMON=false and no cache writes are fine; never build in it).
 * - `copyConfiguredCheckout()` is a private copy (`cp -a`, ~13k files) for a test that mutates the tree:
 *   the few files configure/bootstrap wrote the absolute path into (relocate.txt) are rewritten to the
 *   copy's path, keeping their mtimes, so the copy's make builds into the copy, not into the cache.
 *
 * Python: configure 10.10 needs >= 3.12 < 3.15 with setuptools. `NX_SAGE_E2E_PYTHON` wins; otherwise the
 * first of python3.12/3.13/3.14 (pyenv, then PATH). If it imports setuptools it is used as is; if not
 * (pyenv's 3.12.1 here), its prefix is copied into the cache and Debian's python3-setuptools-whl is
 * installed into the COPY offline: the machine's own Python is never modified.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SHARED } from './workspace';

/** Bump when the fixture's recipe changes (configure flags, python preparation): a new cache dir. */
export const FIXTURE_VERSION = 1;
export const SAGE_TARBALL = join(SHARED, 'sage-10.10.beta4.tar.xz');

export interface ConfiguredCheckout {
  /** The configured checkout (absolute). */
  root: string;
  /** The Python given to configure (PYTHON_FOR_VENV). */
  python: string;
  /** `bootstrap N s / configure N s / load ...` as measured when the cache was built. */
  timings: string;
}

let memo: ConfiguredCheckout | undefined;

export function configuredCheckout(): ConfiguredCheckout {
  if (memo) return memo;
  const { python, copy } = findPython();
  const key = createHash('sha256').update(readFileSync(SAGE_TARBALL)).update(`v${FIXTURE_VERSION} ${python}`).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `nx-sage-configured-${key}`);
  if (!existsSync(join(cache, 'READY'))) {
    execFileSync('mkdir', ['-p', cache]);
    const script = join(__dirname, 'configure-checkout.sh');
    const result = spawnSync('flock', [join(`${cache}.lock`), 'bash', script, SAGE_TARBALL, cache, python, copy ? 'copy' : ''], {
      encoding: 'utf8',
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    if (result.status !== 0) throw new Error(`building the configured Sage checkout in ${cache} failed (see its *.log):\n${result.stderr}`);
  }
  const used = copy ? join(cache, 'python/bin', basename(python)) : python;
  memo = { root: join(cache, 'sage'), python: used, timings: readFileSync(join(cache, 'timings.txt'), 'utf8') };
  return memo;
}

/** A private, mutable copy of the configured checkout in a fresh temp dir (remove it with removeWorkspace). */
export function copyConfiguredCheckout(prefix = 'nx-sage-configured-copy-'): string {
  const source = configuredCheckout().root;
  const dest = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('cp', ['-a', '--reflink=auto', `${source}/.`, dest]);
  relocate(source, dest, readFileSync(join(source, '../relocate.txt'), 'utf8').split('\n').filter(Boolean));
  return dest;
}

function relocate(from: string, to: string, files: string[]): void {
  for (const file of files) {
    const path = join(to, file);
    const { atime, mtime } = statSync(path);
    writeFileSync(path, readFileSync(path, 'utf8').split(from).join(to));
    // Same mtimes: make must not think a configure output changed (it would re-run config.status).
    utimesSync(path, atime, mtime);
  }
}

function findPython(): { python: string; copy: boolean } {
  const candidates = process.env.NX_SAGE_E2E_PYTHON ? [process.env.NX_SAGE_E2E_PYTHON] : [...pyenv(), ...onPath()];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import sys, sqlite3, ctypes, ssl, ensurepip, zlib; assert (3, 12) <= sys.version_info < (3, 15)'], { stdio: 'ignore' });
    if (probe.status !== 0) continue;
    const hasSetuptools = spawnSync(python, ['-c', 'import setuptools'], { stdio: 'ignore' }).status === 0;
    if (hasSetuptools) return { python, copy: false };
    const prefix = execFileSync(python, ['-c', 'import sys; print(sys.base_prefix)'], { encoding: 'utf8' }).trim();
    // Copying a self-contained prefix (pyenv) is cheap; copying /usr is not an option.
    if (prefix !== '/usr' && prefix !== '/usr/local') return { python, copy: true };
  }
  throw new Error(
    'no Python >= 3.12 < 3.15 for ./configure: set NX_SAGE_E2E_PYTHON, or install one (pyenv) and python3-setuptools-whl',
  );
}

function onPath(): string[] {
  return ['python3.12', 'python3.13', 'python3.14']
    .map((name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim())
    .filter(Boolean);
}

function pyenv(): string[] {
  const root = join(process.env.PYENV_ROOT ?? join(process.env.HOME ?? '/root', '.pyenv'), 'versions');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((v) => /^3\.1[234]\.\d+$/.test(v))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((v) => join(root, v, 'bin', `python${v.split('.').slice(0, 2).join('.')}`))
    .filter((p) => existsSync(p));
}
