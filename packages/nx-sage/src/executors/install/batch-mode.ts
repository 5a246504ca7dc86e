/**
 * Whether this run's builds and installs go through the batch executors. Batches are Nx's only way to
 * run many tasks in one process: the build batch runs every build Nx cannot restore like make -jN
 * (executors/build/batch.ts), and the install batch confirms and installs the rest in one process
 * (no-op runs: one process for every package; trees restored from the cache: one pip call for many
 * wheels). Without batches each task is a forked Nx executor process (~0.85 s of CPU each;
 * BENCHMARKS.md, makespan).
 *
 * NX_SAGE_INSTALL_BATCH: `auto` or `always` (default: batches), `never` (every task its own process).
 * An explicit NX_BATCH_MODE or --batch wins.
 */
export type InstallBatchSetting = 'auto' | 'always' | 'never';

export interface BatchModeInput {
  env: Record<string, string | undefined>;
  argv: readonly string[];
}

/** `'false'` to turn batches off for this run (the value for NX_BATCH_MODE), else undefined. Pure. */
export function installBatchMode({ env, argv }: BatchModeInput): { batchMode?: 'false'; why: string } {
  if (env.NX_BATCH_MODE !== undefined && env.NX_BATCH_MODE !== '') return { why: `NX_BATCH_MODE=${env.NX_BATCH_MODE} is set` };
  if (argv.some((a) => a === '--batch' || a.startsWith('--batch='))) return { why: '--batch was given' };
  const setting = (env.NX_SAGE_INSTALL_BATCH ?? 'auto').trim().toLowerCase();
  if (setting === 'never') return { batchMode: 'false', why: 'NX_SAGE_INSTALL_BATCH=never' };
  if (setting !== 'auto' && setting !== 'always') throw new TypeError(`NX_SAGE_INSTALL_BATCH must be auto, always or never: '${env.NX_SAGE_INSTALL_BATCH}'`);
  return { why: `NX_SAGE_INSTALL_BATCH=${setting}` };
}
