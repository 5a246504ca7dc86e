import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../process/run';
import { unpackArtifactTree, type ArtifactMeta } from '../stage/artifact';
import { buildSpkgEnv } from '../stage/env';
import { rewriteTreePath, TREE_PLACEHOLDER } from '../stage/relocate';
import { helperMode, writeWrappedScript } from '../stage/scripts';
import { venvPython, type SpkgPaths } from '../tree/paths';
import { withSwapLock } from './exclusive';
import { chooseInstallMode, installOrder } from '../lock';
import { FileSwap } from './file-swap';
import { groupPipArgs, PIP, unique } from './group-pip';
import { swapStep } from './hooks';
import { additiveFacts, commitStamp, makeStamp } from './install-package';
import { decide, type BatchItem, type ItemResult, type WaveInput } from './install-wave';
import { writeJournal, type SwapJournal } from './journal';
import type { InstallAction } from './plan-install';
import { completeSwap, rollbackSwap } from './recover';
import { removeInstalled } from './remove-installed';
import { guardSwap } from './signal-guard';
import { createStaging, removeStaging } from './staging';
import { readStamps } from './stamp';
import { moveScriptsAside, planSwap } from './swap-plan';
import { oldStateOf, type OldState, type WheelOnlyInstall } from './wheel-only';

export interface Member {
  item: BatchItem;
  paths: SpkgPaths;
  meta: ArtifactMeta;
  scripts: Record<string, string>;
  wheel: WheelOnlyInstall;
  // Set inside the exclusive section.
  action?: InstallAction;
  reason?: string;
  old?: OldState;
  /** This attempt's staging directory (swap/staging.ts). */
  staging?: string;
  /** The member's swap journal, on disk before its first file moves. */
  journal?: SwapJournal;
}

/**
 * One exclusive section for the group: every package's old version out and new files in (each
 * journaled), one pip uninstall, one pip install, stamps. If the pip install fails, everything is
 * undone and the members are returned as 'fallback' (the caller installs them one by one). A crash
 * leaves the journals: the next exclusive holder rolls back (or finishes) each member on its own.
 */
export async function installGroup(members: Member[], input: WaveInput): Promise<[Member, ItemResult | 'fallback'][]> {
  const results = new Map<Member, ItemResult | 'fallback'>();
  const first = members[0].item;
  const label = `install batch: ${members.map((m) => m.item.spkg.name).join(' ')}`;
  try {
    for (const m of members) {
      m.staging = createStaging(m.paths.installStagingRoot, m.item.spkg.name);
      await unpackArtifactTree(m.item.artifactsDir, m.meta, join(m.staging, 'tree'));
      // As installPackage: a relocatable (wheel-only) artifact's requirement files get this tree's path.
      if (m.meta.relocatable) rewriteTreePath(join(m.staging, 'tree'), m.meta.files, TREE_PLACEHOLDER, m.paths.tree);
    }
    // Additive (beside builds) only when every member is a first install (lock/install-lock.ts);
    // checked again inside, where a member that no longer qualifies goes its own way.
    const modeOf = (m: Member, plan = decide(m.item, m.paths, m.meta)) => chooseInstallMode(additiveFacts(m.item.layout, m.paths, m.meta, m.scripts, plan)).mode;
    const groupMode = members.every((m) => {
      const plan = decide(m.item, m.paths, m.meta);
      return plan.action === 'skip' || modeOf(m, plan) === 'additive';
    })
      ? 'additive'
      : 'exclusive';
    // NEEDS_EXCLUSIVE (an interrupted swap waits for recovery) leaves every member to go one by one.
    await withSwapLock(input.batchLock, groupMode, first.layout, label, (msg) => first.logger.info(msg), (lockSignal) =>
      guardSwap(lockSignal, async (signal) => {
        const active: Member[] = [];
        const groupLine = (text: string) => {
          for (const m of active) m.item.fileLine(text);
          input.echoGroupLine(label, text);
        };
        for (const m of members) {
          const plan = decide(m.item, m.paths, m.meta);
          if (plan.action === 'skip') {
            m.item.logger.info(`nothing to do: ${plan.reason}`);
            results.set(m, { ok: true, route: 'noop', action: 'skip', reason: plan.reason });
            continue;
          }
          if (groupMode === 'additive' && modeOf(m, plan) !== 'additive') {
            results.set(m, 'fallback');
            continue;
          }
          const stamps = readStamps(m.paths.stampDir, m.item.spkg.name);
          const dir = m.paths.pkgScriptsDir;
          const old = oldStateOf(stamps[stamps.length - 1]?.stamp, {
            entries: existsSync(dir) ? readdirSync(dir) : [],
            read: (name) => readFileSync(join(dir, name), 'utf8'),
          });
          if (typeof old === 'string') {
            m.item.logger.info(`not batched (${old}): installing on its own`);
            results.set(m, 'fallback');
            continue;
          }
          m.action = plan.action;
          m.reason = plan.reason;
          m.old = old;
          try {
            await stageMember(m, input, signal);
            active.push(m);
          } catch (error) {
            await undoMember(m);
            m.item.logger.info(`could not stage in the batch (${(error as Error).message}): installing on its own`);
            results.set(m, 'fallback');
          }
        }
        if (active.length === 0) return;
        const committed = new Set<Member>();
        try {
          for (const m of active) m.item.logger.info(`${m.action}: ${m.reason} (one pip call for ${active.length} packages)`);

          const python = venvPython(first.layout);
          const env = buildSpkgEnv({ layout: first.layout, spkg: first.spkg, paths: active[0].paths, baseEnv: input.baseEnv, pkgDir: active[0].paths.tree });
          const pip = (args: string[], filter?: (l: string) => boolean) =>
            run(python, args, { cwd: first.layout.sageRoot, env, signal, reject: false, onLine: (l) => (filter && !filter(l) ? undefined : groupLine(l)) });
          const notInstalledWarning = (l: string) => !/^WARNING: Skipping .* as it is not installed/.test(l);

          const args = groupPipArgs(
            active.map((m) => m.paths.wheelsDir),
            active.map((m) => join(m.paths.pkgScriptsDir, 'spkg-requirements.txt')),
            unique(active.flatMap((m) => [...(m.old?.dists ?? []), ...m.wheel.dists])),
          );
          groupLine(`nx-sage: pip uninstall + pip install of ${active.length} packages`);
          // As sdh_pip_uninstall / sdh_actually_pip_install_wheel: a failed uninstall only warns.
          swapStep('script-piprm');
          const removed = await pip(args.uninstall, notInstalledWarning);
          if (removed.exitCode !== 0) groupLine(`nx-sage: warning: pip uninstall failed (exit code ${removed.exitCode}); continuing`);
          swapStep('script-pipinst');
          const installed = await pip(args.install);
          if (installed.exitCode === 0 && !installed.isCanceled && !signal.aborted) {
            for (const m of active) {
              commitStamp(m.journal!, makeStamp(m.item.layout, m.item.spkg, m.meta));
              completeSwap(m.journal!);
              committed.add(m);
              m.item.logger.info(`installed ${m.paths.pkgName} into ${m.paths.tree} (${m.meta.files.length} files, batched)`);
              results.set(m, { ok: true, route: 'group', action: m.action!, reason: m.reason! });
            }
            swapStep('done');
            return;
          }
          groupLine(`nx-sage: the combined pip install failed (exit code ${installed.exitCode}); undoing it and installing these packages one by one`);
          for (const m of [...active].reverse()) await undoMember(m);
          await restoreGroupPip(active, pip, notInstalledWarning);
          for (const m of active) results.set(m, 'fallback');
        } catch (error) {
          // Anything unexpected (not a pip exit code): what is not committed is undone (with its pip state) and goes one by one.
          for (const m of [...active].reverse()) if (!committed.has(m)) await undoMember(m, true);
          groupLine(`nx-sage: the batched install stopped (${(error as Error).message}); installing the rest one by one`);
          for (const m of active) if (!committed.has(m)) results.set(m, 'fallback');
        }
        if (signal.aborted) throw signal.reason;
      }),
    );
  } catch (error) {
    // The lock or an unpack failed before anything was touched (or a signal stopped the batch after undoing it).
    first.logger.info(`batched install not possible (${(error as Error).message}); installing one by one`);
  } finally {
    for (const m of members) if (m.staging) removeStaging(m.staging);
  }
  return members.map((m) => [m, results.get(m) ?? 'fallback']);
}

/** After the group's files are undone: partially installed new distributions out, the previous wheels back in. */
async function restoreGroupPip(
  active: Member[],
  pip: (args: string[], filter?: (l: string) => boolean) => ReturnType<typeof run>,
  notInstalledWarning: (l: string) => boolean,
): Promise<void> {
  await pip([...PIP, 'uninstall', '--yes', '--no-input', ...unique(active.flatMap((m) => m.wheel.dists))], notInstalledWarning);
  const previous = active.filter((m) => (m.old?.dists.length ?? 0) > 0 && existsSync(join(m.paths.pkgScriptsDir, 'spkg-requirements.txt')));
  if (previous.length === 0) return;
  const again = groupPipArgs(
    previous.map((m) => m.paths.wheelsDir),
    previous.map((m) => join(m.paths.pkgScriptsDir, 'spkg-requirements.txt')),
    [],
  );
  if ((await pip(again.install)).exitCode === 0) return;
  for (const m of previous) {
    const one = groupPipArgs([m.paths.wheelsDir], [join(m.paths.pkgScriptsDir, 'spkg-requirements.txt')], []);
    const code = (await pip(one.install)).exitCode;
    m.item.logger.info(code === 0 ? 'reinstalled the previous wheel(s)' : `warning: could not reinstall the previous wheel(s) (exit code ${code})`);
  }
}

/** The file part of swapIn for one member (no script runs: the group does the pip work). */
async function stageMember(m: Member, input: WaveInput, signal: AbortSignal): Promise<void> {
  const { layout, spkg } = m.item;
  const staging = m.staging!;
  const written = ['piprm', 'check'].filter((name) => m.scripts[name] !== undefined);
  m.journal = planSwap({
    layout,
    paths: m.paths,
    pkg: spkg.name,
    newFiles: m.meta.files,
    newDists: m.meta.distributions.map((d) => d.name),
    keepFiles: false,
    newScripts: written,
  });
  writeJournal(m.journal);
  const swap = new FileSwap(m.paths.tree, m.journal.backupDir);
  moveScriptsAside(m.journal);
  // Given a scripts directory without scripts, removeInstalled runs nothing: the old manifest's
  // files go into the swap and the stamps go. The old piprm's pip uninstall is the group's.
  await removeInstalled({
    pkg: spkg.name,
    tree: m.paths.tree,
    stampDir: m.paths.stampDir,
    pkgScriptsDir: join(staging, 'no-old-scripts'),
    logger: m.item.logger,
    signal,
    keep: new Set(m.meta.files),
    swap,
  });
  for (const rel of installOrder(m.meta.files)) swap.put(rel, join(staging, 'tree', rel));
  const runDir = join(staging, 'run');
  mkdirSync(runDir, { recursive: true });
  const env = buildSpkgEnv({ layout, spkg, paths: m.paths, baseEnv: input.baseEnv, pkgDir: runDir });
  const mode = helperMode(layout);
  for (const name of written) {
    writeWrappedScript({
      file: join(m.paths.pkgScriptsDir, `spkg-${name}`),
      body: m.scripts[name],
      env,
      mode,
      installed: true,
      dir: name === 'piprm' ? layout.sageRoot : m.paths.buildDir,
      fallbackDir: name === 'check' ? spkg.dir : undefined,
    });
  }
}

/** Puts a member's previous state back from its journal: files, installed scripts, stamps (and pip state if asked). */
async function undoMember(m: Member, pip = false): Promise<void> {
  const journal = m.journal;
  m.journal = undefined;
  if (journal) await rollbackSwap(journal, { pip, log: (msg) => m.item.logger.info(msg) });
}
