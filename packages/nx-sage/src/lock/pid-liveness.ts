import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** R, S, D, Z (zombie), X (dead), T (stopped), … */
  state: string;
  /** Clock ticks since boot at which the process started: with the pid, a unique process name. */
  startTime: string;
}

/** Parses /proc/<pid>/stat. The command name (field 2) may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after the name start at field 3 (state); starttime is field 22.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  if (fields.length < 20 || !/^\d+$/.test(fields[19])) return undefined;
  return { state: fields[0], startTime: fields[19] };
}

// procfs reads never touch a disk, so they are done synchronously (µs) instead of via the threadpool.
function readProcStat(pid: number): ProcStat | undefined | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    // null: the process is gone; undefined: no procfs here (macOS), nothing learnt.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux' ? null : undefined;
  }
}

/** Start time of a process, '' where unknown (no procfs). */
export const readProcessStart = (pid: number): string => readProcStat(pid)?.startTime ?? '';

/**
 * Whether the process that made a hold still runs on this host. When in doubt the answer is
 * "alive": breaking a live holder is a safety bug, waiting on a dead one only costs time.
 */
export function isProcessAlive(pid: number, pidStart: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code !== 'EPERM') return true;
  }
  const stat = readProcStat(pid);
  if (stat === null) return false;
  if (stat === undefined) return true;
  // A SIGKILLed process stays a zombie until its parent reaps it; it holds nothing any more.
  if (stat.state === 'Z' || stat.state === 'X') return false;
  // Same pid, different start time: the pid was reused by an unrelated process.
  return !pidStart || stat.startTime === pidStart;
}
