import { posix } from 'node:path';

/** What the Sage build writes under its root: SAGE_LOCAL (+ venv), logs, SAGE_DISTFILES. */
export const SAGE_BUILD_DIRS = ['local', 'logs', 'upstream'];
/** Nx's own machine-local data (`.nx/installation` must stay committed in a workspace without package.json). */
export const NX_LOCAL_DIRS = ['.nx/cache', '.nx/workspace-data'];

const HEADER = '# nx-sage: written by the Sage build and by Nx';

/** Anchored ignore entries (`/local/`) for the build directories of a Sage root. */
export function sageIgnoreEntries(sageRoot: string, dirs: readonly string[] = SAGE_BUILD_DIRS): string[] {
  return dirs.map((dir) => `/${posix.join(sageRoot, dir)}/`);
}

/**
 * Appends the entries the file does not already cover; returns null when it covers them all. A line
 * covers an entry when it names the same path or a parent directory, anchored or not
 * (`/local`, `local/`, `local` all cover `/local/`; `.nx` covers `/.nx/cache/`).
 */
export function addIgnoreEntries(content: string | null, entries: readonly string[]): string | null {
  const existing = (content ?? '')
    .split(/\r?\n/)
    .map(normalizeIgnoreLine)
    .filter((line): line is string => line !== null);
  const missing = entries.filter((entry) => {
    const path = normalizeIgnoreLine(entry)!;
    return !existing.some((line) => path === line || path.startsWith(`${line}/`));
  });
  if (missing.length === 0) return null;
  const base = content ?? '';
  const separator = base === '' ? '' : base.endsWith('\n') ? '\n' : '\n\n';
  return `${base}${separator}${HEADER}\n${missing.join('\n')}\n`;
}

// `/local/` → `local`; comments, negations and blank lines → null.
function normalizeIgnoreLine(line: string): string | null {
  const trimmed = line.trim();
  if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith('!')) return null;
  const path = trimmed.replace(/^(\*\*\/)+/, '').replace(/^\/+/, '').replace(/(\/\*\*|\/\*)?\/*$/, '');
  return path || null;
}
