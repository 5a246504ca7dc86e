import type { TreeLockMode } from '../types';

export interface HoldInterval {
  pid: number;
  mode: TreeLockMode;
  t0: bigint;
  t1: bigint;
  /** Logged open by a holder that was then killed; t1 is the kill time. */
  killed: boolean;
}

export interface IntervalCheck {
  holds: number;
  exclusive: number;
  /** Pairs of overlapping intervals of which at least one is exclusive. */
  violations: Array<[HoldInterval, HoldInterval]>;
  /** Pairs of shared intervals of different processes that overlapped. */
  sharedOverlaps: number;
}

export function readIntervals(logDir: string, closeOpenAt?: Record<number, bigint>): HoldInterval[];
export function checkIntervals(intervals: HoldInterval[]): IntervalCheck;
