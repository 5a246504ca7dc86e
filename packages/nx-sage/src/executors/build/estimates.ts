import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * How long a build is expected to take, for the build batch's order (pool.ts: the longest expected
 * path first). Measured: the order decides most of a full build's length once builds share one
 * process (BENCHMARKS.md, makespan: ready tasks by number of dependents left flint waiting 13 s for a
 * slot behind short wheels).
 *
 * A package built before in this workspace: its last measured build time. Otherwise a rough prior by
 * kind, from what a Sage build spends (native libraries minutes, Python packages built from source
 * about a minute, wheels seconds); only the proportions matter.
 */
export const PRIOR_SECONDS: Record<string, number> = { native: 180, python: 80, docs: 60, wheel: 5, none: 0 };

/**
 * One fact of Sage's build outweighs the kinds: Sage's own library (`sagelib`, the checkout's `src/`: in
 * 10.10 about 570 Cython and 2400 Python modules) is its longest build by far (tens of minutes where a
 * native library takes a few), and it comes last, after ~120 packages. Without this prior a first build
 * reaches it late: in a list-scheduling simulation of the makespan bench at 8 jobs
 * (tools/bench/makespan/simulate.js), 83.3 s with the kinds alone, 73.5 s with this one name, 67.1 s
 * knowing every time (BENCHMARKS.md, makespan, seventh session). No other package is named: the rest is
 * left to measured times.
 */
export const SAGE_LIBRARY = { package: 'sagelib', seconds: 1800 } as const;

interface SageMeta {
  package?: string;
  source?: string;
  trees?: string;
}

export function kindOf(meta: SageMeta | undefined): keyof typeof PRIOR_SECONDS {
  if (!meta || meta.source === 'none') return 'none';
  if (meta.source === 'wheel') return 'wheel';
  if (meta.trees === 'SAGE_DOCS') return 'docs';
  if (meta.trees === 'SAGE_VENV') return 'python';
  return 'native';
}

/** Seconds: the measured time of `meta.package`'s last build here, else its prior (Sage's library's, or its kind's). Pure. */
export function expectedSeconds(meta: SageMeta | undefined, measured: Readonly<Record<string, number>>): number {
  const known = meta?.package !== undefined ? measured[meta.package] : undefined;
  if (typeof known === 'number' && known >= 0) return known;
  return meta?.package === SAGE_LIBRARY.package ? SAGE_LIBRARY.seconds : PRIOR_SECONDS[kindOf(meta)];
}

/** `<workspace data>/nx-sage-build-times.json`: package → seconds of its last build. */
export function buildTimesFile(workspaceDataDir: string): string {
  return join(workspaceDataDir, 'nx-sage-build-times.json');
}

export function readBuildTimes(file: string): Record<string, number> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8'));
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** Adds this batch's measurements (write-then-rename: a concurrent reader never sees half a file). Never throws. */
export function recordBuildTimes(file: string, measured: Readonly<Record<string, number>>): void {
  if (Object.keys(measured).length === 0) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ...readBuildTimes(file), ...measured })}\n`);
    renameSync(tmp, file);
  } catch {
    // An order hint is not worth failing a build for.
  }
}
