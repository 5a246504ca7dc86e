import { randomBytes } from 'node:crypto';
import type { HolderInfo, TreeLockMode } from './types';

/**
 * Who made a hold, encoded in its token so that liveness can be judged from a directory listing alone.
 * `hostKey` names one kernel and pid namespace (see host.ts): pids are only comparable within one.
 */
export interface HoldIdentity {
  hostKey: string;
  pid: number;
  /** Process start time (Linux: /proc/<pid>/stat field 22); '' when unknown. */
  pidStart: string;
}

/** The content of a hold's `<token>.json`. */
export interface HolderRecord extends HolderInfo, HoldIdentity {
  token: string;
}

// token = hostKey~pid~pidStart~random. Names in tmp/ add a suffix after a dot.
const TOKEN = /^([0-9a-f]+)~([1-9][0-9]*)~([0-9]+)~([0-9a-f]+)(?:\..*)?$/;

/** The part of a token shared by every hold of one process. */
export const formatProcessTag = (id: HoldIdentity): string => `${id.hostKey}~${id.pid}~${id.pidStart || '0'}`;

export const makeToken = (id: HoldIdentity): string => `${formatProcessTag(id)}~${randomBytes(4).toString('hex')}`;

/** Parses a token or a tmp/ name that starts with one; undefined for anything else. */
export function parseToken(name: string): HoldIdentity | undefined {
  const match = TOKEN.exec(name);
  if (!match) return undefined;
  return { hostKey: match[1], pid: Number(match[2]), pidStart: match[3] === '0' ? '' : match[3] };
}

export const holderFileName = (token: string): string => `${token}.json`;

export const serializeHolderRecord = (record: HolderRecord): string => `${JSON.stringify(record)}\n`;

/** Reads a holder file's text; anything malformed gives undefined (callers fall back to the token). */
export function parseHolderRecord(text: string, token: string): HolderRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<HolderRecord>;
  const identity = parseToken(token);
  if (!identity || record.token !== token) return undefined;
  if (record.mode !== 'shared' && record.mode !== 'exclusive') return undefined;
  return {
    ...identity,
    token,
    host: typeof record.host === 'string' ? record.host : 'unknown host',
    mode: record.mode,
    since: typeof record.since === 'number' ? record.since : Number.NaN,
    owner: typeof record.owner === 'string' ? record.owner : undefined,
    description: typeof record.description === 'string' ? record.description : undefined,
  };
}

/** What we know of a hold whose file could not be read (it is being created or removed). */
export function recordFromToken(token: string, mode: TreeLockMode, hostName: (hostKey: string) => string): HolderRecord | undefined {
  const identity = parseToken(token);
  if (!identity) return undefined;
  return { ...identity, token, host: hostName(identity.hostKey), mode, since: Number.NaN };
}

/** The public view of a record (no internal identity fields). */
export function toHolderInfo(record: HolderRecord): HolderInfo {
  const { host, pid, mode, since, owner, description } = record;
  return { host, pid, mode, since, ...(owner === undefined ? {} : { owner }), ...(description === undefined ? {} : { description }) };
}

/** One line for logs and errors: "exclusive hold by sagelib (pip install …), pid 12 on vm, since …". */
export function describeHolder(holder: HolderInfo, now: number = Date.now()): string {
  const what = holder.owner ? ` by ${holder.owner}${holder.description ? ` (${holder.description})` : ''}` : holder.description ? ` (${holder.description})` : '';
  const since = Number.isFinite(holder.since)
    ? `since ${new Date(holder.since).toISOString()} (${formatDuration(now - holder.since)} ago)`
    : 'since an unknown time';
  return `${holder.mode} hold${what}, pid ${holder.pid} on ${holder.host}, ${since}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
