/**
 * The pkg-config stand-ins of a configured checkout (configure's PCFILES, e.g. `gsl.pc`, `blas.pc` for a
 * system GSL or BLAS; build/pkgs/<pkg>/spkg-configure.m4 writes their recipes into build/make/Makefile).
 * make writes them before sagelib, its only package that names $(PCFILES) as prerequisites. nx-sage
 * asks the checkout's own Makefile to write the missing ones (`make -f build/make/Makefile <files>`), so
 * the files are exactly make's, whatever a Sage release puts in the recipes.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { configuredMakeVariables, WITHOUT_CALLER_MAKE_FLAGS } from '../graph/configured/configure-outputs';
import { run } from '../process/run';

export interface PcFilesInput {
  /** Absolute SAGE_ROOT of the configured checkout. */
  sageRoot: string;
  sageLocal: string;
  /** Absolute paths, as make names them ($(SAGE_PKGCONFIG)/<name>.pc). */
  files: readonly string[];
  signal?: AbortSignal;
  log: (line: string) => void;
}

/** The files of `files` that do not exist (a dangling link counts as missing, as it does for make). */
export const missingPcFiles = (files: readonly string[], exists: (file: string) => boolean = existsSync): string[] => files.filter((f) => !exists(f));

/** make's arguments that write `files` through the configured Makefile. */
export function pcFilesMakeArgs(sageRoot: string, sageLocal: string, files: readonly string[]): string[] {
  return ['-f', join(sageRoot, 'build/make/Makefile'), '--no-print-directory', ...configuredMakeVariables(sageRoot, sageLocal), ...files];
}

/** Writes the missing stand-ins; throws with make's output when make fails. */
export async function ensurePcFiles(input: PcFilesInput): Promise<string[]> {
  const missing = missingPcFiles(input.files);
  if (!missing.length) return [];
  input.log(`pkg-config stand-ins (configure's PCFILES): make ${missing.map((f) => basename(f)).join(' ')}`);
  // One recipe per file, as build/make/install runs it.
  const result = await run('make', pcFilesMakeArgs(input.sageRoot, input.sageLocal, missing), {
    cwd: input.sageRoot,
    signal: input.signal,
    reject: false,
    env: WITHOUT_CALLER_MAKE_FLAGS,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `make could not write the pkg-config files ${missing.join(' ')} (exit ${result.exitCode}) from ${join(input.sageRoot, 'build/make/Makefile')}:\n` +
        `${result.output.trim().split('\n').slice(-15).join('\n')}\n→ re-run ./configure; if the system package behind them was removed, configure will build Sage's own`,
    );
  }
  return missing;
}
