import { ensureVenv } from '../../build/venv';
import { pythonMinorVersion, resolveOptions, type SpkgExecutorOptions } from '../common/options';

/** The venv node's install (options.venv): SAGE_VENV created or checked as Sage's $(PYTHON) rule does. */
export async function installVenv(options: SpkgExecutorOptions, workspaceRoot: string, say: (message: string) => void): Promise<{ success: boolean; created?: boolean }> {
  try {
    const { layout } = await resolveOptions({ ...options, package: options.package || 'python3_venv' }, workspaceRoot);
    const state = await ensureVenv(layout, await pythonMinorVersion(layout.python), say);
    return { success: true, created: state === 'created' };
  } catch (error) {
    console.error(`\nnx-sage: creating the venv failed:\n${(error as Error).message}\n  → check the 'python' option (it must have the venv module)\n`);
    return { success: false };
  }
}
