import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpkgError } from './errors';
import { readSpkg, type Spkg } from './package';

/** A Sage source tree's package metadata: every `build/pkgs/<name>/` that has a `type` file. */
export interface SageTree {
  sageRoot: string;
  pkgsDir: string;
  packages: Spkg[];
  /** Packages whose metadata could not be read (one error each); the others are still returned. */
  errors: SpkgError[];
  /** The tree's build/make/Makefile.in (path and text), or null: Sage 10.10's values are used. */
  makefileIn: string | null;
  makefileText: string | null;
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
      else errors.push(new SpkgError(`cannot read the package directory (${(error as Error).message})`, { code: 'EUNREADABLE', pkg: name, file: join(pkgsDir, name), hint: 'make its files readable' }));
    }
  }
  const file = makefileInPath(sageRoot);
  const makefileText = existsSync(file) ? readFileSync(file, 'utf8') : null;
  return { sageRoot, pkgsDir, packages, errors, makefileIn: makefileText === null ? null : file, makefileText };
}
