import type { ExecutorContext } from '@nx/devkit';
import { runStub, stubMode } from '../common/stub';
import { ensureVenv } from '../../build/venv';
import { pythonMinorVersion, resolveOptions, type SpkgExecutorOptions } from '../common/options';

/** The venv node's install: SAGE_VENV created (or checked) as Sage's $(PYTHON) rule does; see ensureVenv. */
export default async function venvExecutor(options: SpkgExecutorOptions, context: ExecutorContext) {
  if (stubMode()) return runStub('venv', options, context.root);
  const say = (m: string) => console.log(`[python3_venv] ${m}`);
  try {
    const { layout } = await resolveOptions({ ...options, package: options.package || 'python3_venv' }, context.root);
    await ensureVenv(layout, await pythonMinorVersion(layout.python), say);
    return { success: true };
  } catch (error) {
    console.error(`\nnx-sage: creating the venv failed:\n${(error as Error).message}\n  → check the 'python' option (it must have the venv module)\n`);
    return { success: false };
  }
}
