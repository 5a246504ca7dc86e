import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpkgError } from './errors';
import { parseMakefileVars, resolveMakeVars, type MakeVars } from './make-vars';
import { readSpkg, type Spkg } from './package';

/** A Sage source tree's package metadata: every `build/pkgs/<name>/` that has a `type` file. */
export interface SageTree {
  sageRoot: string;
  pkgsDir: string;
  packages: Spkg[];
  /** Packages whose metadata could not be read; the others are still returned. */
  errors: SpkgError[];
  makeVars: MakeVars;
  /** The file the make variables came from, or null when the built-in 10.10 values are used. */
  makefileIn: string | null;
}

export function makefileInPath(sageRoot: string): string {
  return join(sageRoot, 'build', 'make', 'Makefile.in');
}

/** Package names of a tree: directories of build/pkgs that contain a `type` file, sorted. */
export function listPackageNames(pkgsDir: string): string[] {
  return readdirSync(pkgsDir, { withFileTypes: true })
    .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && existsSync(join(pkgsDir, entry.name, 'type')))
    .map((entry) => entry.name)
    .sort();
}

export function readMakeVars(sageRoot: string): { makeVars: MakeVars; makefileIn: string | null } {
  const file = makefileInPath(sageRoot);
  if (!existsSync(file)) return { makeVars: resolveMakeVars(null), makefileIn: null };
  return { makeVars: resolveMakeVars(parseMakefileVars(readFileSync(file, 'utf8'))), makefileIn: file };
}

/** Reads all packages of the tree at `sageRoot`, collecting per-package errors instead of stopping. */
export function readSageTree(sageRoot: string, names?: string[]): SageTree {
  const pkgsDir = join(sageRoot, 'build', 'pkgs');
  const packages: Spkg[] = [];
  const errors: SpkgError[] = [];
  for (const name of names ?? listPackageNames(pkgsDir)) {
    try {
      packages.push(readSpkg(pkgsDir, name));
    } catch (error) {
      if (error instanceof SpkgError) errors.push(error);
      else throw error;
    }
  }
  return { sageRoot, pkgsDir, packages, errors, ...readMakeVars(sageRoot) };
}
