import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { installWave, runTopologically, type BatchItem, type ItemResult, type TopoOutcome } from '../../swap/batch-install';
import { BuildError } from '../../tree/errors';
import type { WithLock } from '../../swap/install-package';
import { openPackageLogger, type PackageLogger } from '../../tree/logger';
import { spkgPaths } from '../../tree/paths';
import { recordTaskFacts } from '../../report/facts';
import { readSpkg, SpkgError } from '../../spkg';
import { pythonMinorVersion, resolveOptions, type SpkgExecutorOptions } from '../common/options';
import { packageTreeLock } from '../common/package-lock';
import { runStub, stubMode } from '../common/stub';
import { prepareVenv } from '../../stage/venv';
import { batchResult, batchTasks, type BatchTaskResult } from '../common/batch-tasks';

/**
 * Batch implementation of `install` (executors.json: batchImplementation, preferBatch). Nx hands it
 * the install tasks that are ready together; it installs them in dependency order, answers the
 * up-to-date ones from the no-op check, puts pure wheel installs of one tree into one exclusive
 * section with one pip call, and installs everything else as the single executor does. Each task's
 * result is reported as soon as it is known.
 */
export default async function* installBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, SpkgExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const { ids, deps } = batchTasks(taskGraph, inputs);
  const outputs = new Map<string, string>();
  const capture = (id: string, text: string) => outputs.set(id, (outputs.get(id) ?? '') + text);
  const started = new Map<string, number>();
  const blockedIds = new Set<string>();
  const blocked = (id: string, dep: string | undefined): ItemResult => {
    blockedIds.add(id);
    const why = dep ? `not installed: its dependency ${dep} failed` : 'not installed: the batch could not order it (dependency cycle?)';
    capture(id, `nx-sage: ${why}\n`);
    console.error(`nx-sage: ${id}: ${why}`);
    return { ok: false, route: 'single', error: new Error(why) };
  };
  const toNx = ({ id, result }: TopoOutcome<ItemResult>, skippedDep: boolean): BatchTaskResult =>
    batchResult(id, result.ok, skippedDep, outputs.get(id) ?? '', started.get(id));

  if (stubMode()) {
    const wave = async function* (ready: string[]): AsyncGenerator<TopoOutcome<ItemResult>> {
      for (const id of ready) {
        started.set(id, Date.now());
        const { success } = await runStub('install', inputs[id], context.root);
        yield { id, result: success ? { ok: true, route: 'single', action: 'install', reason: 'stub' } : { ok: false, route: 'single', error: new Error('stub install failed') } };
      }
    };
    for await (const outcome of runTopologically(ids, deps, wave, (r) => r.ok, blocked)) yield toNx(outcome, blockedIds.has(outcome.id));
    return;
  }

  const quiet = process.env.NX_SAGE_QUIET === '1';
  const loggers: PackageLogger[] = [];
  const items = new Map<string, BatchItem>();
  const setupErrors = new Map<string, unknown>();
  const loggerOf = new Map<string, PackageLogger>();
  // One lock helper per tree (SAGE_LOCAL) for the sections that cover several packages.
  const batchLocks = new Map<string, WithLock>();

  const setUp = async (id: string): Promise<BatchItem | undefined> => {
    const options = inputs[id];
    try {
      const { layout, artifactsDir } = await resolveOptions(options, context.root);
      const spkg = readSpkg(layout.pkgsDir, options.package);
      const paths = spkgPaths(layout, spkg);
      const logger = openPackageLogger({
        logFile: paths.logFile,
        label: paths.pkgName,
        quiet,
        echo: (text) => {
          capture(id, text);
          process.stdout.write(text);
        },
      });
      const fileOnly = openPackageLogger({ logFile: paths.logFile, label: paths.pkgName, echo: (text) => capture(id, text) });
      loggers.push(logger, fileOnly);
      loggerOf.set(id, logger);
      logger.info(`install ${paths.pkgName} (${new Date().toISOString()}, batch of ${ids.length})`);
      const task = taskGraph.tasks[id]?.target;
      const withLock = packageTreeLock(layout.sageLocal, spkg.name, logger, {
        workspaceRoot: context.root,
        project: task?.project ?? options.package,
        target: task?.target ?? 'install',
      });
      if (!batchLocks.has(layout.sageLocal)) {
        // Waits of sections that cover several packages are charged to the batch's first task and
        // logged in its package log (the "[install batch]" console line says the same).
        const batchLogger: PackageLogger = {
          logFile: logger.logFile,
          prefix: logger.prefix,
          line: (text) => logger.line(text),
          info: (text) => logger.info(`install batch: ${text}`),
          close: () => undefined,
        };
        batchLocks.set(
          layout.sageLocal,
          packageTreeLock(layout.sageLocal, 'install-batch', batchLogger, {
            workspaceRoot: context.root,
            project: task?.project ?? options.package,
            target: task?.target ?? 'install',
          }, ` (install batch of ${ids.length})`),
        );
      }
      return { id, layout, spkg, artifactsDir, logger, fileLine: (text) => fileOnly.line(text), withLock };
    } catch (error) {
      setupErrors.set(id, error);
      return undefined;
    }
  };

  const wave = async function* (ready: string[]): AsyncGenerator<TopoOutcome<ItemResult>> {
    const now = Date.now();
    const waveItems: BatchItem[] = [];
    for (const id of ready) {
      started.set(id, now);
      const item = items.get(id) ?? (await setUp(id));
      if (item) {
        items.set(id, item);
        waveItems.push(item);
      } else yield { id, result: { ok: false, route: 'single', error: setupErrors.get(id) } };
    }
    if (waveItems.length === 0) return;
    for (const [sageLocal, allItems] of byTree(waveItems)) {
      // The venv node is nx:noop: SAGE_VENV is made here, before the first package goes into it.
      let treeItems = allItems;
      const inVenv = allItems.filter((item) => item.spkg.trees === 'SAGE_VENV');
      if (inVenv.length > 0) {
        try {
          await prepareVenv(inVenv[0].layout, await pythonMinorVersion(inVenv[0].layout.python), (m) => inVenv[0].logger.info(m));
        } catch (error) {
          for (const item of inVenv) yield { id: item.id, result: { ok: false, route: 'single', error } };
          treeItems = allItems.filter((item) => item.spkg.trees !== 'SAGE_VENV');
        }
      }
      yield* installWave({
        items: treeItems,
        batchLock: batchLocks.get(sageLocal)!,
        baseEnv: process.env,
        echoGroupLine: (label, text) => {
          if (!quiet) process.stdout.write(`[${label}] ${text}\n`);
        },
      });
    }
  };

  try {
    for await (const outcome of runTopologically(ids, deps, wave, (r) => r.ok, blocked)) {
      const { id, result } = outcome;
      const skippedDep = blockedIds.has(id);
      if (!result.ok && !skippedDep) report(id, inputs[id].package, result.error, loggerOf.get(id), (t) => capture(id, t));
      if (result.ok) {
        recordTaskFacts(context.root, {
          project: taskGraph.tasks[id]?.target.project ?? inputs[id].package,
          target: taskGraph.tasks[id]?.target.target ?? 'install',
          installed: result.action === 'skip' ? 'noop' : 'swapped',
        });
      }
      yield toNx(outcome, skippedDep);
    }
  } finally {
    for (const logger of loggers) logger.close();
  }
}

function byTree(items: BatchItem[]): Map<string, BatchItem[]> {
  const out = new Map<string, BatchItem[]>();
  for (const item of items) out.set(item.layout.sageLocal, [...(out.get(item.layout.sageLocal) ?? []), item]);
  return out;
}

function report(id: string, pkg: string, error: unknown, logger: PackageLogger | undefined, capture: (text: string) => void): void {
  const message =
    error instanceof BuildError || error instanceof SpkgError
      ? error.message
      : `package '${pkg}', install: ${(error as Error)?.stack ?? String(error)}${logger ? `\n  log:  ${logger.logFile}` : ''}`;
  if (logger) logger.info(`FAILED: ${message}`);
  const text = `\nnx-sage: install of '${pkg}' failed (${id}):\n${message}\n`;
  capture(text);
  console.error(text);
}
