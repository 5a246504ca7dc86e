import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { venvPython, type SageLayout, type SpkgPaths } from '../tree/paths';
import { newJournal, type PipRestore, type SwapJournal } from './journal';
import { isSafeManifestPath, removalOrder, stripLeadingSlash } from './manifest';
import { readStamps } from './stamp';
import { lexists } from '../tree/lexists';

export interface SwapPlanInput {
  layout: SageLayout;
  paths: SpkgPaths;
  pkg: string;
  /** The new version's manifest (relative paths). */
  newFiles: readonly string[];
  /** Distributions the new version installs into the venv. */
  newDists: readonly string[];
  /** gmp/mpfr/mpc: the old files stay (only the stamps go). */
  keepFiles: boolean;
  /** Installed scripts the new version writes into SAGE_SPKG_SCRIPTS/<pkg> (`prerm`, `piprm`, ...). */
  newScripts: readonly string[];
}

/**
 * Everything a swap will do, decided under the exclusive lock before anything moves, as the journal
 * that recovery needs: the old manifest's files that go, the new files (added or replacing), the
 * scripts moved aside and written, the old stamps, and how to restore pip's state.
 */
export function planSwap(input: SwapPlanInput): SwapJournal {
  const { paths, pkg } = input;
  const stamps = readStamps(paths.stampDir, pkg);
  const newest = stamps[stamps.length - 1];
  const keep = new Set(input.newFiles);
  const oldFiles = Array.isArray(newest?.stamp?.files) && !input.keepFiles ? newest.stamp.files : [];
  const remove = removalOrder(oldFiles.filter(isSafeManifestPath)).filter((rel) => !keep.has(rel));
  const add: string[] = [];
  const replace: string[] = [];
  for (const rel of input.newFiles) (lexists(join(paths.tree, rel)) ? replace : add).push(rel);
  const moved = existsSync(paths.pkgScriptsDir) ? readdirSync(paths.pkgScriptsDir).filter((n) => n !== 'spkg-requirements.txt' && !keep.has(n)) : [];
  const requirements = `var/lib/sage/scripts/${pkg}/spkg-requirements.txt`;
  const oldHasRequirements = oldFiles.map(stripLeadingSlash).includes(requirements);
  const python = venvPython(input.layout);
  const pip: PipRestore | undefined =
    (input.newDists.length > 0 || oldHasRequirements) && existsSync(python)
      ? {
          python,
          cwd: input.layout.sageRoot,
          newDists: [...input.newDists],
          oldRequirements: oldHasRequirements ? join(paths.tree, requirements) : undefined,
          wheelsDir: paths.wheelsDir,
        }
      : undefined;
  return newJournal({
    pkg,
    pkgName: paths.pkgName,
    tree: paths.tree,
    remove,
    add,
    replace,
    scripts: { dir: paths.pkgScriptsDir, moved, written: input.newScripts.map((n) => `spkg-${n}`) },
    oldStamps: stamps.map((s) => ({ file: s.file, text: readFileSync(s.file, 'utf8') })),
    newStamp: join(paths.stampDir, paths.pkgName),
    ...(pip ? { pip } : {}),
  });
}

/** Moves the old version's installed scripts listed in the journal aside (recovery moves them back). */
export function moveScriptsAside(journal: SwapJournal): string | undefined {
  const { dir, aside, moved } = journal.scripts;
  if (!existsSync(dir)) return undefined;
  mkdirSync(aside, { recursive: true });
  for (const name of moved) if (lexists(join(dir, name))) renameSync(join(dir, name), join(aside, name));
  return aside;
}
