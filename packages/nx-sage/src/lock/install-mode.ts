import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InstallLockMode } from './install-lock';
import { lexists } from '../tree/lexists';

/** What decides whether an install may run beside builds (see install-lock.ts). */
export interface AdditiveFacts {
  /** The install plan's action: only a first install ('install') can be additive. */
  action: 'skip' | 'install' | 'reinstall';
  /** The tree has a stamp of this package (any version). */
  stamped: boolean;
  /** Files of the artifact's manifest that already exist in the tree. */
  presentFiles: number;
  /** Python distributions of the artifact that the venv already has (any version). */
  presentDistributions: number;
  /** The artifact runs a pre- or post-install script (may change anything in the tree). */
  hasInstallHooks: boolean;
}

/** `additive` only for a first install that adds files and distributions nobody has: pure. */
export function chooseInstallMode(facts: AdditiveFacts): { mode: InstallLockMode; why: string } {
  if (facts.action !== 'install' || facts.stamped) return { mode: 'exclusive', why: 'replaces an installed version' };
  if (facts.presentFiles > 0) return { mode: 'exclusive', why: `${facts.presentFiles} of its files are already in the tree` };
  if (facts.presentDistributions > 0) return { mode: 'exclusive', why: 'the venv already has its Python distribution' };
  if (facts.hasInstallHooks) return { mode: 'exclusive', why: 'runs spkg-preinst/spkg-postinst' };
  return { mode: 'additive', why: 'first install: adds files only' };
}

/** How many of `files` (tree-relative) exist in `tree`. */
export function countPresentFiles(tree: string, files: readonly string[]): number {
  let n = 0;
  for (const file of files) if (lexists(join(tree, file.replace(/^\/+/, '')))) n++;
  return n;
}

const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '_');

/** How many of `names` have a dist-info (any version) in the venv's site-packages. */
export function countPresentDistributions(venv: string, names: readonly string[]): number {
  if (names.length === 0) return 0;
  const installed = new Set<string>();
  let libs: string[] = [];
  try {
    libs = readdirSync(join(venv, 'lib')).filter((d) => d.startsWith('python'));
  } catch {
    return 0;
  }
  for (const lib of libs) {
    let entries: string[] = [];
    try {
      entries = readdirSync(join(venv, 'lib', lib, 'site-packages'));
    } catch {
      continue;
    }
    for (const entry of entries) {
      const match = /^(.+?)-[^-]+\.(?:dist|egg)-info$/.exec(entry);
      if (match) installed.add(normalize(match[1]));
    }
  }
  return names.filter((name) => installed.has(normalize(name))).length;
}

// What other programs use to find a package: Python metadata, pkg-config files, libtool archives,
// Sage's installed scripts. They go in last, so a package is either not found or found complete.
const METADATA = [/\.(?:dist|egg)-info(?:\/|$)/, /(?:^|\/)pkgconfig\/[^/]+\.pc$/, /\.la$/, /^var\/lib\/sage\//];

/** `files` in the order an additive install puts them into the tree: metadata last, else unchanged. */
export function installOrder(files: readonly string[]): string[] {
  const isMeta = (file: string) => METADATA.some((re) => re.test(file.replace(/^\/+/, '')));
  return [...files.filter((f) => !isMeta(f)), ...files.filter(isMeta)];
}
