/**
 * Expectations computed from the ground-truth graph.json (Sage's own Makefile evaluated by GNU make;
 * see /work/shared/docs/sage-spkg-conventions.md §4 and §7), independently of the plugin's code.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface GraphPackage {
  version: string;
  type: string;
  source: string;
  deps: string[];
  orderOnlyDeps: string[];
}

export interface SageGraph {
  packages: Record<string, GraphPackage>;
  cycles: Array<{ members: string[]; edges: Array<[string, string, 'normal' | 'orderOnly']> }>;
}

export const VENV_NODE = 'python3_venv';

export function readSageGraph(sageTree: string): SageGraph {
  return JSON.parse(readFileSync(join(sageTree, 'graph.json'), 'utf8')) as SageGraph;
}

/** The one edge GNU make drops (`Circular ... dependency dropped`): sphinxcontrib_websupport → sphinx. */
export function droppedEdges(graph: SageGraph): Set<string> {
  // make walks sphinx first (it is a prerequisite of everything docs) and drops the edge that closes
  // the cycle, which is the normal edge back into sphinx.
  const dropped = new Set<string>();
  for (const cycle of graph.cycles) {
    const closing = cycle.edges.find(([, , kind]) => kind === 'normal');
    if (closing) dropped.add(`${closing[0]}->${closing[1]}`);
  }
  return dropped;
}

/**
 * `make` of a default configure: every standard package (not `base`) and whatever it needs through
 * normal and order-only edges. Returns the packages, not the venv node.
 */
export function defaultBuildSet(graph: SageGraph): Set<string> {
  const { packages } = graph;
  const seen = new Set<string>();
  const queue = Object.keys(packages).filter((name) => packages[name].type === 'standard');
  const dropped = droppedEdges(graph);
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name) || !packages[name]) continue;
    seen.add(name);
    for (const dep of [...packages[name].deps, ...packages[name].orderOnlyDeps]) if (!dropped.has(`${name}->${dep}`)) queue.push(dep);
  }
  return seen;
}

/** Packages with a `build` target: in the build set and with a source (source `none` is only satisfied). */
export function packagesWithBuild(graph: SageGraph): Set<string> {
  return new Set([...defaultBuildSet(graph)].filter((name) => graph.packages[name].source !== 'none'));
}

/**
 * What `make` rebuilds when X's stamp changes (new version ⇒ new stamp, newer than everything):
 * X and every package that reaches X through NORMAL prerequisites only (order-only edges never make a
 * target stale), without the edge make dropped.
 */
export function normalDependents(graph: SageGraph, x: string): Set<string> {
  return dependents(graph, x, (pkg) => pkg.deps);
}

/** Every graph dependent of X, normal and order-only (what Nx's project-level `affected` selects). */
export function allDependents(graph: SageGraph, x: string): Set<string> {
  return dependents(graph, x, (pkg) => [...pkg.deps, ...pkg.orderOnlyDeps]);
}

/** X plus everything that reaches X through the edges `edgesOf` names, without the edge make dropped. */
function dependents(graph: SageGraph, x: string, edgesOf: (pkg: GraphPackage) => string[]): Set<string> {
  const dropped = droppedEdges(graph);
  const reverse = new Map<string, string[]>();
  for (const [name, pkg] of Object.entries(graph.packages)) {
    for (const dep of edgesOf(pkg)) {
      if (dropped.has(`${name}->${dep}`)) continue;
      reverse.set(dep, [...(reverse.get(dep) ?? []), name]);
    }
  }
  const seen = new Set<string>([x]);
  const queue = [x];
  while (queue.length) for (const next of reverse.get(queue.pop()!) ?? []) if (!seen.has(next)) seen.add(next), queue.push(next);
  return seen;
}

/** Expected rebuild set for a version bump of X, restricted to packages that have a build target. */
export function expectedRebuilds(graph: SageGraph, x: string, withBuild = packagesWithBuild(graph)): string[] {
  return [...normalDependents(graph, x)].filter((name) => withBuild.has(name)).sort();
}

export function diffSets(actual: Iterable<string>, expected: Iterable<string>): { extra: string[]; missing: string[] } {
  const a = new Set(actual);
  const e = new Set(expected);
  return { extra: [...a].filter((n) => !e.has(n)).sort(), missing: [...e].filter((n) => !a.has(n)).sort() };
}

// A one-line file holding a relative path: a symlink stored as text (Sage links package-version.txt of
// gfortran → gcc, pplpy_doc → pplpy, gap_packages → gap, and of its own distributions → VERSION.txt).
const LINK_TEXT = /^\.\.?\/\S*$/;

/**
 * The file X's version is really read from, relative to the tree (following real and textual links),
 * or null when X has no package-version.txt (version "none"). Bumping X's version means editing it,
 * which bumps every package whose version comes from the same file.
 */
export function versionSource(sageTree: string, x: string): string | null {
  let file = join(sageTree, 'build/pkgs', x, 'package-version.txt');
  for (let depth = 0; depth < 5; depth++) {
    if (!existsSync(file)) return null;
    file = realpathSync(file);
    const text = readFileSync(file, 'utf8').trim();
    if (!LINK_TEXT.test(text)) break;
    file = join(dirname(file), text);
  }
  return relative(realpathSync(sageTree), file);
}

