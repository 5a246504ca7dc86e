import type { Spkg } from '../spkg/package';
import { SpkgError } from '../spkg/errors';
import type { SageTree } from '../spkg/tree';
import { breakCycles, type Cycle, type Edge } from './cycles';
import type { NormalizedOptions } from './options';
import { resolveDependencies, virtualPythonNode, type ResolvedDependencies } from './resolve-dependencies';

export interface PackageNode extends ResolvedDependencies {
  spkg: Spkg;
  /** In configure's OPTIONAL_INSTALLED_PACKAGES (standard, or enabled by the options). */
  enabled: boolean;
  /** Built by `nx run-many -t install`: enabled, or needed by an enabled package (as make pulls it in). */
  inBuildSet: boolean;
  /** Provided by the system: satisfied without building (configure's .dummy). */
  system: boolean;
  checked: boolean;
  /** Dependencies removed to break a cycle (they stay in `deps`/`orderOnlyDeps` as Sage declares them). */
  droppedDeps: string[];
}

export interface TreeGraph {
  nodes: Map<string, PackageNode>;
  /** The venv-creation node ($(PYTHON) when it is no package), or null. */
  venvNode: string | null;
  cycles: Cycle[];
  errors: SpkgError[];
}

/** Sage's configure + make view of a whole tree: prerequisites, enabled set, cycles. Pure. */
export function buildTreeGraph(tree: SageTree, options: NormalizedOptions): TreeGraph {
  const packages = new Map(tree.packages.map((spkg) => [spkg.name, spkg]));
  const enabled = new Set(
    tree.packages
      .filter((p) => p.type === 'standard' || options.enable.includes(p.name) || (options.enableTypes as string[]).includes(p.type))
      .map((p) => p.name),
  );
  const checked = new Set(
    options.check === true ? [...enabled] : Array.isArray(options.check) ? options.check : [],
  );
  const venvNode = virtualPythonNode({ packages, makeVars: tree.makeVars });
  const installedList = [...enabled].sort().join(' ');
  const ctx = { packages, makeVars: tree.makeVars, enabled, checked, installedList, venvNode };
  const errors = [...tree.errors];
  const resolved = new Map<string, ResolvedDependencies>();
  for (const spkg of tree.packages) {
    try {
      resolved.set(spkg.name, resolveDependencies(spkg, ctx));
    } catch (error) {
      if (!(error instanceof SpkgError)) throw error;
      errors.push(error);
    }
  }
  for (const name of [...options.enable, ...options.system]) {
    if (!packages.has(name)) {
      errors.push(new SpkgError('is named in the nx-sage plugin options but has no directory in build/pkgs', {
        code: 'EUNKNOWNDEP', pkg: name, file: 'nx.json', hint: 'fix the name in nx.json (plugins → nx-sage → options)',
      }));
    }
  }

  const edgesOf = (name: string): Edge[] => {
    const r = resolved.get(name);
    if (!r) return [];
    const withChecks = checked.has(name) ? [...r.orderOnlyDeps, ...r.checkDeps] : r.orderOnlyDeps;
    return [
      ...r.deps.map((to) => ({ from: name, to, kind: 'normal' as const })),
      ...withChecks.map((to) => ({ from: name, to, kind: 'orderOnly' as const })),
    ];
  };
  const cycles = breakCycles([...resolved.keys()], edgesOf);
  const dropped = new Map<string, string[]>();
  for (const { dropped: edge } of cycles) dropped.set(edge.from, [...(dropped.get(edge.from) ?? []), edge.to]);

  const system = new Set(options.system);
  const buildSet = closure([...enabled].filter((name) => packages.get(name)?.type !== 'base'), (name) =>
    system.has(name) ? [] : edgesOf(name).map((e) => e.to).filter((to) => !dropped.get(name)?.includes(to)),
  );

  const nodes = new Map<string, PackageNode>();
  for (const spkg of tree.packages) {
    const r = resolved.get(spkg.name);
    if (!r) continue;
    nodes.set(spkg.name, {
      spkg,
      ...r,
      enabled: enabled.has(spkg.name),
      inBuildSet: buildSet.has(spkg.name),
      system: system.has(spkg.name),
      checked: checked.has(spkg.name),
      droppedDeps: dropped.get(spkg.name) ?? [],
    });
  }
  return { nodes, venvNode, cycles, errors };
}

function closure(roots: string[], next: (name: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...next(name));
  }
  return seen;
}

/** Packages reachable from `name` through normal edges only (what invalidates its build in Sage). */
export function normalClosure(graph: TreeGraph, name: string, includeOrderOnly = false): string[] {
  const result = closure([name], (n) => {
    const node = graph.nodes.get(n);
    if (!node) return [];
    const next = includeOrderOnly ? [...node.deps, ...node.orderOnlyDeps] : node.deps;
    return next.filter((to) => !node.droppedDeps.includes(to));
  });
  result.delete(name);
  return [...result].sort();
}
