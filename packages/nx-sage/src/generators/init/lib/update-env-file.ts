/**
 * Nx reads `.env` at the workspace root before it loads plugins. nx-sage's init sets
 * NX_ISOLATE_PLUGINS=false there: with plugin isolation on (Nx's default) every nx command that
 * computes the graph without the daemon starts one worker process per plugin (Nx's three default
 * plugins and nx-sage: 1.7 s of a 5.5 s no-op over Sage 10.10 on 2 cores, BENCHMARKS.md). nx-sage's
 * graph code never throws over a package, and its only module state (the machine identity started
 * while Nx computes the graph, graph/machine-identity.ts) is keyed by workspace and used once.
 */
export const ENV_SETTINGS: Readonly<Record<string, string>> = { NX_ISOLATE_PLUGINS: 'false' };

const HEADER = '# nx-sage: plugins load inside the nx process (no worker per plugin)';

/**
 * Appends `KEY=value` for each setting the file does not set yet (a value the user chose stays);
 * null when nothing is missing. Pure.
 */
export function addEnvSettings(content: string | null, settings: Readonly<Record<string, string>> = ENV_SETTINGS): string | null {
  const set = new Set(
    (content ?? '')
      .split(/\r?\n/)
      .map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
      .filter((key): key is string => key !== undefined),
  );
  const missing = Object.entries(settings).filter(([key]) => !set.has(key));
  if (missing.length === 0) return null;
  const base = content ?? '';
  const separator = base === '' ? '' : base.endsWith('\n') ? '\n' : '\n\n';
  return `${base}${separator}${HEADER}\n${missing.map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}
