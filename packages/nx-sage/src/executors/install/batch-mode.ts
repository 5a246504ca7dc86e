import { readdirSync } from 'node:fs';
import { cacheDirectoryForWorkspace } from 'nx/src/utils/cache-directory';

/**
 * Whether this run's installs go through the batch executor (one process for the installs that are
 * ready together) or run as single tasks. Measured (BENCHMARKS.md, makespan): Nx runs a batch from its
 * single coordinator loop and starts no other task until the batch returns, and a batch always forks
 * a process. In a run that builds, builds finish one at a time, so every install becomes a batch of
 * one that stops all build dispatch for the length of a process start: on 2 cores that cost more than
 * the lock convoy. Single install tasks run in the slots beside the builds instead. Batches win where
 * installs become ready together: no-op runs (one batch for every package) and trees restored from
 * the cache (one pip call for many wheels).
 *
 * NX_SAGE_INSTALL_BATCH: `auto` (default): no batches when every build will run (empty local Nx
 * cache and no remote cache, or --skip-nx-cache); `always`; `never`. An explicit NX_BATCH_MODE or
 * --batch wins.
 */
export type InstallBatchSetting = 'auto' | 'always' | 'never';

export interface BatchModeInput {
  env: Record<string, string | undefined>;
  argv: readonly string[];
  /** Entries of the local Nx cache (task outputs), counted only when needed. */
  cacheEntries: () => number;
  /** nx.json: where a remote cache may be configured. */
  nxJson?: Record<string, unknown>;
}

/**
 * Whether builds may come from a remote cache in this run: Nx's self-hosted HTTP cache, Nx Cloud, or one
 * of the bucket/shared-directory caches configured in nx.json. Then an empty local cache (a fresh clone)
 * does not mean that every build runs.
 */
export function remoteCacheConfigured(env: Record<string, string | undefined>, argv: readonly string[], nxJson: Record<string, unknown> = {}): boolean {
  if (env.NX_SKIP_REMOTE_CACHE === 'true' || argv.includes('--skip-remote-cache') || argv.includes('--skipRemoteCache')) return false;
  if (env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER) return true;
  if (['s3', 'gcs', 'azure', 'sharedFs'].some((key) => nxJson[key] !== undefined)) return true;
  const cloudOff = env.NX_NO_CLOUD === 'true' || nxJson.neverConnectToCloud === true;
  return !cloudOff && Boolean(env.NX_CLOUD_ACCESS_TOKEN || nxJson.nxCloudAccessToken || nxJson.nxCloudId);
}

/** `'false'` to turn batches off for this run (the value for NX_BATCH_MODE), else undefined. Pure but for cacheEntries. */
export function installBatchMode({ env, argv, cacheEntries, nxJson }: BatchModeInput): { batchMode?: 'false'; why: string } {
  if (env.NX_BATCH_MODE !== undefined && env.NX_BATCH_MODE !== '') return { why: `NX_BATCH_MODE=${env.NX_BATCH_MODE} is set` };
  if (argv.some((a) => a === '--batch' || a.startsWith('--batch='))) return { why: '--batch was given' };
  const setting = (env.NX_SAGE_INSTALL_BATCH ?? 'auto').trim().toLowerCase();
  if (setting === 'always') return { why: 'NX_SAGE_INSTALL_BATCH=always' };
  if (setting === 'never') return { batchMode: 'false', why: 'NX_SAGE_INSTALL_BATCH=never' };
  if (setting !== 'auto') throw new TypeError(`NX_SAGE_INSTALL_BATCH must be auto, always or never: '${env.NX_SAGE_INSTALL_BATCH}'`);
  if (argv.includes('--skip-nx-cache') || argv.includes('--skipNxCache') || env.NX_SKIP_NX_CACHE === 'true' || env.NX_DISABLE_NX_CACHE === 'true') {
    return { batchMode: 'false', why: 'the cache is skipped: every build runs' };
  }
  if (cacheEntries() === 0) {
    // A fresh clone with a warm remote cache restores its builds together, like a warm local cache.
    if (remoteCacheConfigured(env, argv, nxJson)) return { why: 'the local Nx cache is empty, but builds may come from the remote cache' };
    return { batchMode: 'false', why: 'the local Nx cache is empty: every build runs' };
  }
  return { why: 'cached builds: installs become ready together' };
}

/** Task outputs in the workspace's local Nx cache (hash-named entries). */
export function countCacheEntries(workspaceRoot: string): number {
  try {
    return readdirSync(cacheDirectoryForWorkspace(workspaceRoot)).filter((name) => /^\d+$/.test(name)).length;
  } catch {
    return 0;
  }
}
