import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { hashFile } from './checksum';

export const ARTIFACT_FORMAT = 'nx-sage-artifact/1';
const META = 'artifact.json';
const TREE = 'tree.tar.gz';
const SCRIPTS = 'scripts';
const RUN_DIR = 'rundir';

/**
 * What `build` hands to `install` (and what Nx caches): the staged tree as a tarball of paths
 * relative to the install tree, the script bodies install needs, and this metadata.
 */
export interface ArtifactMeta {
  format: typeof ARTIFACT_FORMAT;
  package: string;
  /** version with patchlevel: the stamp's name part. */
  version: string;
  source: string;
  trees: string;
  /**
   * The tree the package was configured for (configure --prefix, rpaths, wheel URLs point here);
   * relative to the workspace root so that the artifact itself holds no machine path.
   */
  prefix: string;
  /** Short hash of the absolute prefix: install refuses an artifact configured for another path. */
  prefixHash: string;
  /** Only stored wheels + requirement files (tree path replaced by a placeholder): installable at any path. */
  relocatable?: boolean;
  /** sha256 over the upstream file and the package directory's files. */
  sourceHash: string;
  /** The manifest: files and symlinks relative to the tree. */
  files: string[];
  /** Names of the stored script bodies (pipinst, postinst, prerm, piprm, postrm, check). */
  scripts: string[];
  /** Python distributions the artifact installs into the venv ({name, version} from the wheel names). */
  distributions: { name: string; version: string }[];
  /**
   * Top-level files of the build directory that install puts into the directory where spkg-pipinst,
   * spkg-postinst and spkg-check run: sage-spkg runs them in the build directory, and Sage's pip
   * package relies on it (its spkg-pipinst puts `$(pwd)/*.whl` on PYTHONPATH).
   */
  runFiles?: string[];
  /** sha256 over the tree tarball, the scripts and the fields above; recorded in the stamp. */
  hash: string;
}

export type ArtifactInput = Omit<ArtifactMeta, 'format' | 'hash' | 'scripts' | 'distributions' | 'runFiles'> & {
  /** Directory whose content is the staged tree (SAGE_DESTDIR_LOCAL). */
  stagedRoot: string;
  /** The build directory and the names of its top-level files to keep (see ArtifactMeta.runFiles). */
  runDir?: { dir: string; files: string[] };
  scriptBodies: Record<string, string>;
};

/** `name-version-...whl` → {name, version} (wheel names are already normalised). */
export function parseWheelName(file: string): { name: string; version: string } | undefined {
  const base = file.split('/').pop() ?? '';
  const match = /^([^-]+)-([^-]+)-.*\.whl$/.exec(base);
  return match ? { name: match[1], version: match[2] } : undefined;
}

/** Writes the artifact into `dir` (replacing what was there) and returns its metadata. */
export async function writeArtifact(dir: string, input: ArtifactInput): Promise<ArtifactMeta> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, SCRIPTS), { recursive: true });
  if (input.files.length > 0) {
    await tar.create({ gzip: true, file: join(tmp, TREE), cwd: input.stagedRoot, portable: true }, input.files);
  }
  const scripts = Object.keys(input.scriptBodies).sort();
  for (const name of scripts) writeFileSync(join(tmp, SCRIPTS, name), input.scriptBodies[name]);
  // Wheels stored in SAGE_SPKG_WHEELS are the distributions spkg-pipinst installs. pip-type
  // packages keep their requirements' wheels elsewhere (var/lib/sage/pip/<pkg>): pip decides which
  // of those get installed, so only their stamp says whether they are present.
  const distributions = input.files
    .filter((f) => f.startsWith('var/lib/sage/wheels/'))
    .map(parseWheelName)
    .filter((d): d is { name: string; version: string } => d !== undefined);
  const { stagedRoot: _stagedRoot, scriptBodies, runDir, ...fields } = input;
  const runFiles = [...(runDir?.files ?? [])].sort();
  if (runFiles.length > 0) mkdirSync(join(tmp, RUN_DIR));
  for (const name of runFiles) copyFileSync(join(runDir!.dir, name), join(tmp, RUN_DIR, name));
  const unhashed = { format: ARTIFACT_FORMAT, ...fields, scripts, distributions, ...(runFiles.length ? { runFiles } : {}) };
  const hash = createHash('sha256');
  hash.update(JSON.stringify(unhashed));
  if (input.files.length > 0) hash.update(await hashFile(join(tmp, TREE), 'sha256'));
  for (const name of scripts) hash.update(`\0${name}\0${scriptBodies[name]}`);
  for (const name of runFiles) hash.update(`\0run\0${name}\0${await hashFile(join(tmp, RUN_DIR, name), 'sha256')}`);
  const meta: ArtifactMeta = { ...unhashed, hash: hash.digest('hex') } as ArtifactMeta;
  writeFileSync(join(tmp, META), `${JSON.stringify(meta, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '..'), { recursive: true });
  renameSync(tmp, dir);
  return meta;
}

/** Reads an artifact's metadata; undefined when there is none (build did not run / was cleaned). */
export function readArtifact(dir: string): ArtifactMeta | undefined {
  const file = join(dir, META);
  if (!existsSync(file)) return undefined;
  const meta = JSON.parse(readFileSync(file, 'utf8')) as ArtifactMeta;
  return meta.format === ARTIFACT_FORMAT ? meta : undefined;
}

export function readArtifactScripts(dir: string, meta: ArtifactMeta): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of meta.scripts) out[name] = readFileSync(join(dir, SCRIPTS, name), 'utf8');
  return out;
}

/** Puts the artifact's run-directory files (build directory top level) into `dest`. */
export function copyArtifactRunFiles(dir: string, meta: ArtifactMeta, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const name of meta.runFiles ?? []) copyFileSync(join(dir, RUN_DIR, name), join(dest, name));
}

/** Unpacks the staged tree into `dest` (fresh directory). */
export async function unpackArtifactTree(dir: string, meta: ArtifactMeta, dest: string): Promise<void> {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  if (meta.files.length === 0) return;
  await tar.extract({ file: join(dir, TREE), cwd: dest, strict: true, preserveOwner: false });
}

/** Names in the artifact directory, for diagnostics. */
export function listArtifact(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
