import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../process/run';
import type { PipRestore } from './journal';
import { normalizeDistName } from './venv-state';
import { requirementNames } from './wheel-only';

const PIP_FLAGS = ['--disable-pip-version-check', '--isolated'];

/**
 * How to run pip in the venv: its own pip, or (when a crash broke pip itself, e.g. during the pip
 * package's own swap) the old pip wheel, which runs as `python <pip.whl>/pip`.
 */
async function pipCommand(restore: PipRestore): Promise<string[]> {
  const probe = await run(restore.python, ['-m', 'pip', ...PIP_FLAGS, '--version'], { reject: false, cwd: restore.cwd });
  if (probe.exitCode === 0) return ['-m', 'pip'];
  const wheel = existsSync(restore.wheelsDir) ? readdirSync(restore.wheelsDir).find((n) => /^pip-[^-]+-.*\.whl$/.test(n)) : undefined;
  return wheel ? [join(restore.wheelsDir, wheel, 'pip')] : ['-m', 'pip'];
}

/**
 * After the old files are back: the venv gets the old version's distributions (forced, from the old
 * requirements and wheels) and loses the new version's that the old one did not have. Correct at any
 * point of an interrupted install (before piprm, between piprm and pipinst, after pipinst).
 */
export async function restorePipState(restore: PipRestore, log: (message: string) => void): Promise<void> {
  const oldNames =
    restore.oldRequirements && existsSync(restore.oldRequirements) ? (requirementNames(readFileSync(restore.oldRequirements, 'utf8')) ?? []) : [];
  const keep = new Set(oldNames.map(normalizeDistName));
  const drop = restore.newDists.filter((d) => !keep.has(normalizeDistName(d)));
  const pip = await pipCommand(restore);
  const onLine = (line: string) => log(`pip: ${line}`);
  if (drop.length > 0) {
    const result = await run(restore.python, [...pip, ...PIP_FLAGS, 'uninstall', '--yes', '--no-input', ...drop], { reject: false, cwd: restore.cwd, onLine });
    if (result.exitCode !== 0) throw new Error(`pip uninstall ${drop.join(' ')} failed with exit code ${result.exitCode}`);
  }
  if (restore.oldRequirements && existsSync(restore.oldRequirements)) {
    const args = [...PIP_FLAGS, 'install', '--no-index', `--find-links=${restore.wheelsDir}`, '--no-build-isolation', '--no-cache-dir', '--force-reinstall', '--no-deps'];
    const result = await run(restore.python, [...pip, ...args, '-r', restore.oldRequirements], { reject: false, cwd: restore.cwd, onLine });
    if (result.exitCode !== 0) throw new Error(`pip install -r ${restore.oldRequirements} failed with exit code ${result.exitCode}`);
  }
}
