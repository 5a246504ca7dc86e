import type { ChildProcess } from 'node:child_process';

export interface WorkerConfig {
  mode: 'stress' | 'hold' | 'readers' | 'reinstall' | 'check';
  tree: string;
  lockDir?: string;
  logDir?: string;
  /** How long time-bound modes (readers, reinstall, check) run once started. */
  durationMs?: number;
  /** Extra delay after the start (staggers workers). */
  delayMs?: number;
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
export function stopWorkers(): void;
/** Waits until every worker printed READY, then starts them all (one stdin line each). */
export function startTogether(workers: Worker[]): Promise<void>;
export function startWorker(config: WorkerConfig, env?: Record<string, string>): Worker;
export function sleep(ms: number): Promise<void>;
export function msBetween(from: bigint, to: bigint): number;

/** Per-test temporary directory and worker cleanup (beforeAll/beforeEach/afterEach hooks). */
export function useWorkerSandbox(): { readonly dir: string };
