import { existsSync, realpathSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** Shell-quotes one word (POSIX sh): single quotes, each `'` as `'\''`. Pure. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell command that prints `echoed` when the pre-tasks hook set `env` (the value a runtime input
 * hashes, computed once in-process), else runs `fallback`, which computes it itself (where Nx hashes
 * without running the hooks). Pure.
 */
export function echoEnvOr(env: string, echoed: string, fallback: string): string {
  return `[ -n "$${env}" ] && echo ${echoed} || ${fallback}`;
}

/**
 * A file of this plugin as a workspace-relative path, the same on every clone (runtime inputs that run
 * it are part of task hashes, so a machine-specific path would keep remote-cache hits from other
 * clones): through `node_modules/nx-sage` when that is this plugin, else relative to the workspace root.
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
