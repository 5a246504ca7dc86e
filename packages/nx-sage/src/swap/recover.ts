import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BuildError } from '../tree/errors';
import { removeEmptyParents } from './file-swap';
import { readJournals, removeJournal, type SwapJournal } from './journal';
import { restorePipState } from './pip-restore';
import { ATOMIC_TMP_PREFIX, writeFileAtomic } from './stamp';
import { lexists } from '../tree/lexists';

export interface RecoverOptions {
  /** Put the old distributions back with pip (false: the caller does it, e.g. a batch's one pip call). */
  pip: boolean;
  log: (message: string) => void;
}

/**
 * Undoes a swap that did not reach its commit, from the journal and what is on disk, so it can run
 * again after a crash in the middle of itself: every step is idempotent. The backup and the journal
 * go last; if a step fails they stay and the error says where they are.
 */
export async function rollbackSwap(journal: SwapJournal, options: RecoverOptions): Promise<void> {
  const { tree, backupDir } = journal;
  try {
    rmSync(journal.newStamp, { force: true });
    for (const rel of [...journal.add].reverse()) {
      rmSync(join(tree, rel), { force: true });
      rmSync(`${join(tree, rel)}.nxsage-tmp`, { force: true });
    }
    for (const rel of [...journal.replace, ...journal.remove]) {
      const backup = join(backupDir, rel);
      rmSync(`${join(tree, rel)}.nxsage-tmp`, { force: true });
      if (!lexists(backup)) continue; // never moved
      mkdirSync(dirname(join(tree, rel)), { recursive: true });
      renameSync(backup, join(tree, rel));
    }
    restoreScripts(journal);
    for (const old of journal.oldStamps) {
      if (!existsSync(old.file) || readFileSync(old.file, 'utf8') !== old.text) writeFileAtomic(old.file, old.text);
    }
    if (options.pip && journal.pip) await restorePipState(journal.pip, options.log);
    for (const rel of journal.add) removeEmptyParents(tree, rel);
  } catch (error) {
    throw new BuildError(
      `could not roll back the interrupted install of ${journal.pkgName} in ${tree}: ${(error as Error).message}. ` +
        `The previous files are kept in ${backupDir} (same relative paths) and the journal in ${journalPath(journal)}`,
      {
        code: 'EINSTALL',
        pkg: journal.pkg,
        phase: 'install',
        file: backupDir,
        hint: `fix the cause, then run any install of this tree again (it retries the rollback first); never delete ${backupDir} by hand before that`,
        cause: error,
      },
    );
  }
  dropBackup(journal);
  removeJournal(journal);
}

/** Finishes a committed swap (new stamp in place): old files' empty dirs, other stamps, backup. */
export function completeSwap(journal: SwapJournal): void {
  for (const rel of journal.remove) removeEmptyParents(journal.tree, rel);
  for (const old of journal.oldStamps) if (old.file !== journal.newStamp) rmSync(old.file, { force: true });
  dropBackup(journal);
  removeJournal(journal);
}

function restoreScripts(journal: SwapJournal): void {
  const { dir, aside, moved, written } = journal.scripts;
  const movedSet = new Set(moved);
  for (const name of written) if (!movedSet.has(name)) rmSync(join(dir, name), { force: true });
  for (const name of moved) {
    if (!lexists(join(aside, name))) continue;
    mkdirSync(dir, { recursive: true });
    renameSync(join(aside, name), join(dir, name));
  }
}

function dropBackup(journal: SwapJournal): void {
  rmSync(journal.backupDir, { recursive: true, force: true });
  rmSync(journal.scripts.aside, { recursive: true, force: true });
}

const journalPath = (journal: SwapJournal) => join(journal.tree, 'var/lib/sage/nx-journal', `${journal.pkg}.json`);

/**
 * Run FIRST by every exclusive holder of a tree: finishes committed swaps and rolls back the others
 * that a crash (kill -9, OOM, power loss) left, so the tree holds exactly the old or exactly the new
 * version of each package, with its stamp and manifest. Returns the packages it repaired.
 */
export async function recoverInterruptedSwaps(trees: readonly string[], log: (message: string) => void): Promise<string[]> {
  const repaired: string[] = [];
  for (const tree of [...new Set(trees)]) {
    for (const entry of readJournals(tree)) {
      if (!entry.journal) {
        throw new BuildError(`unreadable swap journal ${entry.file} (${entry.error})`, {
          code: 'EINSTALL',
          pkg: 'nx-sage',
          phase: 'install',
          file: entry.file,
          hint: 'inspect it; it names the backup of the interrupted install. Move it away to continue.',
        });
      }
      const journal = entry.journal;
      if (journal.state === 'committed') {
        log(`finishing the interrupted install of ${journal.pkgName} (pid ${journal.owner.pid} on ${journal.owner.host}): it had committed`);
        completeSwap(journal);
      } else {
        log(`rolling back the interrupted install of ${journal.pkgName} (pid ${journal.owner.pid} on ${journal.owner.host})`);
        await rollbackSwap(journal, { pip: true, log });
      }
      repaired.push(journal.pkg);
    }
    cleanAtomicTemps(join(tree, 'var', 'lib', 'sage', 'installed'));
  }
  return repaired;
}

/** Temp files of stamp writes that a crash interrupted (they never replaced anything). */
function cleanAtomicTemps(dir: string): void {
  try {
    for (const name of readdirSync(dir)) if (name.startsWith(ATOMIC_TMP_PREFIX)) rmSync(join(dir, name), { force: true });
  } catch {
    // no stamp dir
  }
}
