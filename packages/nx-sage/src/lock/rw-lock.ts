import { join } from 'node:path';
import { type DiskHold, StagedHold } from './hold';
import { type HolderRecord, makeToken } from './holder-info';
import type { LocalProcess } from './host';
import { inspectReaders, inspectWriter, readReaderRecord, readWriterRecord } from './inspect';
import type { LockLayout } from './layout';
import type { NormalizedLockOptions } from './options';
import { collectTmpGarbage, reclaimReader, reclaimWriter } from './reclaim';
import type { TreeLockMode } from './types';
import { type ChangeFeed, Waiter } from './wait';

/**
 * The cross-process protocol: one writer dir plus one dir per reader, "announce, then check".
 *
 * - Writer: take `writer/` (this already stops new readers), then wait until no live reader dir is left.
 * - Reader: wait until there is no live writer, create its reader dir, then look at `writer/` again;
 *   if a live writer appeared, remove the reader dir and wait (back off).
 *
 * Safety on a local file system: whoever announces first is seen by the other. If the reader's dir
 * appears before the writer lists readers/, the writer waits for it; otherwise the reader's second look
 * comes after the writer's dir appeared, and the reader backs off. Writer preference follows: once
 * `writer/` exists no reader enters, so a writer waits at most for the readers already inside.
 */
export interface LockContext {
  opts: NormalizedLockOptions;
  layout: LockLayout;
  local: LocalProcess;
  /** Changes of the lock dir: `writer/` appearing and going. */
  writerFeed: ChangeFeed;
  /** Changes of readers/. */
  readersFeed: ChangeFeed;
}

function newRecord({ local, opts }: LockContext, mode: TreeLockMode): HolderRecord {
  const { host, hostKey, pid, pidStart } = local;
  return { host, hostKey, pid, pidStart, token: makeToken(local), mode, since: Date.now(), owner: opts.owner, description: opts.description };
}

const stageHold = (ctx: LockContext, dir: string, record: HolderRecord): Promise<StagedHold> =>
  StagedHold.create({ layout: ctx.layout, dir, record, staleMs: ctx.opts.staleMs, updateMs: ctx.opts.updateMs, tree: ctx.opts.tree });

function stageReaderHold(ctx: LockContext): Promise<StagedHold> {
  const record = newRecord(ctx, 'shared');
  return stageHold(ctx, join(ctx.layout.readersDir, record.token), record);
}

async function reclaimDeadWriter(ctx: LockContext, token: string): Promise<void> {
  if (await reclaimWriter(ctx.layout, token, ctx.local)) await collectTmpGarbage(ctx.layout, ctx.local, ctx.opts.staleMs);
}

/** Looks at `writer/` after announcing: the token of a live writer, or undefined (dead ones removed). */
async function findLiveWriter(ctx: LockContext): Promise<string | undefined> {
  for (;;) {
    const writer = await inspectWriter(ctx.layout, ctx.local, ctx.opts.staleMs);
    if (writer.kind === 'free') return undefined;
    if (writer.verdict === 'live') return writer.token;
    await reclaimDeadWriter(ctx, writer.token);
  }
}

export async function acquireShared(ctx: LockContext): Promise<DiskHold> {
  const { layout, local } = ctx;
  const waiter = new Waiter(ctx.opts);
  // Staged ahead, so that once the writer leaves, entering is one rename away.
  let staged: StagedHold | undefined;
  try {
    // The first round announces straight away (the common, uncontended case); later rounds look
    // first, so that a waiting reader does not keep announcing and backing off in a writer's face.
    for (let round = 0; ; round++) {
      waiter.checkAbort();
      const version = ctx.writerFeed.version;
      staged ??= await stageReaderHold(ctx);
      const writerToken = round === 0 ? undefined : await findLiveWriter(ctx);
      if (writerToken !== undefined) {
        await waiter.blocked(ctx.writerFeed, version, () => readWriterRecord(layout, writerToken, local));
        continue;
      }
      const hold = await staged.tryTake();
      staged = undefined;
      if (!hold) continue; // reader dirs are unique: not expected
      // Announced; now check: a writer that came first may not have seen us, so we give way.
      const lateWriter = await findLiveWriter(ctx);
      if (lateWriter === undefined) {
        waiter.acquired();
        return hold;
      }
      await hold.release();
      await waiter.blocked(ctx.writerFeed, version, () => readWriterRecord(layout, lateWriter, local));
    }
  } finally {
    waiter.close();
    await staged?.discard();
  }
}

export async function acquireExclusive(ctx: LockContext): Promise<DiskHold> {
  const waiter = new Waiter(ctx.opts);
  try {
    const hold = await takeWriterDir(ctx, waiter);
    try {
      await drainReaders(ctx, waiter, hold);
    } catch (error) {
      await hold.release().catch(() => undefined);
      throw error;
    }
    waiter.acquired();
    return hold;
  } finally {
    waiter.close();
  }
}

async function takeWriterDir(ctx: LockContext, waiter: Waiter): Promise<DiskHold> {
  const staged = await stageHold(ctx, ctx.layout.writerDir, newRecord(ctx, 'exclusive'));
  try {
    // Try first, look second: the rename is the check, so a woken writer takes over in one step.
    for (;;) {
      waiter.checkAbort();
      const version = ctx.writerFeed.version;
      const hold = await staged.tryTake();
      if (hold) return hold;
      const writer = await inspectWriter(ctx.layout, ctx.local, ctx.opts.staleMs);
      if (writer.kind === 'free') continue; // released in between
      if (writer.verdict === 'live') {
        await waiter.blocked(ctx.writerFeed, version, () => readWriterRecord(ctx.layout, writer.token, ctx.local));
      } else {
        await reclaimDeadWriter(ctx, writer.token);
      }
    }
  } finally {
    await staged.discard();
  }
}

async function drainReaders(ctx: LockContext, waiter: Waiter, hold: DiskHold): Promise<void> {
  const wakeSignal = ctx.opts.signal ? AbortSignal.any([hold.signal, ctx.opts.signal]) : hold.signal;
  for (;;) {
    if (hold.compromised) throw hold.compromised;
    const version = ctx.readersFeed.version;
    const readers = await inspectReaders(ctx.layout, ctx.local, ctx.opts.staleMs);
    const live = readers.find((reader) => reader.verdict === 'live');
    const dead = readers.filter((reader) => reader.verdict !== 'live');
    if (dead.length > 0) {
      await Promise.all(dead.map((reader) => reclaimReader(ctx.layout, reader.name, ctx.local)));
      await collectTmpGarbage(ctx.layout, ctx.local, ctx.opts.staleMs);
    }
    if (!live) return;
    await waiter.blocked(ctx.readersFeed, version, () => readReaderRecord(ctx.layout, live.name, ctx.local), wakeSignal);
  }
}
