import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isErrnoCode } from './errors';
import { type HoldIdentity, type HolderRecord, holderFileName, parseHolderRecord, parseToken, recordFromToken } from './holder-info';
import type { LocalProcess } from './host';
import type { LockLayout } from './layout';
import { isProcessAlive } from './pid-liveness';
import type { TreeLockMode } from './types';

/** live: must be waited for; dead: local process gone; stale: foreign lease expired. */
export type HolderVerdict = 'live' | 'dead' | 'stale';

export interface HolderFacts {
  identity: HoldIdentity | undefined;
  localHostKey: string;
  /** Liveness of a local pid (only asked for local holders). */
  isAlive: (identity: HoldIdentity) => boolean;
  /**
   * For how long (on OUR monotonic clock) we have seen the hold dir's mtime (heartbeat) unchanged;
   * undefined if it could not be read. A foreign mtime is never compared with our wall clock, so a
   * skewed clock on either side cannot make a fresh holder look stale.
   */
  unchangedForMs: number | undefined;
  staleMs: number;
}

/**
 * The one rule: a local holder is judged by its pid (+ start time) only, never by mtime, so a
 * stalled but live local process is never broken and a dead one is seen at once. Holders on other
 * hosts (or with unreadable tokens) can only be judged by their heartbeat's age.
 */
export function judgeHolder(facts: HolderFacts): HolderVerdict {
  if (facts.identity && facts.identity.hostKey === facts.localHostKey) return facts.isAlive(facts.identity) ? 'live' : 'dead';
  if (facts.unchangedForMs !== undefined && facts.unchangedForMs > facts.staleMs) return 'stale';
  return 'live';
}

const aliveByPid = (identity: HoldIdentity): boolean => isProcessAlive(identity.pid, identity.pidStart);

// Per foreign hold (dir + token): the heartbeat mtime last seen and when (our monotonic clock) it was first seen.
const heartbeats = new Map<string, { mtimeMs: number; seenAt: number }>();

/** How long `mtimeMs` has been the hold's heartbeat as observed by this process (0 when it just changed). */
export function observeHeartbeat(key: string, mtimeMs: number, nowMono: number, table = heartbeats): number {
  const seen = table.get(key);
  if (!seen || seen.mtimeMs !== mtimeMs) {
    if (table.size > 1000) table.clear(); // bounded: a waiter sees few foreign holds
    table.set(key, { mtimeMs, seenAt: nowMono });
    return 0;
  }
  return nowMono - seen.seenAt;
}

async function judgeHoldDir(dir: string, token: string, local: LocalProcess, staleMs: number): Promise<HolderVerdict> {
  const identity = parseToken(token);
  const isLocal = identity?.hostKey === local.hostKey;
  const mtimeMs = isLocal ? undefined : await stat(dir).then((s) => s.mtimeMs, () => undefined);
  const unchangedForMs = mtimeMs === undefined ? undefined : observeHeartbeat(`${dir}\0${token}`, mtimeMs, performance.now());
  return judgeHolder({ identity, localHostKey: local.hostKey, isAlive: aliveByPid, unchangedForMs, staleMs });
}

export type WriterView = { kind: 'free' } | { kind: 'held'; token: string; verdict: HolderVerdict };

async function readNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT', 'ENOTDIR')) return [];
    throw error;
  }
}

/** Token of the current writer, if `writer/` holds one (an empty dir is mid-release and holds nothing). */
export async function readWriterToken(layout: LockLayout): Promise<string | undefined> {
  const file = (await readNames(layout.writerDir)).find((name) => name.endsWith('.json'));
  return file?.slice(0, -'.json'.length);
}

export async function inspectWriter(layout: LockLayout, local: LocalProcess, staleMs: number): Promise<WriterView> {
  const token = await readWriterToken(layout);
  if (token === undefined) return { kind: 'free' };
  return { kind: 'held', token, verdict: await judgeHoldDir(layout.writerDir, token, local, staleMs) };
}

export interface ReaderView {
  name: string;
  verdict: HolderVerdict;
}

export async function inspectReaders(layout: LockLayout, local: LocalProcess, staleMs: number): Promise<ReaderView[]> {
  const names = await readNames(layout.readersDir);
  return Promise.all(names.map(async (name) => ({ name, verdict: await judgeHoldDir(join(layout.readersDir, name), name, local, staleMs) })));
}

const hostNameFor = (local: LocalProcess) => (hostKey: string) => (hostKey === local.hostKey ? local.host : `another host (${hostKey})`);

/** Holder file of a hold dir; falls back to what the token says if the file is unreadable. */
export async function readHolderRecord(dir: string, token: string, mode: TreeLockMode, local: LocalProcess): Promise<HolderRecord | undefined> {
  const text = await readFile(join(dir, holderFileName(token)), 'utf8').catch(() => undefined);
  return (text === undefined ? undefined : parseHolderRecord(text, token)) ?? recordFromToken(token, mode, hostNameFor(local));
}

export const readWriterRecord = (layout: LockLayout, token: string, local: LocalProcess): Promise<HolderRecord | undefined> =>
  readHolderRecord(layout.writerDir, token, 'exclusive', local);

export const readReaderRecord = (layout: LockLayout, name: string, local: LocalProcess): Promise<HolderRecord | undefined> =>
  readHolderRecord(join(layout.readersDir, name), name, 'shared', local);
