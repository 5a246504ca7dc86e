import type { TreeLockMode, TreeLockOptions } from './types';
import { announceTestSwitch, refuseOnRealTree } from '../tree/test-switches';

export interface NormalizedLockOptions {
  tree: string;
  lockDir: string;
  mode: TreeLockMode;
  lockName: string;
  owner?: string;
  description?: string;
  timeoutMs: number;
  staleMs: number;
  updateMs: number;
  pollMs: number;
  signal?: AbortSignal;
  log: (message: string) => void;
  onWaited?: TreeLockOptions['onWaited'];
  disabled: boolean;
}

export const LOCK_DIR_SUFFIX = '.nxsage-lock';
export const DEFAULT_TIMEOUT_MS: Readonly<Record<TreeLockMode, number>> = { exclusive: 10 * 60_000, shared: 30 * 60_000 };
export const DEFAULT_STALE_MS = 30_000;
export const DEFAULT_UPDATE_MS = 3_000;
export const DEFAULT_POLL_MS = 100;
// proper-lockfile clamps stale to ≥ 2 s and update to [1 s, stale/2]; we judge foreign holders with
// the same numbers their heartbeats use.
const MIN_STALE_MS = 2_000;
const MIN_UPDATE_MS = 1_000;

/** The lock lives beside the tree, so recreating the tree (or its venv) never deletes a held lock. */
export const defaultLockDir = (tree: string): string => `${tree}${LOCK_DIR_SUFFIX}`;

const writeToStderr = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

function validateNumber(name: string, value: unknown, { min, allowInfinity = false }: { min: number; allowInfinity?: boolean }): number {
  const ok = typeof value === 'number' && !Number.isNaN(value) && value >= min && (allowInfinity || Number.isFinite(value));
  if (!ok) throw new TypeError(`The \`${name}\` option must be a number ≥ ${min}${allowInfinity ? ' (or Infinity)' : ''}: ${String(value)} (${typeof value})`);
  return value as number;
}

function readTimeoutEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.NX_SAGE_LOCK_TIMEOUT_MS;
  if (text === undefined || text.trim() === '') return undefined;
  const value = text.trim() === 'Infinity' ? Infinity : Number(text);
  if (Number.isNaN(value) || value < 0) throw new TypeError(`NX_SAGE_LOCK_TIMEOUT_MS must be a number of milliseconds ≥ 0 (or Infinity): '${text}'`);
  return value;
}

/** NX_SAGE_LOCK_DISABLED (race controls only): loud, and refused on a tree with real installs. */
function lockDisabledByEnv(tree: string, env: Record<string, string | undefined>): boolean {
  if (!isEnvTrue(env.NX_SAGE_LOCK_DISABLED)) return false;
  announceTestSwitch('NX_SAGE_LOCK_DISABLED', env.NX_SAGE_LOCK_DISABLED ?? '', 'the install tree is NOT locked');
  refuseOnRealTree('NX_SAGE_LOCK_DISABLED', tree);
  return true;
}

const isEnvTrue = (text: string | undefined): boolean => text !== undefined && ['1', 'true', 'yes'].includes(text.trim().toLowerCase());

/** Defaults, environment and validation in one place; `tree` must already be absolute. */
export function normalizeLockOptions(
  tree: string,
  mode: TreeLockMode,
  options: TreeLockOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): NormalizedLockOptions {
  if (mode !== 'shared' && mode !== 'exclusive') throw new TypeError(`The lock mode must be 'shared' or 'exclusive': ${String(mode)}`);
  const staleMs = Math.max(validateNumber('staleMs', options.staleMs ?? DEFAULT_STALE_MS, { min: 0 }), MIN_STALE_MS);
  const updateMs = Math.max(Math.min(validateNumber('updateMs', options.updateMs ?? DEFAULT_UPDATE_MS, { min: 0 }), staleMs / 2), MIN_UPDATE_MS);
  return {
    tree,
    lockDir: options.lockDir ?? defaultLockDir(tree),
    mode,
    lockName: options.lockName ?? 'lock',
    owner: options.owner,
    description: options.description,
    timeoutMs: validateNumber('timeoutMs', options.timeoutMs ?? readTimeoutEnv(env) ?? DEFAULT_TIMEOUT_MS[mode], { min: 0, allowInfinity: true }),
    staleMs,
    updateMs,
    pollMs: validateNumber('pollMs', options.pollMs ?? DEFAULT_POLL_MS, { min: 1 }),
    signal: options.signal,
    log: options.log ?? writeToStderr,
    ...(options.onWaited ? { onWaited: options.onWaited } : {}),
    disabled: options.disabled ?? lockDisabledByEnv(tree, env),
  };
}
