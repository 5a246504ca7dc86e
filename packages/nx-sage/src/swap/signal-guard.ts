/**
 * SIGINT/SIGTERM (Ctrl-C, `nx` stopping its tasks, a CI timeout) during a swap must not leave the
 * tree half swapped: while a swap runs, those signals abort it (its scripts and pip are stopped and
 * it rolls back, or it finishes if already committed), and the signal is delivered again once every
 * running swap has settled, so the process still ends the way the sender asked. SIGKILL cannot be
 * caught: the journal covers that case.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type GuardedSignal = (typeof SIGNALS)[number];

const active = new Set<AbortController>();
let received: GuardedSignal | undefined;
const onSignal = (signal: GuardedSignal): void => {
  received ??= signal;
  for (const controller of active) controller.abort(new Error(`${signal} received: stopping the install and restoring the previous version`));
};
const listeners = new Map(SIGNALS.map((s) => [s, () => onSignal(s)] as const));

export async function guardSwap<T>(outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  if (active.size === 0) for (const [signal, listener] of listeners) process.on(signal, listener);
  active.add(controller);
  if (received) controller.abort(new Error(`${received} received`));
  try {
    return await fn(outer ? AbortSignal.any([outer, controller.signal]) : controller.signal);
  } finally {
    active.delete(controller);
    if (active.size === 0) {
      for (const [signal, listener] of listeners) process.removeListener(signal, listener);
      const pending = received;
      received = undefined;
      if (pending) process.kill(process.pid, pending);
    }
  }
}
