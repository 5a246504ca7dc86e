import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TaskFacts } from './types';

/** Set by the pre-run hook in Nx's process, so every executor of that run (a child process) inherits it. */
export const RUN_ID_ENV = 'NX_SAGE_RUN_ID';
/** The run's facts directory, set beside the id: a task finds it without loading Nx (~0.1 s per task). */
export const RUN_DIR_ENV = 'NX_SAGE_RUN_DIR';

/** `<workspace data>/nx-sage-report/`: one subdirectory of task facts per run. */
export function reportDataDir(workspaceRoot: string): string {
  // Loaded on first use: task processes normally get the directory from RUN_DIR_ENV.
  const { workspaceDataDirectoryForWorkspace } = require('nx/src/utils/cache-directory') as typeof import('nx/src/utils/cache-directory');
  return join(workspaceDataDirectoryForWorkspace(workspaceRoot), 'nx-sage-report');
}

export function runFactsDir(workspaceRoot: string, runId: string, env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env[RUN_ID_ENV] === runId ? env[RUN_DIR_ENV] : undefined;
  if (fromEnv && basename(fromEnv) === safeName(runId)) return fromEnv;
  return join(reportDataDir(workspaceRoot), 'runs', safeName(runId));
}

/**
 * Records facts about one task for the end-of-run report. Executors call it; it never throws (a report
 * is not worth failing a build for). Calls for the same task merge: lock waits add up, holders are
 * unioned, the last `installed` wins over an earlier one unless it is a no-op. Outside a run started by Nx with nx-sage's hooks (no
 * NX_SAGE_RUN_ID) it records nothing and returns false.
 */
export function recordTaskFacts(workspaceRoot: string, facts: TaskFacts, runId = process.env[RUN_ID_ENV]): boolean {
  if (!runId) return false;
  try {
    const dir = runFactsDir(workspaceRoot, runId);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${safeName(facts.project)}--${safeName(facts.target)}.json`);
    const merged = mergeFacts(readFactsFile(file), facts);
    // Write-then-rename: the post-run hook never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(merged));
    renameSync(tmp, file);
    return true;
  } catch {
    return false;
  }
}

/** Every task's facts recorded in `dir`; unreadable files are skipped. */
export function readRunFacts(dir: string): TaskFacts[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((file) => readFactsFile(join(dir, file))).filter((facts): facts is TaskFacts => facts !== null);
}

/**
 * Prepares a run's facts directory: empties it, and removes the directories of runs that ended
 * without their post-run hook (older than `staleMs`). Runs still going in parallel keep theirs.
 */
export function clearRunFacts(workspaceRoot: string, runId: string, staleMs = 24 * 3600_000, now = Date.now()): void {
  const runs = join(reportDataDir(workspaceRoot), 'runs');
  rmSync(runFactsDir(workspaceRoot, runId), { recursive: true, force: true });
  let entries: string[] = [];
  try {
    entries = readdirSync(runs);
  } catch {
    return;
  }
  for (const entry of entries) {
    try {
      if (now - statSync(join(runs, entry)).mtimeMs > staleMs) rmSync(join(runs, entry), { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
}

export function mergeFacts(previous: TaskFacts | null, next: TaskFacts): TaskFacts {
  if (!previous) return { ...next };
  const waits = [previous.lockWaitMs, next.lockWaitMs].filter((ms): ms is number => typeof ms === 'number');
  const holders = [...new Set([...(previous.lockHolders ?? []), ...(next.lockHolders ?? [])])];
  const lockWaits = [...(previous.lockWaits ?? []), ...(next.lockWaits ?? [])];
  const installed = mergeInstalled(previous.installed, next.installed);
  return {
    project: next.project,
    target: next.target,
    ...(waits.length ? { lockWaitMs: waits.reduce((a, b) => a + b, 0) } : {}),
    ...(holders.length ? { lockHolders: holders } : {}),
    ...(lockWaits.length ? { lockWaits } : {}),
    ...(installed ? { installed } : {}),
  };
}

/**
 * What the run did to the package: the last action, except that a later no-op does not hide an earlier
 * install of the same run (the build batch installs a package right after building it, and its install
 * task then finds it up to date).
 */
function mergeInstalled(previous: TaskFacts['installed'], next: TaskFacts['installed']): TaskFacts['installed'] {
  if (next === 'noop' && previous !== undefined) return previous;
  return next ?? previous;
}

function readFactsFile(file: string): TaskFacts | null {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8'));
    return data && typeof data.project === 'string' && typeof data.target === 'string' ? (data as TaskFacts) : null;
  } catch {
    return null;
  }
}

// Project and target names may hold ':' or '/', which file names should not.
function safeName(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E');
}
