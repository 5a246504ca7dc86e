import { spawnSync } from 'node:child_process';
import { isProcessAlive, parseProcStat, readProcessStart } from './pid-liveness';

// /proc/<pid>/stat with a command name that contains spaces and parentheses.
const STAT = '6500 (my (odd) cmd) S 6488 6488 2034 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 52566 3133440 413 18446744073709551615 0';

describe('parseProcStat', () => {
  it('reads state and start time (field 22) past a tricky command name', () => {
    expect(parseProcStat(STAT)).toEqual({ state: 'S', startTime: '52566' });
  });

  it('reads a zombie', () => {
    expect(parseProcStat(STAT.replace(') S ', ') Z '))?.state).toBe('Z');
  });

  it.each(['', 'garbage', '12 (x) S 1 2'])('refuses %j', (text) => {
    expect(parseProcStat(text)).toBeUndefined();
  });
});

const onLinux = process.platform === 'linux' ? it : it.skip;

describe('isProcessAlive', () => {
  it('knows this process is alive', () => {
    expect(isProcessAlive(process.pid, readProcessStart(process.pid))).toBe(true);
  });

  it('knows an exited process is dead', () => {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    expect(isProcessAlive(pid!, '')).toBe(false);
  });

  onLinux('treats a live pid with another start time as a reused pid, i.e. dead', () => {
    expect(readProcessStart(process.pid)).toMatch(/^\d+$/);
    expect(isProcessAlive(process.pid, '1')).toBe(false);
  });

  it('answers "alive" when it cannot tell (never break a holder by mistake)', () => {
    expect(isProcessAlive(0, '')).toBe(true);
    expect(isProcessAlive(Number.NaN, '')).toBe(true);
  });
});
