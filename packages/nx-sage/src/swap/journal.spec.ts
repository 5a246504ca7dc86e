import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree, writeTree } from '../testing/temp-tree';
import { spkgPaths, type SageLayout } from '../tree/paths';
import type { PackageLogger } from '../tree/logger';
import { FileSwap } from './file-swap';
import { swapTestHooks } from './hooks';
import { commitStamp } from './install-package';
import { journalFile, readJournals, writeJournal } from './journal';
import { completeSwap, recoverInterruptedSwaps, rollbackSwap } from './recover';
import { removeInstalled } from './remove-installed';
import { formatStamp, type SageStamp } from './stamp';
import { moveScriptsAside, planSwap } from './swap-plan';

/*
 * Crash points of a swap, on disk without processes: the swap is cut at every step (as a SIGKILL
 * would), then the next exclusive holder's recovery runs. The tree must be exactly the old or exactly
 * the new version. Control: the same cuts without the journal leave trees that are neither.
 */
class Crash extends Error {}

const stamp = (version: string, files: string[]): SageStamp => ({
  package_name: 'foo', package_version: version, install_date: 'd', system_uname: '', sage_version: '', test_result: '', files,
});
const OLD_FILES = ['lib/libfoo.so.1', 'share/foo/old.txt', 'share/foo/deep/a.txt'];
const NEW_FILES = ['lib/libfoo.so.1', 'include/foo.h', 'share/foo/new.txt'];
const logger: PackageLogger = { info: () => undefined, logFile: '/dev/null', close: () => undefined } as unknown as PackageLogger;

describe('swap journal: every crash point ends exactly old or exactly new', () => {
  let root: string;
  let tree: string;
  let layout: SageLayout;
  const paths = () => spkgPaths(layout, { name: 'foo', versionWithPatchlevel: '2.0', trees: 'SAGE_LOCAL' });

  beforeEach(() => {
    root = makeTempTree({});
    tree = join(root, 'local');
    layout = { workspaceRoot: root, sageRoot: root, pkgsDir: join(root, 'build/pkgs'), sageLocal: tree, sageVenv: join(tree, 'venv'), distfiles: '', python: 'python3', jobs: 1 };
    writeTree(tree, {
      'lib/libfoo.so.1': 'old lib',
      'share/foo/old.txt': 'old only',
      'share/foo/deep/a.txt': 'old deep',
      'share/other/keep.txt': 'other package',
      'var/lib/sage/installed/foo-1.0': formatStamp(stamp('1.0', OLD_FILES)),
      'var/lib/sage/scripts/foo/spkg-check': 'old check',
    });
    writeTree(join(root, 'staged'), { 'lib/libfoo.so.1': 'new lib', 'include/foo.h': 'new header', 'share/foo/new.txt': 'new' });
  });
  afterEach(() => {
    swapTestHooks.onStep = undefined;
    swapTestHooks.journalDisabled = false;
    removeTree(root);
  });

  /** The swap of install-package.ts without scripts; `crashAt` cuts it at that step (no rollback runs, as after SIGKILL). */
  async function swap(crashAt = -1): Promise<number> {
    let step = 0;
    swapTestHooks.onStep = () => {
      if (step++ === crashAt) throw new Crash();
    };
    const p = paths();
    const journal = planSwap({ layout, paths: p, pkg: 'foo', newFiles: NEW_FILES, newDists: [], keepFiles: false, newScripts: ['check'] });
    writeJournal(journal);
    const files = new FileSwap(p.tree, journal.backupDir);
    const aside = moveScriptsAside(journal);
    await removeInstalled({ pkg: 'foo', tree: p.tree, stampDir: p.stampDir, pkgScriptsDir: aside ?? '/nonexistent', logger, keep: new Set(NEW_FILES), swap: files });
    for (const rel of NEW_FILES) files.put(rel, join(root, 'staged', rel));
    mkdirSync(p.pkgScriptsDir, { recursive: true });
    writeFileSync(join(p.pkgScriptsDir, 'spkg-check'), 'new check');
    commitStamp(journal, stamp('2.0', NEW_FILES));
    completeSwap(journal);
    swapTestHooks.onStep?.('done');
    return step;
  }

  /** Files of the tree (stamps as name + manifest), empty dirs marked. */
  function snapshot(): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
      const names = readdirSync(join(tree, rel));
      if (names.length === 0 && rel) out.push(`${rel}/ (empty)`);
      for (const name of names) {
        const child = rel ? `${rel}/${name}` : name;
        if (lstatSync(join(tree, child)).isDirectory()) walk(child);
        else if (child.startsWith('var/lib/sage/installed/')) out.push(`${child} = ${JSON.stringify(JSON.parse(readFileSync(join(tree, child), 'utf8')).files)}`);
        else out.push(`${child} = ${readFileSync(join(tree, child), 'utf8')}`);
      }
    };
    walk('');
    return out.filter((l) => !l.startsWith('var/lib/sage/nx-journal/ (empty)')).sort();
  }

  async function outcomes(): Promise<{ steps: number; verdicts: string[] }> {
    const before = snapshot();
    const steps = await swap();
    const after = snapshot();
    expect(after).not.toEqual(before);
    const verdicts: string[] = [];
    for (let k = 0; k < steps; k++) {
      removeTree(root);
      beforeEachTree();
      await expect(swap(k)).rejects.toBeInstanceOf(Crash);
      swapTestHooks.onStep = undefined;
      await recoverInterruptedSwaps([tree], () => undefined);
      const now = snapshot();
      verdicts.push(JSON.stringify(now) === JSON.stringify(before) ? 'old' : JSON.stringify(now) === JSON.stringify(after) ? 'new' : `broken at step ${k}`);
    }
    return { steps, verdicts };
  }
  // beforeEach's tree again (each crash point starts from the old version).
  const beforeEachTree = () => {
    writeTree(tree, {
      'lib/libfoo.so.1': 'old lib',
      'share/foo/old.txt': 'old only',
      'share/foo/deep/a.txt': 'old deep',
      'share/other/keep.txt': 'other package',
      'var/lib/sage/installed/foo-1.0': formatStamp(stamp('1.0', OLD_FILES)),
      'var/lib/sage/scripts/foo/spkg-check': 'old check',
    });
    writeTree(join(root, 'staged'), { 'lib/libfoo.so.1': 'new lib', 'include/foo.h': 'new header', 'share/foo/new.txt': 'new' });
  };

  it('recovery after a crash at each step gives exactly the old or exactly the new version', async () => {
    const { steps, verdicts } = await outcomes();
    expect(steps).toBeGreaterThan(8);
    expect(verdicts.filter((v) => v.startsWith('broken'))).toEqual([]);
    expect(verdicts).toContain('old');
    expect(verdicts).toContain('new'); // a crash after the stamp commit is finished, not undone
    expect(existsSync(journalFile(tree, 'foo'))).toBe(false);
  });

  it('control: without the journal the same crash points leave broken trees', async () => {
    swapTestHooks.journalDisabled = true;
    const { verdicts } = await outcomes();
    expect(verdicts.filter((v) => v.startsWith('broken')).length).toBeGreaterThan(0);
  });

  it('a failed rollback keeps the backup and the journal and names the backup', async () => {
    await expect(swap(6)).rejects.toBeInstanceOf(Crash);
    swapTestHooks.onStep = undefined;
    const [{ journal }] = readJournals(tree);
    // Make the rollback fail: a directory where an old file must come back.
    const rel = journal!.remove.find((r) => existsSync(join(journal!.backupDir, r)))!;
    mkdirSync(join(tree, rel, 'blocker'), { recursive: true });
    const error = await rollbackSwap(journal!, { pip: false, log: () => undefined }).catch((e: Error) => e);
    expect(String(error)).toContain(journal!.backupDir);
    expect(existsSync(join(journal!.backupDir, rel))).toBe(true);
    expect(existsSync(journalFile(tree, 'foo'))).toBe(true);
  });
});
