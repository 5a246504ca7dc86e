// Checks logged hold intervals: no exclusive interval may overlap any other interval, and shared
// intervals must have overlapped (a lock that serialises everything must not pass).
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Reads every worker's intervals from a log dir; open intervals (killed holders) get t1 = closeOpenAt. */
function readIntervals(logDir, closeOpenAt = {}) {
  const byKey = new Map();
  for (const file of readdirSync(logDir)) {
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      if (!line) continue;
      const entry = JSON.parse(line);
      const key = `${entry.pid}:${entry.t0}`;
      if (entry.open && byKey.has(key)) continue; // the closed record wins
      const t1 = entry.t1 !== undefined ? BigInt(entry.t1) : closeOpenAt[entry.pid];
      if (t1 === undefined) throw new Error(`open interval of pid ${entry.pid} and no kill time for it`);
      byKey.set(key, { pid: entry.pid, mode: entry.mode, t0: BigInt(entry.t0), t1: BigInt(t1), killed: entry.t1 === undefined });
    }
  }
  return [...byKey.values()];
}

const overlaps = (a, b) => a.t0 < b.t1 && b.t0 < a.t1;

function checkIntervals(intervals) {
  const sorted = [...intervals].sort((a, b) => (a.t0 < b.t0 ? -1 : a.t0 > b.t0 ? 1 : 0));
  const violations = [];
  let sharedOverlaps = 0;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].t0 < sorted[i].t1; j++) {
      const [a, b] = [sorted[i], sorted[j]];
      if (!overlaps(a, b)) continue;
      if (a.mode === 'exclusive' || b.mode === 'exclusive') violations.push([a, b]);
      else if (a.pid !== b.pid) sharedOverlaps++;
    }
  }
  return {
    holds: intervals.length,
    exclusive: intervals.filter((interval) => interval.mode === 'exclusive').length,
    violations,
    sharedOverlaps,
  };
}

module.exports = { readIntervals, checkIntervals };
