/**
 * The pkg-config stand-ins of a configured checkout (configure's PCFILES, e.g. `gsl.pc`, `blas.pc` for a
 * system GSL or BLAS; build/pkgs/<pkg>/spkg-configure.m4 writes their recipes into build/make/Makefile).
 * make writes them before sagelib, its only package that names $(PCFILES) as prerequisites. nx-sage
 * asks the checkout's own Makefile to write the missing ones (`make -f build/make/Makefile <files>`), so
 * the files are exactly make's, whatever a Sage release puts in the recipes.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run, type RunResult } from '../process/run';

export interface PcFilesInput {
  /** Absolute SAGE_ROOT of the configured checkout. */
  sageRoot: string;
  sageLocal: string;
  /** Absolute paths, as make names them ($(SAGE_PKGCONFIG)/<name>.pc). */
  files: readonly string[];
  signal?: AbortSignal;
  log: (line: string) => void;
}

export type RunMake = (args: string[], cwd: string, signal?: AbortSignal) => Promise<RunResult>;

const runMake: RunMake = (args, cwd, signal) =>
  // No make flags from the caller: one recipe per file, run as build/make/install runs it.
  run('make', args, { cwd, signal, reject: false, env: { MAKEFLAGS: '', MFLAGS: '', MAKELEVEL: '' } });

/** The files of `files` that do not exist (a dangling link counts as missing, as it does for make). */
export const missingPcFiles = (files: readonly string[], exists: (file: string) => boolean = existsSync): string[] => files.filter((f) => !exists(f));

/** make's arguments that write `files` through the configured Makefile. */
export function pcFilesMakeArgs(sageRoot: string, sageLocal: string, files: readonly string[]): string[] {
  return [
    '-f', join(sageRoot, 'build/make/Makefile'), '--no-print-directory',
    `SAGE_ROOT=${sageRoot}`, `SAGE_SRC=${sageRoot}/src`, `SAGE_LOCAL=${sageLocal}`, `SAGE_PKGCONFIG=${join(sageLocal, 'lib/pkgconfig')}`,
    ...files,
  ];
}

/** Writes the missing stand-ins; throws with make's output when make fails. */
export async function ensurePcFiles(input: PcFilesInput, make: RunMake = runMake): Promise<string[]> {
  const missing = missingPcFiles(input.files);
  if (!missing.length) return [];
  input.log(`pkg-config stand-ins (configure's PCFILES): make ${missing.map((f) => f.slice(dirname(f).length + 1)).join(' ')}`);
  const result = await make(pcFilesMakeArgs(input.sageRoot, input.sageLocal, missing), input.sageRoot, input.signal);
  if (result.exitCode !== 0) {
    throw new Error(
      `make could not write the pkg-config files ${missing.join(' ')} (exit ${result.exitCode}) from ${join(input.sageRoot, 'build/make/Makefile')}:\n` +
        `${result.output.trim().split('\n').slice(-15).join('\n')}\n→ re-run ./configure; if the system package behind them was removed, configure will build Sage's own`,
    );
  }
  return missing;
}
