import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { parseWheelName } from '../stage/artifact';
import type { SageLayout, SpkgPaths } from '../tree/paths';
import { isSafeManifestPath, stripLeadingSlash } from './manifest';
import { readStamps } from './stamp';
import { distributionsPresent } from './venv-state';
import { lexists } from '../tree/lexists';

/** What decides whether a package installed by Sage's own make counts as installed. */
export interface AdoptionFacts {
  /** The newest stamp of the package, if any. */
  stamp?: { version: string; artifactHash?: string; hasFiles: boolean };
  /** package-version.txt (with patchlevel) now. */
  version: string;
  /** Every file of the stamp's manifest exists in the tree. */
  filesPresent: boolean;
  /** Every wheel of the manifest (var/lib/sage/wheels) has its dist-info in the venv. */
  distributionsPresent: boolean;
}

/**
 * A tree built by make is adopted, not rebuilt: a JSON stamp sage-spkg wrote (no nx-sage key) for the
 * version in package-version.txt, whose manifest files still exist (and whose wheels are installed),
 * means "installed", exactly what make concludes from the stamp's name. Anything else is not adopted:
 * an old-style stamp without a manifest, another version, missing files.
 */
export function adoptionPlan(facts: AdoptionFacts): { adopt: boolean; reason: string } {
  const { stamp } = facts;
  if (!stamp) return { adopt: false, reason: 'not installed' };
  if (stamp.artifactHash) return { adopt: false, reason: 'installed by nx-sage' };
  if (stamp.version !== facts.version) return { adopt: false, reason: `make installed ${stamp.version}, the package is at ${facts.version}` };
  if (!stamp.hasFiles) return { adopt: false, reason: 'the stamp has no file manifest (old-style); reinstalling' };
  if (!facts.filesPresent) return { adopt: false, reason: 'files of the package installed by make are missing' };
  if (!facts.distributionsPresent) return { adopt: false, reason: 'the Python distribution installed by make is missing from the venv' };
  return { adopt: true, reason: `${facts.version} was installed by Sage's make (adopted: its stamp and files are in place)` };
}

/** The adoption facts of one package, read from its tree. */
export function readAdoptionFacts(layout: SageLayout, paths: SpkgPaths, pkg: string, version: string): AdoptionFacts {
  const stamps = readStamps(paths.stampDir, pkg);
  const newest = stamps[stamps.length - 1];
  const files = Array.isArray(newest?.stamp?.files) ? newest!.stamp!.files : undefined;
  const wheels = (files ?? [])
    .map(stripLeadingSlash)
    .filter((f) => f.startsWith('var/lib/sage/wheels/'))
    .map(parseWheelName)
    .filter((d): d is { name: string; version: string } => d !== undefined);
  return {
    stamp: newest && { version: newest.version, artifactHash: newest.stamp?.nx_sage?.artifact_hash, hasFiles: files !== undefined },
    version,
    filesPresent: files !== undefined && files.every((f) => !isSafeManifestPath(f) || lexists(join(paths.tree, stripLeadingSlash(f)))),
    distributionsPresent: distributionsPresent(layout.sageVenv, wheels),
  };
}

