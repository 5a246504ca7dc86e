import { createHash } from 'node:crypto';
import { isAbsolute, posix } from 'node:path';
import type { NormalizedOptions } from './options';
import { echoEnvOr, shellQuote } from './plugin-file';

/** The compiled tree state command (swap/tree-state-cli.ts), a plugin file. */
export const TREE_STATE_SCRIPT_FILE = 'dist/swap/tree-state-cli.js';

/** SAGE_LOCAL or SAGE_VENV relative to the workspace root (the runtime command runs there), or absolute. */
const fromWorkspace = (sageRoot: string, dir: string): string => (isAbsolute(dir) ? dir : posix.normalize(posix.join(sageRoot, dir)));

/** SAGE_LOCAL [SAGE_VENV] as the tree state command names them (workspace-relative or absolute). */
export function treeStateArgs(sageRoot: string, options: { sageLocal?: string | null; sageVenv?: string | null }): string[] {
  return [options.sageLocal ?? 'local', ...(options.sageVenv ? [options.sageVenv] : [])].map((dir) => fromWorkspace(sageRoot, dir));
}

/** The variable through which the pre-tasks hook hands these trees' state to the command (swap/tree-state-env.ts). */
export const treeStateEnv = (args: readonly string[]): string => `NX_SAGE_TREE_STATE_${createHash('sha256').update(args.join('\0')).digest('hex').slice(0, 12)}`;

/**
 * The install tasks' runtime input, one command per tree so Nx runs it once per run for all installs:
 * echoes the state the pre-tasks hook read in-process (swap/tree-state-env.ts), else reads it with
 * `node <script> <SAGE_LOCAL> [SAGE_VENV]` (where Nx hashes without the hooks; a `node` start is 0.15 s).
 * Nx hashes what a runtime command prints whatever its exit status, so a command that cannot run (no
 * `node` on the PATH, a moved plugin) must not print the same error every time: then it prints a value
 * that never repeats (its shell's pid and the time), and nothing is skipped.
 */
export function treeStateCommand(sageRoot: string, options: Pick<NormalizedOptions, 'sageLocal' | 'sageVenv'>, script: string): string {
  const args = treeStateArgs(sageRoot, options);
  const env = treeStateEnv(args);
  const read = `${['node', shellQuote(script), ...args.map(shellQuote)].join(' ')} 2>/dev/null || echo "nx-sage tree state unavailable $$ $(date +%s%N)"`;
  return echoEnvOr(env, `"$${env}"`, read);
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
  // As Nx's isNxCloudUsed (utils/nx-cloud-utils.js).
  const cloudOff = env.NX_NO_CLOUD === 'true' || Boolean(nxJson.neverConnectToCloud);
  const cloudRunner = Object.values((nxJson.tasksRunnerOptions ?? {}) as Record<string, { runner?: string }>).some((r) => r?.runner === 'nx-cloud' || r?.runner === '@nrwl/nx-cloud');
  return !cloudOff && Boolean(env.NX_CLOUD_AUTH_TOKEN || env.NX_CLOUD_ACCESS_TOKEN || nxJson.nxCloudAccessToken || nxJson.nxCloudId || cloudRunner);
}
