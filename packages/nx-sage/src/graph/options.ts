/** Options of the nx-sage plugin in nx.json (`plugins: [{ plugin: 'nx-sage', options: {...} }]`). */
export interface NxSagePluginOptions {
  /** Prefix for project names (`sage-` → `sage-gmp`). @default '' */
  projectPrefix?: string;
  /** Optional or experimental packages to enable (configure `--enable-<pkg>`). */
  enable?: string[];
  /** Enable every package of these types as well (`optional`, `experimental`). */
  enableTypes?: Array<'optional' | 'experimental'>;
  /** Packages provided by the system (configure found them): satisfied without building. */
  system?: string[];
  /** Packages whose test suites run (SAGE_CHECK): true for all enabled packages. @default false */
  check?: boolean | string[];
  /** Python used to create the venv. @default 'python3' */
  python?: string;
  /**
   * configure rejected the system Python: trees that still have a python3 package build it, and their
   * `$(PYTHON)` names it instead of the venv node (Makefile.in's `ifneq ($(PYTHON_FOR_VENV),)`). @default false
   */
  buildPython?: boolean;
  /**
   * Flags of the venv's creation (configure's SAGE_VENV_FLAGS, e.g. `--system-site-packages`): passed to
   * build/bin/sage-venv; `--system-site-packages` is part of the venv stamp's name, as in make. @default ''
   */
  venvFlags?: string;
  /** SAGE_LOCAL, relative to the Sage root (the directory holding build/pkgs). @default 'local' */
  sageLocal?: string;
  /** SAGE_VENV relative to the Sage root; default: `<sageLocal>/var/lib/sage/venv-python<X.Y>` chosen at run time. */
  sageVenv?: string;
  /** Where upstream files are kept (SAGE_DISTFILES), relative to the Sage root. @default 'upstream' */
  distfiles?: string;
  /** Order-only dependencies invalidate the build cache too (stricter than Sage). @default false */
  hermetic?: boolean;
  /** Target names; set one to false to leave that target out. */
  targetNames?: Partial<Record<TargetKind, string | false>>;
  /** Packages allowed to use an upstream file that checksums.ini gives no checksum for (refused otherwise). @default [] */
  allowUnchecksummed?: string[];
}

export type TargetKind = 'download' | 'build' | 'install' | 'uninstall' | 'check';

export interface NormalizedOptions {
  projectPrefix: string;
  enable: string[];
  enableTypes: Array<'optional' | 'experimental'>;
  system: string[];
  check: boolean | string[];
  python: string;
  buildPython: boolean;
  venvFlags: string;
  sageLocal: string;
  sageVenv: string | null;
  distfiles: string;
  hermetic: boolean;
  targetNames: Record<TargetKind, string | false>;
  allowUnchecksummed: string[];
}

const DEFAULT_TARGET_NAMES: Record<TargetKind, string> = {
  download: 'download',
  build: 'build',
  install: 'install',
  uninstall: 'uninstall',
  check: 'check',
};

/** Returns a new, complete options object (the input is never mutated); hash the result, not the input. */
export function normalizeOptions(options: NxSagePluginOptions | undefined): NormalizedOptions {
  const o = options ?? {};
  return {
    projectPrefix: o.projectPrefix ?? '',
    enable: [...(o.enable ?? [])].sort(),
    enableTypes: [...(o.enableTypes ?? [])].sort(),
    system: [...(o.system ?? [])].sort(),
    check: Array.isArray(o.check) ? [...o.check].sort() : (o.check ?? false),
    python: o.python ?? 'python3',
    buildPython: o.buildPython ?? false,
    venvFlags: (o.venvFlags ?? '').trim(),
    sageLocal: o.sageLocal ?? 'local',
    sageVenv: o.sageVenv ?? null,
    distfiles: o.distfiles ?? 'upstream',
    hermetic: o.hermetic ?? false,
    targetNames: { ...DEFAULT_TARGET_NAMES, ...(o.targetNames ?? {}) },
    allowUnchecksummed: [...(o.allowUnchecksummed ?? [])].sort(),
  };
}
