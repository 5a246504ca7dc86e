import { availableParallelism } from 'node:os';

/** Set by the plugin's pre-run hook for the build batch: the run's `--parallel`. */
export const PARALLEL_ENV = 'NX_SAGE_PARALLEL';

/** Nx's default when neither the command line, NX_PARALLEL nor nx.json says (its tasks runner's `parallel: 3`). */
const NX_DEFAULT = 3;

/**
 * How many tasks this `nx` run runs at once, as Nx reads it (nx/src/command-line/yargs-utils/
 * shared-options.js, readParallelFromArgsAndEnv, then nx.json's `parallel`): `--parallel=N`,
 * `--parallel N`, `--parallel` / `--parallel=true` (then `--maxParallel`, NX_PARALLEL or 3),
 * `--parallel=false` / `--no-parallel` (1), `N%` of the cores; none of them: nx.json's `parallel`,
 * then `--maxParallel`, then 3. Arguments after `--` belong to the tasks. Nx tells a batch executor nothing of it, and the build
 * batch must not run more builds at once than the user allowed tasks.
 */
export function runParallelism(argv: readonly string[], env: Record<string, string | undefined>, nxJson: { parallel?: unknown } = {}): number {
  const args = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const parallel = args.includes('--no-parallel') ? 'false' : flagValue(args, 'parallel');
  if (parallel === 'false') return 1;
  if (parallel === 'true' || parallel === '' || (parallel === undefined && env.NX_PARALLEL)) {
    return concurrency(maxParallel(args) || env.NX_PARALLEL || String(NX_DEFAULT));
  }
  if (parallel !== undefined) return concurrency(parallel);
  if (typeof nxJson.parallel === 'number') return concurrency(String(nxJson.parallel));
  // Nx's task orchestrator (getThreadPoolSize): no --parallel anywhere → --maxParallel, else 3.
  return concurrency(maxParallel(args) || String(NX_DEFAULT));
}

/** The build batch's slots: what the pre-run hook found, else Nx's default. */
export function buildParallelism(env: Record<string, string | undefined>): number {
  const value = Number(env[PARALLEL_ENV]);
  return Number.isInteger(value) && value >= 1 ? value : NX_DEFAULT;
}

function maxParallel(args: readonly string[]): string | undefined {
  return flagValue(args, 'maxParallel') || flagValue(args, 'max-parallel');
}

/** `--name=V` → V, `--name V` → V, `--name` (last, or before another flag) → '' ; absent → undefined. */
function flagValue(argv: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === `--${name}`) {
      const next = argv[i + 1];
      found = next !== undefined && !next.startsWith('-') ? next : '';
    } else if (arg.startsWith(`--${name}=`)) found = arg.slice(name.length + 3);
  }
  return found;
}

function concurrency(value: string): number {
  let n = parseInt(value, 10);
  if (value.endsWith('%')) n = (availableParallelism() * n) / 100;
  return Number.isNaN(n) ? NX_DEFAULT : Math.max(1, Math.floor(n));
}
