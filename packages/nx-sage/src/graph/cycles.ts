/** An edge a → b meaning "a needs b"; `kind` says which list it came from. */
export interface Edge {
  from: string;
  to: string;
  kind: 'normal' | 'orderOnly';
}

export interface Cycle {
  /** Packages on the cycle, in the order they were visited. */
  members: string[];
  /** The edge removed to break it. */
  dropped: Edge;
}

/**
 * Breaks cycles the way GNU make does: a depth-first walk that visits packages in name order and each
 * package's prerequisites in their listed order (normal first, then order-only); an edge that reaches a
 * package still on the walk's stack is dropped ("Circular a <- b dependency dropped"). Deterministic:
 * the result depends only on names and the order of the dependency lines.
 */
export function breakCycles(nodes: readonly string[], edgesOf: (node: string) => readonly Edge[]): Cycle[] {
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const cycles: Cycle[] = [];
  const visit = (node: string): void => {
    state.set(node, 'active');
    stack.push(node);
    for (const edge of edgesOf(node)) {
      const seen = state.get(edge.to);
      if (seen === 'active') {
        cycles.push({ members: stack.slice(stack.indexOf(edge.to)), dropped: edge });
      } else if (seen === undefined) {
        visit(edge.to);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...nodes].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
