import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { swapStep, swapTestHooks } from './hooks';
import { fsyncDir, writeFileAtomic } from './stamp';

/**
 * The on-disk record of one swap (`<tree>/var/lib/sage/nx-journal/<pkg>.json`), written, fsynced and
 * renamed into place BEFORE the first file of the tree moves. It lists what the swap will do, not
 * what it did: recovery reads the disk (what is in the backup, what exists) to undo exactly the moves
 * that happened, so the journal is written twice only (start, committed) and not once per file.
 */
export interface SwapJournal {
  format: 1;
  pkg: string;
  /** `<pkg>-<version>` of the version being installed. */
  pkgName: string;
  tree: string;
  attempt: string;
  owner: { pid: number; host: string; since: number };
  /** 'committed' once the new stamp is in place: recovery then finishes instead of undoing. */
  state: 'swapping' | 'committed';
  /** Old files removed or replaced by the swap are moved (or linked) here, same relative path. */
  backupDir: string;
  /** Old version's manifest files that the new one does not bring (moved into the backup). */
  remove: string[];
  /** New files whose path did not exist before the swap. */
  add: string[];
  /** New files whose path existed (the old file is linked into the backup first). */
  replace: string[];
  /** SAGE_SPKG_SCRIPTS/<pkg>: the old version's scripts go to `aside`, the new ones are written. */
  scripts: { dir: string; aside: string; moved: string[]; written: string[] };
  /** Every stamp of the package before the swap (text), and the new stamp's path. */
  oldStamps: { file: string; text: string }[];
  newStamp: string;
  /** Python packages: how to put the old distributions back into the venv. */
  pip?: PipRestore;
}

export interface PipRestore {
  python: string;
  cwd: string;
  /** Distributions the new version installs (removed again on rollback unless the old one has them). */
  newDists: string[];
  /** The old version's spkg-requirements.txt (back in place after the file rollback), if it had one. */
  oldRequirements?: string;
  wheelsDir: string;
}

export const journalDir = (tree: string): string => join(tree, 'var', 'lib', 'sage', 'nx-journal');
export const journalFile = (tree: string, pkg: string): string => join(journalDir(tree), `${pkg}.json`);

export type JournalPlan = Omit<SwapJournal, 'format' | 'attempt' | 'owner' | 'state' | 'backupDir' | 'scripts'> & {
  scripts: Omit<SwapJournal['scripts'], 'aside'>;
};

/** A journal for a swap about to start: unique backup and scripts-aside dirs beside the journal. */
export function newJournal(plan: JournalPlan): SwapJournal {
  const attempt = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const dir = journalDir(plan.tree);
  return {
    format: 1,
    ...plan,
    attempt,
    owner: { pid: process.pid, host: hostname(), since: Date.now() },
    state: 'swapping',
    backupDir: join(dir, `${plan.pkg}.${attempt}.backup`),
    scripts: { ...plan.scripts, aside: join(dir, `${plan.pkg}.${attempt}.scripts`) },
  };
}

/** Durably records the journal (atomic: old or new content, never half). */
export function writeJournal(journal: SwapJournal): void {
  swapStep(`journal-${journal.state}`);
  if (swapTestHooks.journalDisabled) return;
  mkdirSync(journalDir(journal.tree), { recursive: true });
  writeFileAtomic(journalFile(journal.tree, journal.pkg), `${JSON.stringify(journal, null, 1)}\n`);
}

export function removeJournal(journal: SwapJournal): void {
  rmSync(journalFile(journal.tree, journal.pkg), { force: true });
  fsyncDir(journalDir(journal.tree));
}

/** Whether a swap of `pkg` in `tree` was interrupted (its tree state is undecided until recovered). */
export function journalPending(tree: string, pkg: string): boolean {
  return existsSync(journalFile(tree, pkg));
}

/** Whether any swap in these trees was interrupted and waits for an exclusive holder to recover it. */
export function journalsPending(trees: readonly string[]): boolean {
  return trees.some((tree) => existsSync(journalDir(tree)) && readdirSync(journalDir(tree)).some((name) => name.endsWith('.json')));
}

/** The journals left in a tree by interrupted swaps. */
export function readJournals(tree: string): { file: string; journal?: SwapJournal; error?: string }[] {
  const dir = journalDir(tree);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const file = join(dir, name);
      try {
        const journal = JSON.parse(readFileSync(file, 'utf8')) as SwapJournal;
        if (journal?.format !== 1 || !Array.isArray(journal.add)) return { file, error: 'not an nx-sage swap journal (format 1)' };
        return { file, journal };
      } catch (error) {
        return { file, error: (error as Error).message };
      }
    });
}
