import { isAbsolute, posix } from 'node:path';
import type { NormalizedOptions } from './options';
import { shellQuote } from './plugin-file';

/** The compiled tree state command (swap/tree-state-cli.ts), a plugin file. */
export const TREE_STATE_SCRIPT_FILE = 'dist/swap/tree-state-cli.js';

/** SAGE_LOCAL or SAGE_VENV relative to the workspace root (the runtime command runs there), or absolute. */
const fromWorkspace = (sageRoot: string, dir: string): string => (isAbsolute(dir) ? dir : posix.normalize(posix.join(sageRoot, dir)));

/** `node <script> <SAGE_LOCAL> [SAGE_VENV]`: one command per tree, so Nx runs it once per run for all installs. */
export function treeStateCommand(sageRoot: string, options: Pick<NormalizedOptions, 'sageLocal' | 'sageVenv'>, script: string): string {
  const trees = [options.sageLocal, ...(options.sageVenv ? [options.sageVenv] : [])].map((dir) => shellQuote(fromWorkspace(sageRoot, dir)));
  return ['node', shellQuote(script), ...trees].join(' ');
}

/**
 * The state of the trees an install writes into (swap/tree-state.ts), next to the build's inputs in its
 * cache key. One command per tree: Nx runs it once per run, when it hashes the run's tasks upfront.
 * (Not the artifact's file through `dependentTasksOutputFiles`: Nx hashes such tasks only once their
 * build is done, one level at a time, and runs the runtime inputs again for every level: 38 runs of
 * the command in a no-op over Sage 10.10, 9 s instead of 3.)
 */
export function installStateInput(ctx: { sageRoot: string; options: Pick<NormalizedOptions, 'sageLocal' | 'sageVenv'>; treeStateScript: string }): { runtime: string } {
  return { runtime: treeStateCommand(ctx.sageRoot, ctx.options, ctx.treeStateScript) };
}

/**
 * Whether Nx may read and write a remote cache in runs of this workspace: its self-hosted HTTP cache, Nx
 * Cloud, or a bucket/shared-directory cache configured in nx.json. Then installs are not cached: Nx has
 * no way to keep a task's entry local, and an install's entry names one tree on one host, so every run
 * would ask the remote cache for each install and upload one that no other machine can use.
 */
export function remoteCacheConfigured(env: Record<string, string | undefined>, nxJson: Record<string, unknown> = {}): boolean {
  if (env.NX_SKIP_REMOTE_CACHE === 'true') return false;
  if (env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER) return true;
  if (['s3', 'gcs', 'azure', 'sharedFs'].some((key) => nxJson[key] !== undefined)) return true;
  const cloudOff = env.NX_NO_CLOUD === 'true' || nxJson.neverConnectToCloud === true;
  return !cloudOff && Boolean(env.NX_CLOUD_ACCESS_TOKEN || nxJson.nxCloudAccessToken || nxJson.nxCloudId);
}
