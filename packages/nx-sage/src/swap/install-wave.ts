import type { Spkg } from '../spkg';
import { readArtifact, readArtifactScripts, type ArtifactMeta } from '../stage/artifact';
import { hashPrefix } from '../stage/build-package';
import { helperMode } from '../stage/scripts';
import type { PackageLogger } from '../tree/logger';
import { installStagingRoot, spkgPaths, type SageLayout, type SpkgPaths } from '../tree/paths';
import { collectStaleStaging } from './staging';
import type { WithLock } from './exclusive';
import { installGroup, type Member } from './install-group';
import { installFacts, installPackage } from './install-package';
import { planInstall, type InstallAction } from './plan-install';
import { groupByTree, type TopoOutcome } from './topo';
import { wheelOnlyInstall } from './wheel-only';

/*
 * Batch install: many install tasks in one process. Up-to-date packages are answered by the no-op
 * check (one shared section for the whole wave). Pure wheel installs of one tree are installed
 * together in ONE exclusive section with one `pip uninstall` and one `pip install` (install-group.ts).
 * Everything else (and every package of a group whose combined pip call failed) goes through
 * installPackage, one by one, so a failure is always attributed to its own package.
 */

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

/** A usable artifact for this package and tree (else installPackage reports the exact problem). */
function validArtifact(item: BatchItem, paths: SpkgPaths): ArtifactMeta | undefined {
  const meta = readArtifact(item.artifactsDir);
  if (!meta || meta.package !== item.spkg.name || meta.version !== item.spkg.versionWithPatchlevel) return undefined;
  return meta.relocatable || meta.prefixHash === hashPrefix(paths.tree) ? meta : undefined;
}

export const decide = (item: BatchItem, paths: SpkgPaths, meta: ArtifactMeta) => planInstall(installFacts(item.layout, paths, item.spkg.name, meta));

/**
 * Installs one wave of ready (mutually independent) packages; yields each package's result as soon
 * as it is known. Never throws for a package's failure.
 */
export async function* installWave(input: WaveInput): AsyncGenerator<TopoOutcome<ItemResult>> {
  const installOne = input.installOne ?? installPackage;
  // Staging left by dead installs goes even if the whole wave is a no-op (only dead owners' dirs: no lock needed).
  for (const root of new Set(input.items.map((item) => installStagingRoot(item.layout.sageLocal)))) collectStaleStaging(root);
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

