import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_ID_ENV, runFactsDir } from '../../report/facts';

/**
 * A value computed once per `nx` run and shared by all its tasks. Every task is its own process, so a
 * per-process memo recomputes it hundreds of times in a full build (asking `python3` its version through
 * a pyenv shim costs ~0.6 s of CPU, per task). The value is kept in the run's data directory (removed by
 * the post-run hook); outside a run started by Nx (no run id) it is simply computed. Two tasks that miss
 * at once both compute it: the value must not depend on which one wins.
 */
export async function memoizeForRun<T>(
  key: unknown,
  compute: () => Promise<T>,
  env: Record<string, string | undefined> = process.env,
): Promise<T> {
  const runId = env[RUN_ID_ENV];
  const workspaceRoot = env.NX_WORKSPACE_ROOT;
  if (!runId || !workspaceRoot) return compute();
  const dir = join(runFactsDir(workspaceRoot, runId), 'memo');
  const file = join(dir, `${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32)}.value`);
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { value: T }).value;
  } catch {
    // Not computed yet in this run (or unreadable): compute it.
  }
  const value = await compute();
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ value }));
    renameSync(tmp, file);
  } catch {
    // A memo that cannot be written only costs the next task the same computation.
  }
  return value;
}
