import { type HolderFacts, judgeHolder } from './inspect';

describe('judgeHolder', () => {
  const now = 1_000_000;
  const local = { hostKey: 'aaaaaaaaaaaa', pid: 10, pidStart: '5' };
  const base: HolderFacts = { identity: local, localHostKey: local.hostKey, isAlive: () => true, mtimeMs: undefined, now, staleMs: 30_000 };

  it.each<[string, Partial<HolderFacts>, string]>([
    ['live local pid, ancient heartbeat', { mtimeMs: 0 }, 'live'],
    ['dead local pid, fresh heartbeat', { isAlive: () => false, mtimeMs: now }, 'dead'],
    ['foreign holder, fresh heartbeat', { identity: { ...local, hostKey: 'bbbbbbbbbbbb' }, mtimeMs: now - 29_000 }, 'live'],
    ['foreign holder, heartbeat older than staleMs', { identity: { ...local, hostKey: 'bbbbbbbbbbbb' }, mtimeMs: now - 31_000 }, 'stale'],
    ['foreign holder, mtime unreadable', { identity: { ...local, hostKey: 'bbbbbbbbbbbb' } }, 'live'],
    ['unparseable token, old heartbeat', { identity: undefined, mtimeMs: now - 31_000 }, 'stale'],
  ])('%s → %s', (_, facts, verdict) => {
    expect(judgeHolder({ ...base, ...facts })).toBe(verdict);
  });

  it('never asks for liveness of a foreign pid', () => {
    const isAlive = jest.fn(() => false);
    expect(judgeHolder({ ...base, identity: { ...local, hostKey: 'bbbbbbbbbbbb' }, isAlive, mtimeMs: now })).toBe('live');
    expect(isAlive).not.toHaveBeenCalled();
  });
});
