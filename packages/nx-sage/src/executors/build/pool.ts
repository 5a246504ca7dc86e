import type { TopoOutcome } from '../../swap/topo';

export interface PoolInput<R> {
  ids: readonly string[];
  /** Edges to ids outside the set are ignored: Nx puts a task in a batch only once those completed. */
  deps: Record<string, readonly string[] | undefined>;
  /** At most this many run at once (at least 1). */
  limit: number;
  /** Expected duration of a task (any unit): the ready task with the longest expected path to the end goes first. */
  estimate: (id: string) => number;
  run: (id: string) => Promise<R>;
  ok: (result: R) => boolean;
  /** The result of a task that is not run: a dependency failed (`failedDep`), or a cycle (undefined). */
  blocked: (id: string, failedDep: string | undefined) => R;
  /** The result of a task whose `run` threw. */
  crashed: (id: string, error: unknown) => R;
}

/**
 * Runs tasks like `make -jN`: each as soon as its dependencies succeeded and a slot is free, yielding
 * outcomes in the order they finish. Of the ready tasks, the one heading the longest expected path to
 * the end goes first (critical-path list scheduling), so the long chain of Sage's graph (gmp → mpfr →
 * flint → singular → sagelib) does not wait for slots behind the many short wheels; ties go to the
 * task more tasks wait for. A task behind a failure is never run.
 */
export async function* runPool<R>({ ids, deps, limit, estimate, run, ok, blocked, crashed }: PoolInput<R>): AsyncGenerator<TopoOutcome<R>> {
  const inSet = new Set(ids);
  const depsOf = new Map(ids.map((id) => [id, [...new Set((deps[id] ?? []).filter((d) => inSet.has(d) && d !== id))]]));
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [id, ds] of depsOf) for (const d of ds) dependents.get(d)!.push(id);
  const waiting = waitingCounts(ids, dependents);
  const tail = pathsToEnd(ids, dependents, estimate);
  const missing = new Map(ids.map((id) => [id, depsOf.get(id)!.length]));
  const ready = ids.filter((id) => missing.get(id) === 0);
  const finished = new Map<string, boolean>();
  const running = new Map<string, Promise<TopoOutcome<R>>>();
  const slots = Math.max(1, Math.floor(limit) || 1);

  const settle = function* (outcome: TopoOutcome<R>): Generator<TopoOutcome<R>> {
    const pending: TopoOutcome<R>[] = [outcome];
    while (pending.length > 0) {
      const { id, result } = pending.shift()!;
      const success = ok(result);
      finished.set(id, success);
      yield { id, result };
      for (const next of dependents.get(id)!) {
        if (finished.has(next)) continue;
        if (!success) {
          finished.set(next, false);
          pending.push({ id: next, result: blocked(next, id) });
        } else {
          const left = missing.get(next)! - 1;
          missing.set(next, left);
          if (left === 0) ready.push(next);
        }
      }
    }
  };

  while (finished.size < ids.length) {
    ready.sort((a, b) => tail.get(b)! - tail.get(a)! || waiting.get(b)! - waiting.get(a)!);
    while (running.size < slots && ready.length > 0) {
      // A ready task's dependencies all succeeded, so nothing can have blocked it.
      const id = ready.shift()!;
      running.set(
        id,
        run(id).then(
          (result) => ({ id, result }),
          (error: unknown) => ({ id, result: crashed(id, error) }),
        ),
      );
    }
    if (running.size === 0) {
      // Nothing runs and nothing is ready: the rest waits on itself (a cycle).
      const stuck = ids.filter((id) => !finished.has(id));
      for (const id of stuck) finished.set(id, false);
      for (const id of stuck) yield { id, result: blocked(id, undefined) };
      break;
    }
    const outcome = await Promise.race(running.values());
    running.delete(outcome.id);
    yield* settle({ id: outcome.id, result: outcome.result });
  }
}

/** For each task, the longest sum of estimates from it to the end of the graph (itself included). */
function pathsToEnd(ids: readonly string[], dependents: Map<string, string[]>, estimate: (id: string) => number): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (id: string, onPath: Set<string>): number => {
    const known = out.get(id);
    if (known !== undefined) return known;
    onPath.add(id);
    let longest = 0;
    for (const next of dependents.get(id)!) if (!onPath.has(next)) longest = Math.max(longest, visit(next, onPath));
    onPath.delete(id);
    const total = Math.max(0, estimate(id)) + longest;
    out.set(id, total);
    return total;
  };
  for (const id of ids) visit(id, new Set());
  return out;
}

/** For each task, how many tasks (transitively) wait for it. */
function waitingCounts(ids: readonly string[], dependents: Map<string, string[]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const id of ids) {
    const seen = new Set<string>();
    const stack = [...dependents.get(id)!];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...dependents.get(next)!);
    }
    out.set(id, seen.size);
  }
  return out;
}
