import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { readProcessStart } from './pid-liveness';
import type { HoldIdentity } from './holder-info';

/** This process as a lock participant. */
export interface LocalProcess extends HoldIdentity {
  host: string;
}

/**
 * A pid can only be tested for liveness by a process that shares its kernel boot and pid namespace:
 * containers on one host may share a hostname, and a rebooted host reuses pids. So "local" means
 * same hostname, boot id and pid namespace; everything else falls back to mtime staleness.
 */
export function computeHostKey(host: string, bootId: string, pidNamespace: string): string {
  return createHash('sha256').update(`${host}\0${bootId}\0${pidNamespace}`).digest('hex').slice(0, 12);
}

const readOptional = (read: () => string): string => {
  try {
    return read().trim();
  } catch {
    return '';
  }
};

let local: LocalProcess | undefined;

/** Constant for the life of the process, so it is computed once. */
export function getLocalProcess(): LocalProcess {
  if (!local) {
    const host = hostname();
    const bootId = readOptional(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
    const pidNamespace = readOptional(() => readlinkSync('/proc/self/ns/pid'));
    local = { host, hostKey: computeHostKey(host, bootId, pidNamespace), pid: process.pid, pidStart: readProcessStart(process.pid) };
  }
  return local;
}
