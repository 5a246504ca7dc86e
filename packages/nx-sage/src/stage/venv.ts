import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withInstallLock } from '../lock';
import { run } from '../process/run';
import { venvPython, type SageLayout } from '../tree/paths';
import { writeStamp } from '../swap/stamp';

/**
 * Sage's stamp name of the venv node: python3_venv-3.X-<python path with / as ->, and
 * `--system-site-packages` when SAGE_VENV_FLAGS has it (make's `$(findstring …)`).
 */
export function venvStampName(minor: string, python: string, flags: readonly string[] = []): string {
  const systemSite = flags.join(' ').includes('--system-site-packages') ? '--system-site-packages' : '';
  return `python3_venv-${minor}-${python.replace(/\//g, '-')}${systemSite}`;
}

async function venvWorks(python: string): Promise<boolean> {
  if (!existsSync(python)) return false;
  const result = await run(python, ['-c', 'import sys, venv; print(sys.prefix)'], { reject: false });
  return result.exitCode === 0;
}

/**
 * The $(PYTHON) rule: `<python> -m venv --without-pip SAGE_VENV` when the venv is missing or broken
 * (pip, setuptools and wheel are packages of the tree and install themselves), then the stamp.
 * Checked first without the lock; created under the install lock (additive when it does not exist yet).
 */
export async function ensureVenv(layout: SageLayout, minor: string, say: (message: string) => void): Promise<'present' | 'created'> {
  const stampDir = join(layout.sageVenv, 'var', 'lib', 'sage', 'installed');
  const stamp = join(stampDir, venvStampName(minor, layout.python, layout.venvFlags));
  // make's test is the stamp alone; a venv whose interpreter (a link to the base Python) and
  // pyvenv.cfg are there too is taken as working without starting Python, once per task.
  const intact = existsSync(stamp) && existsSync(venvPython(layout)) && existsSync(join(layout.sageVenv, 'pyvenv.cfg'));
  if (intact) {
    say(`nothing to do: ${layout.sageVenv} works (Python ${minor})`);
    return 'present';
  }
  // A venv that does not exist yet is added like a first install (install mutex + tree lock shared:
  // builds outside the venv keep running; those that need the venv wait for the mutex in prepareVenv).
  // Repairing an existing one replaces files: exclusive.
  await withInstallLock(
    layout.sageLocal,
    existsSync(layout.sageVenv) ? 'exclusive' : 'additive',
    async () => {
      if (!(await venvWorks(venvPython(layout)))) {
        // A Sage checkout makes its venv with its own build/bin/sage-venv (symlinks, no pip, no activate scripts).
        const sageVenv = join(layout.sageRoot, 'build', 'bin', 'sage-venv');
        const flags = layout.venvFlags ?? [];
        const args = existsSync(sageVenv) ? [sageVenv, ...flags, layout.sageVenv] : ['-m', 'venv', '--without-pip', ...flags, layout.sageVenv];
        say(`creating ${layout.sageVenv} with ${layout.python} ${args.slice(0, -1).join(' ')}`);
        mkdirSync(layout.sageVenv, { recursive: true });
        const result = await run(layout.python, args, { reject: false, onLine: say });
        if (result.exitCode !== 0) throw new Error(`${layout.python} -m venv failed with exit code ${result.exitCode}`);
      }
      mkdirSync(stampDir, { recursive: true });
      // Stamps of another Python minor version are stale.
      for (const old of readdirSync(stampDir)) if (old.startsWith('python3_venv-')) rmSync(join(stampDir, old), { force: true });
      // make's rule only touches this stamp (empty file); other trees get nx-sage's JSON record.
      const checkout = existsSync(join(layout.sageRoot, 'build', 'bin', 'sage-venv'));
      if (checkout) writeFileSync(stamp, '');
      else writeStamp(stamp, { package_name: 'python3_venv', package_version: minor, install_date: new Date().toString(), system_uname: '', sage_version: '', test_result: '', files: [] });
    },
    { owner: 'python3_venv', description: 'create the venv', log: say },
  );
  say(`venv ready: ${layout.sageVenv}`);
  return 'created';
}

const ensured = new Map<string, Promise<'present' | 'created'>>();

/**
 * The venv of `layout` exists (made if missing), checked once per process and venv: a batch installs
 * many packages into the same venv. `log` hears about it only when it was created.
 */
export async function prepareVenv(layout: SageLayout, minor: string, log: (message: string) => void): Promise<void> {
  const said: string[] = [];
  let pending = ensured.get(layout.sageVenv);
  if (!pending) {
    pending = ensureVenv(layout, minor, (m) => said.push(m));
    ensured.set(layout.sageVenv, pending);
    pending.catch(() => ensured.delete(layout.sageVenv));
  }
  if ((await pending) === 'created') for (const m of said) log(m);
}
