/** Groups installs that may share one exclusive section and one pip call: same tree, same venv. */
export function groupByTree<T extends { key: string }>(items: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.key, [...(groups.get(item.key) ?? []), item]);
  return [...groups.values()];
}

export interface TopoOutcome<R> {
  id: string;
  result: R;
}

/**
 * Runs `ids` in waves respecting `deps` (edges to ids outside the set are ignored: Nx only puts a
 * task in a batch once those completed). A task with a failed or blocked dependency is not run:
 * `blocked(id, failedDep)` gives its result. A cycle reports the rest as blocked.
 */
export async function* runTopologically<R>(
  ids: readonly string[],
  deps: Record<string, readonly string[] | undefined>,
  runWave: (ready: string[]) => AsyncIterable<TopoOutcome<R>>,
  ok: (result: R) => boolean,
  blocked: (id: string, failedDep: string | undefined) => R,
): AsyncGenerator<TopoOutcome<R>> {
  const inSet = new Set(ids);
  const depsOf = (id: string) => (deps[id] ?? []).filter((d) => inSet.has(d) && d !== id);
  const done = new Map<string, boolean>();
  while (done.size < ids.length) {
    const ready: string[] = [];
    let progressed = false;
    for (const id of ids) {
      if (done.has(id)) continue;
      const ds = depsOf(id);
      const failed = ds.find((d) => done.get(d) === false);
      if (failed !== undefined) {
        done.set(id, false);
        progressed = true;
        yield { id, result: blocked(id, failed) };
      } else if (ds.every((d) => done.get(d) === true)) ready.push(id);
    }
    if (ready.length === 0) {
      if (progressed) continue;
      for (const id of ids) {
        if (done.has(id)) continue;
        done.set(id, false);
        yield { id, result: blocked(id, undefined) };
      }
      break;
    }
    const seen = new Set<string>();
    for await (const outcome of runWave(ready)) {
      if (!inSet.has(outcome.id) || seen.has(outcome.id)) continue;
      seen.add(outcome.id);
      done.set(outcome.id, ok(outcome.result));
      yield outcome;
    }
    for (const id of ready) {
      if (seen.has(id)) continue;
      done.set(id, false);
      yield { id, result: blocked(id, undefined) };
    }
  }
}

