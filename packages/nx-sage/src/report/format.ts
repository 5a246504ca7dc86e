import type { RunReport } from './types';

/** The short report printed at the end of a run. "ran": executed (an install that found nothing to do ran too). */
export function formatReport(report: RunReport, reportFile: string): string {
  const { counts } = report;
  const lines = [
    `nx-sage: ${counts.tasks} task${counts.tasks === 1 ? '' : 's'} in ${formatDuration(report.wallMs)}: ` +
      `${counts.built} ran, ${counts.cached} restored from cache, ${counts.skipped} skipped` +
      (counts.failed ? `, ${counts.failed} failed` : ''),
  ];
  const perTarget = Object.entries(report.byTarget).map(
    ([target, c]) => `${target} ${c.built} ran/${c.cached} cached/${c.skipped} skipped${c.failed ? `/${c.failed} failed` : ''}`,
  );
  if (perTarget.length > 1) lines.push(`  by target: ${perTarget.join(', ')}`);
  const { installs } = report;
  if (installs.built + installs.swapped + installs.noop > 0) {
    lines.push(`  installs: ${installs.swapped} swapped in, ${installs.built} built in place, ${installs.noop} already installed`);
  }
  if (report.slowest.length) {
    lines.push(`  slowest: ${report.slowest.map((t) => `${t.id} ${formatDuration(t.durationMs)}`).join(', ')}`);
  }
  if (report.lockWait.totalMs > 0) {
    const holders = report.lockWait.byHolder.slice(0, 3).map((h) => `${h.holder} ${formatDuration(h.waitMs)}`);
    lines.push(
      `  tree lock: ${formatDuration(report.lockWait.totalMs)} waited in ${report.lockWait.waits} wait${report.lockWait.waits === 1 ? '' : 's'} by ` +
        `${report.lockWait.tasks.length} task${report.lockWait.tasks.length === 1 ? '' : 's'}` +
        (report.lockWait.byKind.length ? ` (${report.lockWait.byKind.map((k) => `${k.kind} ${formatDuration(k.waitMs)}/${k.waits}`).join(', ')})` : '') +
        (holders.length ? `; behind ${holders.join(', ')}` : ''),
    );
  } else {
    lines.push('  tree lock: no waiting');
  }
  if (report.criticalPath.tasks.length) {
    lines.push(
      `  critical path (${formatDuration(report.criticalPath.totalMs)}): ` +
        report.criticalPath.tasks.map((t) => `${t.id} ${formatDuration(t.durationMs)}`).join(' → '),
    );
  }
  lines.push(`  JSON report: ${reportFile}`);
  return lines.join('\n');
}

/** 350ms, 4.2s, 1m 02s, 2h 05m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours ? `${hours}h ${String(minutes).padStart(2, '0')}m` : `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}
