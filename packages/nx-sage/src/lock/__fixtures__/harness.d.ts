import type { ChildProcess } from 'node:child_process';

export interface WorkerConfig {
  mode: 'stress' | 'hold' | 'readers' | 'reinstall' | 'check';
  tree: string;
  lockDir?: string;
  logDir?: string;
  /** Epoch ms at which the worker starts its loop (lines all workers up). */
  startAt?: number;
  endAt?: number;
  disabled?: boolean;
  staleMs?: number;
  updateMs?: number;
  pollMs?: number;
  timeoutMs?: number;
  // stress
  ops?: number;
  exclusiveRatio?: number;
  holdMaxMs?: number;
  gapMaxMs?: number;
  // hold / readers
  lockMode?: 'shared' | 'exclusive';
  holdMs?: number;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface Worker {
  child: ChildProcess;
  pid: number;
  lines: string[];
  waitFor(prefix: string, timeoutMs?: number): Promise<string>;
  exited: Promise<WorkerExit>;
}

export function assertLockBuilt(): void;
export function makeTempDir(prefix?: string): string;
export function removeDir(dir: string): void;
export function startWorker(config: WorkerConfig, env?: Record<string, string>): Worker;
export function sleep(ms: number): Promise<void>;
export function msBetween(from: bigint, to: bigint): number;
