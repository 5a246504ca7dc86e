import { type HolderFacts, judgeHolder, observeHeartbeat } from './inspect';

describe('judgeHolder', () => {
  const now = 1_000_000;
  const local = { hostKey: 'aaaaaaaaaaaa', pid: 10, pidStart: '5' };
  const base: HolderFacts = { identity: local, localHostKey: local.hostKey, isAlive: () => true, unchangedForMs: undefined, staleMs: 30_000 };

  it.each<[string, Partial<HolderFacts>, string]>([
    ['live local pid, heartbeat unchanged for ages', { unchangedForMs: now }, 'live'],
    ['dead local pid, fresh heartbeat', { isAlive: () => false, unchangedForMs: 0 }, 'dead'],
    ['foreign holder, heartbeat unchanged for less than staleMs', { identity: { ...local, hostKey: 'bbbbbbbbbbbb' }, unchangedForMs: 29_000 }, 'live'],
    ['foreign holder, heartbeat unchanged for more than staleMs', { identity: { ...local, hostKey: 'bbbbbbbbbbbb' }, unchangedForMs: 31_000 }, 'stale'],
    ['foreign holder, mtime unreadable', { identity: { ...local, hostKey: 'bbbbbbbbbbbb' } }, 'live'],
    ['unparseable token, heartbeat unchanged for more than staleMs', { identity: undefined, unchangedForMs: 31_000 }, 'stale'],
  ])('%s → %s', (_, facts, verdict) => {
    expect(judgeHolder({ ...base, ...facts })).toBe(verdict);
  });

  it('never asks for liveness of a foreign pid', () => {
    const isAlive = jest.fn(() => false);
    expect(judgeHolder({ ...base, identity: { ...local, hostKey: 'bbbbbbbbbbbb' }, isAlive, unchangedForMs: 0 })).toBe('live');
    expect(isAlive).not.toHaveBeenCalled();
  });
});

describe('observeHeartbeat (clock skew)', () => {
  it('counts on the observer\'s own clock from the first sighting of an mtime, whatever the mtime says', () => {
    const table = new Map();
    // An mtime 1 h in the past (the holder's clock is behind ours): not stale at first sight.
    expect(observeHeartbeat('k', 1_000, 5_000_000, table)).toBe(0);
    expect(observeHeartbeat('k', 1_000, 5_020_000, table)).toBe(20_000);
    // A heartbeat moves the mtime: the count starts again.
    expect(observeHeartbeat('k', 4_000, 5_021_000, table)).toBe(0);
    expect(observeHeartbeat('k', 4_000, 5_061_000, table)).toBe(40_000);
  });
});

