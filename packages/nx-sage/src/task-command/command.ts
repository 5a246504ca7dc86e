import { existsSync, realpathSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/**
 * Builds run as `nx:run-commands` calling this plugin's small entry (run-task.ts), not as an Nx executor:
 * Nx forks its generic executor runner for a custom executor, which loads Nx and parses the whole
 * project graph before our code starts: 0.85 s of CPU per task, measured on the 437-package tree
 * (BENCHMARKS.md), two thirds of a task's CPU in a full build. run-commands runs in Nx's own process and
 * only starts our command.
 */
export const TASK_ENTRY = 'dist/task-command/run-task.js';

/** Shell-quotes one word (POSIX sh): single quotes, each `'` as `'\''`. Pure. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `node <entry> <verb> '<options as JSON>'`: the whole command of a task. Pure. */
export function taskCommand(entry: string, verb: string, options: object): string {
  return ['node', shellQuote(entry), verb, shellQuote(JSON.stringify(options))].join(' ');
}

/**
 * A file of this plugin as a workspace-relative path, the same on every clone (commands are part of
 * task hashes, so a machine-specific path would keep remote-cache hits from other clones): through
 * `node_modules/nx-sage` when that is this plugin, else relative to the workspace root.
 */
export function pluginFilePath(workspaceRoot: string, file: string, pluginRoot = join(__dirname, '..', '..')): string {
  const viaNodeModules = join(workspaceRoot, 'node_modules', 'nx-sage');
  try {
    if (existsSync(viaNodeModules) && realpathSync(viaNodeModules) === realpathSync(pluginRoot)) return posix.join('node_modules/nx-sage', file);
  } catch {
    // Unreadable link: fall through to the direct path.
  }
  return relative(workspaceRoot, join(pluginRoot, file)).split(sep).join('/');
}

/** The task entry (run-task.js) as pluginFilePath gives it. */
export function taskEntryPath(workspaceRoot: string, pluginRoot?: string): string {
  return pluginFilePath(workspaceRoot, TASK_ENTRY, pluginRoot);
}
