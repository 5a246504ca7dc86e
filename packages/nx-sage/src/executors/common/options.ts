import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { run } from '../../process/run';
import { memoizeForRun } from './run-memo';
import type { SageLayout } from '../../tree/paths';

/** The options object every nx-sage executor gets (the graph plugin writes the same one for all targets). */
export interface SpkgExecutorOptions {
  package: string;
  /** Workspace-relative directory holding build/pkgs (SAGE_ROOT). */
  sageRoot: string;
  /** SAGE_LOCAL relative to sageRoot. @default 'local' */
  sageLocal?: string;
  /** SAGE_VENV relative to sageRoot. @default `<sageLocal>/var/lib/sage/venv-python<X.Y>` of `python` */
  sageVenv?: string;
  /** Python that creates the venv. @default 'python3' */
  python?: string;
  /** Flags of the venv's creation (configure's SAGE_VENV_FLAGS). @default '' */
  venvFlags?: string;
  /** SAGE_DISTFILES relative to sageRoot (env SAGE_DISTFILES wins). @default 'upstream' */
  distfiles?: string;
  /** Workspace-relative directory of this package's build artifact (Nx caches it). */
  artifactsDir: string;
  /** Directory of wheels or index URL for pip-type packages (env NX_SAGE_PIP_INDEX wins). */
  pipIndex?: string;
  /** Parallel jobs inside one package build (MAKE=make -jN). Default: SAGE_NUM_THREADS, else half the CPUs. */
  jobs?: number;
  /** This package may use an upstream file without a checksum (plugin option allowUnchecksummed names it). */
  allowUnchecksummed?: boolean;
  /** Build only: configure's PCFILES this package needs first (absolute; stage/pc-files.ts). */
  pcFiles?: string[];
}

export interface ResolvedOptions {
  layout: SageLayout;
  artifactsDir: string;
}

const minorVersions = new Map<string, Promise<string>>();

/**
 * `3.11` of a Python executable, asked once per process (a batch or a build's prerequisites resolve
 * the options of hundreds of packages that name the same Python) and once per Nx run (common/run-memo.ts;
 * keyed by what picks the interpreter: the name, PATH, the directory and pyenv's version selection).
 */
export function pythonMinorVersion(python: string): Promise<string> {
  let pending = minorVersions.get(python);
  if (!pending) {
    const ask = () => run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).then((result) => result.output.trim().split('\n').pop()!.trim());
    pending = memoizeForRun({ pythonMinor: python, cwd: process.cwd(), path: process.env.PATH, pyenv: process.env.PYENV_VERSION }, ask);
    minorVersions.set(python, pending);
    pending.catch(() => minorVersions.delete(python));
  }
  return pending;
}

const DEFAULT_JOBS = () => Math.max(1, Math.floor(availableParallelism() / 2));

/**
 * Absolute paths from the (workspace-relative) options. Environment overrides as in Sage:
 * SAGE_DISTFILES, SAGE_NUM_THREADS; NX_SAGE_PIP_INDEX for pip-type packages.
 */
export async function resolveOptions(
  options: SpkgExecutorOptions,
  workspaceRoot: string,
  env: Record<string, string | undefined> = process.env,
  minorOf: (python: string) => Promise<string> = pythonMinorVersion,
): Promise<ResolvedOptions> {
  if (!options.package) throw new TypeError("nx-sage: option 'package' is required");
  if (options.sageRoot === undefined) throw new TypeError("nx-sage: option 'sageRoot' is required");
  if (!options.artifactsDir) throw new TypeError("nx-sage: option 'artifactsDir' is required");
  const abs = (base: string, p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const sageRoot = abs(workspaceRoot, options.sageRoot);
  const python = options.python ?? 'python3';
  const sageLocal = abs(sageRoot, options.sageLocal ?? 'local');
  const sageVenv = options.sageVenv
    ? abs(sageRoot, options.sageVenv)
    : join(sageLocal, 'var', 'lib', 'sage', `venv-python${await minorOf(python)}`);
  const threads = Number(env.SAGE_NUM_THREADS);
  const jobs = options.jobs ?? (Number.isInteger(threads) && threads > 0 ? threads : DEFAULT_JOBS());
  const pipIndex = env.NX_SAGE_PIP_INDEX || options.pipIndex;
  return {
    layout: {
      workspaceRoot,
      sageRoot,
      pkgsDir: join(sageRoot, 'build', 'pkgs'),
      sageLocal,
      sageVenv,
      distfiles: env.SAGE_DISTFILES ? abs(workspaceRoot, env.SAGE_DISTFILES) : abs(sageRoot, options.distfiles ?? 'upstream'),
      python,
      ...(options.venvFlags ? { venvFlags: options.venvFlags.split(/\s+/).filter(Boolean) } : {}),
      jobs,
      ...(options.allowUnchecksummed ? { allowUnchecksummed: [options.package] } : {}),
      ...(pipIndex ? { pipIndex: /^[a-z]+:\/\//i.test(pipIndex) ? pipIndex : abs(workspaceRoot, pipIndex) } : {}),
    },
    artifactsDir: abs(workspaceRoot, options.artifactsDir),
  };
}
