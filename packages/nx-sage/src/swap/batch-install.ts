import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../process/run';
import type { Spkg } from '../spkg';
import { readArtifact, readArtifactScripts, unpackArtifactTree, type ArtifactMeta } from '../stage/artifact';
import { hashPrefix } from '../stage/build-package';
import { buildSpkgEnv } from '../stage/env';
import { FileSwap } from './file-swap';
import { chooseInstallMode, installOrder } from '../lock';
import {
  additiveFacts,
  installFacts,
  installPackage,
  KEEP_EXISTING_PACKAGES,
  makeStamp,
  moveAside,
  restoreAside,
  type WithLock,
} from './install-package';
import type { PackageLogger } from '../tree/logger';
import { spkgPaths, venvPython, type SageLayout, type SpkgPaths } from '../tree/paths';
import { planInstall, type InstallAction } from './plan-install';
import { rewriteTreePath, TREE_PLACEHOLDER } from '../stage/relocate';
import { removeInstalled } from './remove-installed';
import { extractScriptBody } from '../stage/script-wrapper';
import { helperMode, writeWrappedScript } from '../stage/scripts';
import { formatStamp, readStamps, type SageStamp } from './stamp';
import { normalizeDistName } from './venv-state';

/*
 * Batch install: many install tasks in one process. Up-to-date packages are answered by the no-op
 * check (one shared section for the whole wave). Packages whose artifact is nothing but stored
 * wheels + the spkg-requirements/pipinst/piprm that our sdh helpers write are installed together in
 * ONE exclusive section with one `pip uninstall` and one `pip install` for the group. Everything
 * else (and every package of a group whose combined pip call failed) goes through installPackage,
 * one by one, so a failure is always attributed to its own package.
 */

// ---- pure parts -------------------------------------------------------------------------------

const REQUIREMENTS_REF = String.raw`"\$SAGE_SPKG_SCRIPTS/\$PKG_BASE/spkg-requirements.txt"`;
/** What sdh_store_and_pip_install_wheel appends to spkg-pipinst (no pip options: they would need care). */
const PIPINST_LINE = new RegExp(String.raw`^sdh_actually_pip_install_wheel ([A-Za-z0-9._]+)\s+-r ${REQUIREMENTS_REF}$`);
/** ... and to spkg-piprm. */
const PIPRM_LINE = new RegExp(String.raw`^sdh_pip_uninstall -r ${REQUIREMENTS_REF}$`);
const WHEEL_FILE = /^var\/lib\/sage\/wheels\/[^/]+\.whl$/;
const ALLOWED_SCRIPTS = new Set(['pipinst', 'piprm', 'check']);

export interface WheelOnlyInstall {
  /** Distribution names the pipinst lines (un)install, in order. */
  dists: string[];
}

const lines = (body: string) =>
  body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

/**
 * Whether an artifact is a pure wheel install that may join a combined pip call: returns the
 * distributions, or why not (a string). Anything we do not recognise exactly goes the normal way.
 */
export function wheelOnlyInstall(meta: ArtifactMeta, scripts: Record<string, string>): WheelOnlyInstall | string {
  if (meta.source === 'pip') return 'pip-type package (requirements resolved by pip)';
  if (KEEP_EXISTING_PACKAGES.has(meta.package)) return 'toolchain package kept while reinstalled';
  const requirements = `var/lib/sage/scripts/${meta.package}/spkg-requirements.txt`;
  const wheels = meta.files.filter((f) => WHEEL_FILE.test(f));
  const other = meta.files.filter((f) => f !== requirements && !WHEEL_FILE.test(f));
  if (other.length > 0) return `installs files other than wheels (${other[0]})`;
  if (wheels.length === 0 || !meta.files.includes(requirements)) return 'no stored wheel with spkg-requirements.txt';
  const names = Object.keys(scripts);
  const extra = names.filter((n) => !ALLOWED_SCRIPTS.has(n));
  if (extra.length > 0) return `has spkg-${extra[0]}`;
  if (scripts.pipinst === undefined || scripts.piprm === undefined) return 'no spkg-pipinst/spkg-piprm';
  const dists: string[] = [];
  for (const line of lines(scripts.pipinst)) {
    const match = PIPINST_LINE.exec(line);
    if (!match) return `spkg-pipinst is not plain sdh_store_and_pip_install_wheel output: ${line}`;
    dists.push(match[1]);
  }
  const rm = lines(scripts.piprm);
  if (rm.length === 0 || !rm.every((l) => PIPRM_LINE.test(l))) return 'spkg-piprm is not plain sdh_store_and_pip_install_wheel output';
  const want = new Set(meta.distributions.map((d) => normalizeDistName(d.name)));
  const got = new Set(dists.map(normalizeDistName));
  if (dists.length === 0 || want.size !== got.size || [...want].some((d) => !got.has(d))) {
    return 'the wheels stored and the distributions spkg-pipinst installs differ';
  }
  return { dists };
}

/** Distribution names of a requirements file (`name @ file://...`, `name==1.0`, `name`); undefined if it has options. */
export function requirementNames(text: string): string[] | undefined {
  const names: string[] = [];
  for (const line of lines(text)) {
    if (line.startsWith('-')) return undefined;
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
    if (!match) return undefined;
    names.push(match[1]);
  }
  return names;
}

/** What removing the installed version does in the venv, when it is only what our piprm does. */
export interface OldState {
  /** Distributions its piprm would uninstall. */
  dists: string[];
}

/**
 * The installed version (its stamp and SAGE_SPKG_SCRIPTS/<pkg>) may be removed inside the group
 * only when removal runs no script but a plain piprm (whose pip uninstall the group does itself).
 */
export function oldStateOf(
  installed: { files?: unknown } | undefined,
  scriptsDir: { entries: string[]; read: (name: string) => string },
): OldState | string {
  if (!installed || !Array.isArray(installed.files)) return { dists: [] }; // no stamp / no manifest: no script runs
  const entries = scriptsDir.entries;
  const unknown = entries.filter((n) => !['spkg-requirements.txt', 'spkg-piprm', 'spkg-check'].includes(n));
  if (unknown.length > 0) return `the installed version has ${unknown[0]}`;
  if (!entries.includes('spkg-piprm')) return { dists: [] };
  const body = lines(extractScriptBody(scriptsDir.read('spkg-piprm')));
  if (!body.every((l) => PIPRM_LINE.test(l))) return 'the installed spkg-piprm is not plain sdh_pip_uninstall';
  if (body.length === 0) return { dists: [] };
  if (!entries.includes('spkg-requirements.txt')) return { dists: [] };
  const names = requirementNames(scriptsDir.read('spkg-requirements.txt'));
  return names ? { dists: names } : 'the installed spkg-requirements.txt has pip options';
}

/** Groups installs that may share one exclusive section and one pip call: same tree, same venv. */
export function groupByTree<T extends { key: string }>(items: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.key, [...(groups.get(item.key) ?? []), item]);
  return [...groups.values()];
}

export interface TopoOutcome<R> {
  id: string;
  result: R;
}

/**
 * Runs `ids` in waves respecting `deps` (edges to ids outside the set are ignored: Nx only puts a
 * task in a batch once those completed). A task with a failed or blocked dependency is not run:
 * `blocked(id, failedDep)` gives its result. A cycle reports the rest as blocked.
 */
export async function* runTopologically<R>(
  ids: readonly string[],
  deps: Record<string, readonly string[] | undefined>,
  runWave: (ready: string[]) => AsyncIterable<TopoOutcome<R>>,
  ok: (result: R) => boolean,
  blocked: (id: string, failedDep: string | undefined) => R,
): AsyncGenerator<TopoOutcome<R>> {
  const inSet = new Set(ids);
  const depsOf = (id: string) => (deps[id] ?? []).filter((d) => inSet.has(d) && d !== id);
  const done = new Map<string, boolean>();
  while (done.size < ids.length) {
    const ready: string[] = [];
    let progressed = false;
    for (const id of ids) {
      if (done.has(id)) continue;
      const ds = depsOf(id);
      const failed = ds.find((d) => done.get(d) === false);
      if (failed !== undefined) {
        done.set(id, false);
        progressed = true;
        yield { id, result: blocked(id, failed) };
      } else if (ds.every((d) => done.get(d) === true)) ready.push(id);
    }
    if (ready.length === 0) {
      if (progressed) continue;
      for (const id of ids) {
        if (done.has(id)) continue;
        done.set(id, false);
        yield { id, result: blocked(id, undefined) };
      }
      break;
    }
    const seen = new Set<string>();
    for await (const outcome of runWave(ready)) {
      if (!inSet.has(outcome.id) || seen.has(outcome.id)) continue;
      seen.add(outcome.id);
      done.set(outcome.id, ok(outcome.result));
      yield outcome;
    }
    for (const id of ready) {
      if (seen.has(id)) continue;
      done.set(id, false);
      yield { id, result: blocked(id, undefined) };
    }
  }
}

// ---- the wave installer -----------------------------------------------------------------------

export interface BatchItem {
  id: string;
  layout: SageLayout;
  spkg: Spkg;
  artifactsDir: string;
  /** Console + log file (+ the task's captured output). */
  logger: PackageLogger;
  /** Log file + the task's captured output, not the console: combined pip output goes here. */
  fileLine: (text: string) => void;
  /** Lock helper owned by this package (per-package route). */
  withLock: WithLock;
}

export type ItemRoute = 'noop' | 'group' | 'single';
export type ItemResult =
  | { ok: true; route: ItemRoute; action: InstallAction; reason: string }
  | { ok: false; route: ItemRoute; error: unknown };

export interface WaveInput {
  items: BatchItem[];
  /** Lock helper for sections that cover several packages. */
  batchLock: WithLock;
  baseEnv: Record<string, string | undefined>;
  /** Echo of one line of combined pip output to the console (once, not per package). */
  echoGroupLine: (label: string, text: string) => void;
  /** Test seam: the per-package install (default installPackage). */
  installOne?: typeof installPackage;
}

interface Member {
  item: BatchItem;
  paths: SpkgPaths;
  meta: ArtifactMeta;
  scripts: Record<string, string>;
  wheel: WheelOnlyInstall;
  // Set inside the exclusive section.
  action?: InstallAction;
  reason?: string;
  old?: OldState;
  oldStamps?: { file: string; text: string; stamp?: SageStamp }[];
  swap?: FileSwap;
  oldScripts?: string;
  undone?: boolean;
}

/** A usable artifact for this package and tree (else installPackage reports the exact problem). */
function validArtifact(item: BatchItem, paths: SpkgPaths): ArtifactMeta | undefined {
  const meta = readArtifact(item.artifactsDir);
  if (!meta || meta.package !== item.spkg.name || meta.version !== item.spkg.versionWithPatchlevel) return undefined;
  return meta.relocatable || meta.prefixHash === hashPrefix(paths.tree) ? meta : undefined;
}

const decide = (item: BatchItem, paths: SpkgPaths, meta: ArtifactMeta) => planInstall(installFacts(item.layout, paths, item.spkg.name, meta));

/**
 * Installs one wave of ready (mutually independent) packages; yields each package's result as soon
 * as it is known. Never throws for a package's failure.
 */
export async function* installWave(input: WaveInput): AsyncGenerator<TopoOutcome<ItemResult>> {
  const installOne = input.installOne ?? installPackage;
  const single: BatchItem[] = [];
  const candidates: { item: BatchItem; paths: SpkgPaths; meta: ArtifactMeta }[] = [];
  for (const item of input.items) {
    const paths = spkgPaths(item.layout, item.spkg);
    const meta = validArtifact(item, paths);
    if (meta) candidates.push({ item, paths, meta });
    else single.push(item);
  }

  // The no-op check of every candidate in one shared section.
  const noop = new Map<string, string>();
  if (candidates.length > 0) {
    try {
      await input.batchLock('shared', `check ${candidates.length} package(s)`, async () => {
        for (const c of candidates) {
          const plan = decide(c.item, c.paths, c.meta);
          if (plan.action === 'skip') noop.set(c.item.id, plan.reason);
        }
      });
    } catch {
      // The lock failed: let the per-package route report it per package.
      noop.clear();
    }
  }
  const members: Member[] = [];
  for (const c of candidates) {
    const reason = noop.get(c.item.id);
    if (reason !== undefined) {
      c.item.logger.info(`nothing to do: ${reason}`);
      yield { id: c.item.id, result: { ok: true, route: 'noop', action: 'skip', reason } };
      continue;
    }
    const scripts = readArtifactScripts(c.item.artifactsDir, c.meta);
    const wheel = helperMode(c.item.layout).checkout ? 'a Sage checkout: its own helpers run pip' : wheelOnlyInstall(c.meta, scripts);
    if (typeof wheel === 'string') {
      single.push(c.item);
    } else members.push({ ...c, scripts, wheel });
  }

  const fallback: BatchItem[] = [];
  for (const group of groupByTree(members.map((m) => ({ key: `${m.paths.tree}\0${m.item.layout.sageVenv}`, m })))) {
    if (group.length === 1) {
      single.push(group[0].m.item);
      continue;
    }
    const results = await installGroup(
      group.map((g) => g.m),
      input,
    );
    for (const [member, result] of results) {
      if (result === 'fallback') fallback.push(member.item);
      else yield { id: member.item.id, result };
    }
  }

  for (const item of [...single, ...fallback]) {
    const route: ItemRoute = 'single';
    try {
      const plan = await installOne({ layout: item.layout, spkg: item.spkg, artifactsDir: item.artifactsDir, logger: item.logger, withLock: item.withLock, baseEnv: input.baseEnv });
      yield { id: item.id, result: { ok: true, route: plan.action === 'skip' ? 'noop' : route, action: plan.action, reason: plan.reason } };
    } catch (error) {
      yield { id: item.id, result: { ok: false, route, error } };
    }
  }
}

const PIP = ['-m', 'pip', '--disable-pip-version-check', '--isolated'];

/** Our helpers' pip flags (sdh_actually_pip_install_wheel), for several requirement files at once. */
export function groupPipArgs(wheelsDirs: string[], requirementFiles: string[], uninstall: string[]) {
  return {
    uninstall: [...PIP, 'uninstall', '--yes', '--no-input', ...uninstall],
    install: [
      ...PIP,
      'install',
      '--no-index',
      ...[...new Set(wheelsDirs)].map((d) => `--find-links=${d}`),
      '--no-build-isolation',
      '--no-cache-dir',
      ...requirementFiles.flatMap((f) => ['-r', f]),
    ],
  };
}

const unique = (names: string[]) => {
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = normalizeDistName(n);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/**
 * One exclusive section for the group: every package's old version out and new files in (each
 * undoable), one pip uninstall, one pip install, stamps. If the pip install fails, everything is
 * undone and the members are returned as 'fallback' (the caller installs them one by one).
 */
async function installGroup(members: Member[], input: WaveInput): Promise<[Member, ItemResult | 'fallback'][]> {
  const results = new Map<Member, ItemResult | 'fallback'>();
  const first = members[0].item;
  const label = `install batch: ${members.map((m) => m.item.spkg.name).join(' ')}`;
  try {
    for (const m of members) {
      rmSync(m.paths.installStaging, { recursive: true, force: true });
      await unpackArtifactTree(m.item.artifactsDir, m.meta, join(m.paths.installStaging, 'tree'));
      // As installPackage: a relocatable (wheel-only) artifact's requirement files get this tree's path.
      if (m.meta.relocatable) rewriteTreePath(join(m.paths.installStaging, 'tree'), m.meta.files, TREE_PLACEHOLDER, m.paths.tree);
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
    await input.batchLock(groupMode, label, async (signal) => {
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
          await stageMember(m, input, stamps, signal);
          active.push(m);
        } catch (error) {
          undoMember(m);
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
        const removed = await pip(args.uninstall, notInstalledWarning);
        if (removed.exitCode !== 0) groupLine(`nx-sage: warning: pip uninstall failed (exit code ${removed.exitCode}); continuing`);
        const installed = await pip(args.install);
        if (installed.exitCode === 0 && !installed.isCanceled) {
          for (const m of active) {
            mkdirSync(m.paths.stampDir, { recursive: true });
            writeFileSync(join(m.paths.stampDir, m.paths.pkgName), formatStamp(makeStamp(m.item.layout, m.item.spkg, m.meta)));
            m.swap!.commit();
            committed.add(m);
            if (m.oldScripts) rmSync(m.oldScripts, { recursive: true, force: true });
            m.item.logger.info(`installed ${m.paths.pkgName} into ${m.paths.tree} (${m.meta.files.length} files, batched)`);
            results.set(m, { ok: true, route: 'group', action: m.action!, reason: m.reason! });
          }
          return;
        }
        groupLine(`nx-sage: the combined pip install failed (exit code ${installed.exitCode}); undoing it and installing these packages one by one`);
        for (const m of [...active].reverse()) undoMember(m);
        // Partially installed new distributions out, the previous wheels (restored files) back in.
        await pip([...PIP, 'uninstall', '--yes', '--no-input', ...unique(active.flatMap((m) => m.wheel.dists))], notInstalledWarning);
        const previous = active.filter((m) => (m.old?.dists.length ?? 0) > 0 && existsSync(join(m.paths.pkgScriptsDir, 'spkg-requirements.txt')));
        if (previous.length > 0) {
          const again = groupPipArgs(
            previous.map((m) => m.paths.wheelsDir),
            previous.map((m) => join(m.paths.pkgScriptsDir, 'spkg-requirements.txt')),
            [],
          );
          if ((await pip(again.install)).exitCode !== 0) {
            for (const m of previous) {
              const one = groupPipArgs([m.paths.wheelsDir], [join(m.paths.pkgScriptsDir, 'spkg-requirements.txt')], []);
              const code = (await pip(one.install)).exitCode;
              m.item.logger.info(code === 0 ? 'reinstalled the previous wheel(s)' : `warning: could not reinstall the previous wheel(s) (exit code ${code})`);
            }
          }
        }
        for (const m of active) results.set(m, 'fallback');
      } catch (error) {
        // Anything unexpected (not a pip exit code): what is not committed is undone and goes one by one.
        for (const m of [...active].reverse()) if (!committed.has(m)) undoMember(m);
        groupLine(`nx-sage: the batched install stopped (${(error as Error).message}); installing the rest one by one`);
        for (const m of active) if (!committed.has(m)) results.set(m, 'fallback');
      }
    });
  } catch (error) {
    // The lock or an unpack failed before anything was touched: each member goes its own way.
    first.logger.info(`batched install not possible (${(error as Error).message}); installing one by one`);
  } finally {
    for (const m of members) rmSync(m.paths.installStaging, { recursive: true, force: true });
  }
  return members.map((m) => [m, results.get(m) ?? 'fallback']);
}

/** The file part of swapIn for one member (no script runs: the group does the pip work). */
async function stageMember(m: Member, input: WaveInput, stamps: ReturnType<typeof readStamps>, signal: AbortSignal): Promise<void> {
  const { layout, spkg } = m.item;
  const staging = m.paths.installStaging;
  m.oldStamps = stamps.map((s) => ({ file: s.file, text: readFileSync(s.file, 'utf8'), stamp: s.stamp }));
  m.swap = new FileSwap(m.paths.tree, join(staging, 'backup'));
  m.oldScripts = moveAside(m.paths.pkgScriptsDir, join(staging, 'old-scripts'), new Set(m.meta.files));
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
    swap: m.swap,
  });
  for (const rel of installOrder(m.meta.files)) m.swap.put(rel, join(staging, 'tree', rel));
  const runDir = join(staging, 'run');
  mkdirSync(runDir, { recursive: true });
  const env = buildSpkgEnv({ layout, spkg, paths: m.paths, baseEnv: input.baseEnv, pkgDir: runDir });
  const mode = helperMode(layout);
  for (const name of ['piprm', 'check']) {
    if (m.scripts[name] === undefined) continue;
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

/** Puts a member's previous state back: files, installed scripts, stamps. */
function undoMember(m: Member): void {
  if (m.undone) return;
  m.undone = true;
  rmSync(join(m.paths.stampDir, m.paths.pkgName), { force: true });
  m.swap?.rollback();
  restoreAside(m.paths.pkgScriptsDir, m.oldScripts, new Set(m.meta.files));
  for (const old of m.oldStamps ?? []) writeFileSync(old.file, old.text);
  m.swap = undefined;
  m.oldScripts = undefined;
}

