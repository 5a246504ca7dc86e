import { runPool, type PoolInput } from './pool';

type R = { ok: boolean; note?: string };

/** Runs a pool where each task takes `ms[id]` of (fake-free, real but tiny) time; records concurrency and order. */
async function drive(over: Partial<PoolInput<R>> & Pick<PoolInput<R>, 'ids' | 'deps'>, ms: Record<string, number> = {}, fail: string[] = []) {
  const started: string[] = [];
  let running = 0;
  let peak = 0;
  const input: PoolInput<R> = {
    limit: 2,
    estimate: () => 1,
    run: async (id) => {
      started.push(id);
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, ms[id] ?? 1));
      running--;
      if (id === 'throws') throw new Error('boom');
      return { ok: !fail.includes(id) };
    },
    ok: (r) => r.ok,
    blocked: (_id, dep) => ({ ok: false, note: dep ? `after ${dep}` : 'cycle' }),
    crashed: (_id, error) => ({ ok: false, note: (error as Error).message }),
    ...over,
  };
  const finished: { id: string; result: R }[] = [];
  for await (const outcome of runPool(input)) finished.push(outcome);
  return { started, peak, finished };
}

describe('runPool', () => {
  it('runs each task once, after its dependencies, never more than the limit at once', async () => {
    const deps = { b: ['a'], c: ['a'], d: ['b', 'c'], e: [] as string[] };
    const { started, peak, finished } = await drive({ ids: ['a', 'b', 'c', 'd', 'e'], deps, limit: 2 }, { a: 20, e: 20 });
    expect(peak).toBe(2);
    expect(started.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const at = (id: string) => finished.findIndex((f) => f.id === id);
    expect(at('a')).toBeLessThan(at('b'));
    expect(at('b')).toBeLessThan(at('d'));
    expect(at('c')).toBeLessThan(at('d'));
    expect(finished.every((f) => f.result.ok)).toBe(true);
  });

  it('starts the ready task heading the longest expected path first, not the one with more dependents', async () => {
    // long → chain (expected 100) vs many short wheels that several tasks wait for.
    const deps = { chain: ['long'], w2: ['w1'], w3: ['w1'], w4: ['w1'] } as Record<string, string[]>;
    const estimate = (id: string) => (id === 'long' || id === 'chain' ? 100 : 1);
    const { started } = await drive({ ids: ['w1', 'w2', 'w3', 'w4', 'long', 'chain'], deps, limit: 1, estimate });
    expect(started[0]).toBe('long');
    // Control: with equal estimates the task more tasks wait for goes first.
    const control = await drive({ ids: ['w1', 'w2', 'w3', 'w4', 'long', 'chain'], deps, limit: 1 });
    expect(control.started[0]).toBe('w1');
  });

  it('does not run what is behind a failure or a crash, and says which dependency it was', async () => {
    const deps = { b: ['a'], c: ['b'], t2: ['throws'], ok: [] as string[] };
    const { started, finished } = await drive({ ids: ['a', 'b', 'c', 'throws', 't2', 'ok'], deps }, {}, ['a']);
    expect(started.sort()).toEqual(['a', 'ok', 'throws']);
    const result = Object.fromEntries(finished.map((f) => [f.id, f.result]));
    expect(result.b).toEqual({ ok: false, note: 'after a' });
    expect(result.c).toEqual({ ok: false, note: 'after b' });
    expect(result.throws).toEqual({ ok: false, note: 'boom' });
    expect(result.t2).toEqual({ ok: false, note: 'after throws' });
    expect(result.ok).toEqual({ ok: true });
  });

  it('reports a cycle instead of hanging; edges to tasks outside the batch are ignored', async () => {
    const { finished } = await drive({ ids: ['x', 'y', 'z'], deps: { x: ['y'], y: ['x'], z: ['done-elsewhere'] } });
    const result = Object.fromEntries(finished.map((f) => [f.id, f.result]));
    expect(result.z).toEqual({ ok: true });
    expect(result.x).toEqual({ ok: false, note: 'cycle' });
    expect(result.y).toEqual({ ok: false, note: 'cycle' });
  });
});
