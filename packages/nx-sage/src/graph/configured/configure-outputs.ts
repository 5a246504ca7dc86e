/**
 * configure's output files in a Sage checkout: whether the checkout is configured, whether that
 * configuration is older than the package files it was computed from (Sage's top-level Makefile re-runs
 * configure then), and the shell assignments of src/bin/sage-env-config. Reads files only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A problem with configure's outputs as a whole (not one package): what is wrong, the file, what to do. */
export class ConfigureError extends Error {
  constructor(readonly code: 'ENOTCONFIGURED' | 'ESTALECONFIGURE' | 'EMAKEDB', readonly file: string, problem: string, hint: string) {
    super(`${file}: ${problem}\n  → ${hint}`);
    this.name = 'ConfigureError';
  }
}

/** The trees build/make/install gives the configured Makefile, as make command-line variables. */
export const configuredMakeVariables = (sageRoot: string, sageLocal: string): string[] => [
  `SAGE_ROOT=${sageRoot}`, `SAGE_SRC=${sageRoot}/src`, `SAGE_LOCAL=${sageLocal}`, `SAGE_PKGCONFIG=${sageLocal}/lib/pkgconfig`,
];

/** No make flags or jobserver of the caller (an outer make or nx run) reach a make nx-sage starts. */
export const WITHOUT_CALLER_MAKE_FLAGS = { MAKEFLAGS: '', MFLAGS: '', MAKELEVEL: '' } as const;

/** configure's outputs that decide a build (the top-level Makefile's CONFIG_FILES): inputs of every build's hash. */
export const CONFIGURE_OUTPUTS = ['build/make/Makefile', 'src/bin/sage-env-config', 'build/bin/sage-build-env-config'] as const;

/** A checkout is configured when configure wrote its Makefile and environment (not only bootstrap's files). */
export function isConfigured(sageRoot: string): boolean {
  return existsSync(join(sageRoot, 'build/make/Makefile')) && existsSync(join(sageRoot, 'src/bin/sage-env-config'));
}

/**
 * A checkout with Sage's tooling (build/bin/sage-spkg, configure.ac) but no configure output: its scripts
 * cannot run ("failed to source src/bin/sage-src-env-config"); the caller says to run ./configure.
 */
export function needsConfigure(sageRoot: string): boolean {
  return existsSync(join(sageRoot, 'build/bin/sage-spkg')) && existsSync(join(sageRoot, 'configure.ac')) && !isConfigured(sageRoot);
}

export function unconfiguredError(sageRoot: string): ConfigureError {
  return new ConfigureError(
    'ENOTCONFIGURED',
    join(sageRoot, 'build/make/Makefile'),
    'this Sage checkout has build/bin/sage-spkg but was not configured (no build/make/Makefile, src/bin/sage-env-config): its scripts cannot run',
    `run \`./configure\` in ${sageRoot} (after \`./bootstrap\` if there is no ./configure yet); nx-sage then reads configure's decisions`,
  );
}

/** Content hash of configure's outputs (missing files hash as absent). */
export function configureOutputsHash(sageRoot: string): string {
  const hash = createHash('sha256');
  for (const file of CONFIGURE_OUTPUTS) {
    const path = join(sageRoot, file);
    hash.update(`${file}\0${existsSync(path) ? readFileSync(path) : '<absent>'}\0`);
  }
  return hash.digest('hex');
}

/**
 * The first package file newer than build/make/Makefile (Sage's SPKG_COLLECT_FILES: package-version.txt
 * and dependencies*, plus configure and the *.in templates), or null when the configuration is current.
 */
export function newerThanConfigure(sageRoot: string): string | null {
  const makefile = statSync(join(sageRoot, 'build/make/Makefile')).mtimeMs;
  const candidates = ['configure', ...CONFIGURE_OUTPUTS.map((f) => `${f}.in`)];
  const pkgsDir = join(sageRoot, 'build/pkgs');
  for (const entry of readdirSync(pkgsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of readdirSync(join(pkgsDir, entry.name))) {
      if (file === 'package-version.txt' || file.startsWith('dependencies')) candidates.push(`build/pkgs/${entry.name}/${file}`);
    }
  }
  for (const file of candidates) {
    const path = join(sageRoot, file);
    if (existsSync(path) && statSync(path).mtimeMs > makefile) return file;
  }
  return null;
}

export function staleConfigureError(sageRoot: string, newer: string): ConfigureError {
  return new ConfigureError(
    'ESTALECONFIGURE',
    join(sageRoot, newer),
    `newer than configure's build/make/Makefile: configure's decisions (versions, dependencies, system packages) are out of date`,
    `re-run configure as Sage's own Makefile would: \`make build/make/Makefile\` (or \`./configure\` with your options) in ${sageRoot}`,
  );
}

/** `export NAME="value"` / `NAME="value"` lines of a configure-written shell file (sage-env-config). */
export function parseShellAssignments(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|'([^']*)'|(\S*))\s*$/.exec(line);
    if (match) vars[match[1]] = match[2] ?? match[3] ?? match[4] ?? '';
  }
  return vars;
}
