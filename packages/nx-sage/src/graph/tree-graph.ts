import { dirname } from 'node:path';
import { buildDependencyEnv, type DependencyEnv } from '../spkg/dependency-env';
import { SpkgError } from '../spkg/errors';
import type { Spkg } from '../spkg/package';
import type { SageTree } from '../spkg/tree';
import { breakCycles, type Cycle, type Edge } from './cycles';
import type { NormalizedOptions } from './options';
import { resolveDependencies, type ResolvedDependencies } from './resolve-dependencies';

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
  /** Prerequisites (normal, order-only) that are broken packages. */
  brokenDeps: string[];
}

/** A package whose files cannot be read or whose lines cannot be evaluated: a project carrying the error. */
export interface BrokenPackage {
  name: string;
  /** Absolute package directory. */
  dir: string;
  error: SpkgError;
  /** The metadata, when only its dependency lines failed. */
  spkg?: Spkg;
  /** Has targets: enabled, needed by a package in the build set, or of unknown type. */
  inBuildSet: boolean;
}

export interface TreeGraph {
  nodes: Map<string, PackageNode>;
  broken: Map<string, BrokenPackage>;
  /** The venv-creation node ($(PYTHON) when it is no package), or null. */
  venvNode: string | null;
  /** What the venv target is in this tree's Makefile: a python3_venv stamp, or $(SAGE_VENV)/pyvenv.cfg. */
  venvStamp: string | null;
  cycles: Cycle[];
  /** Problems that belong to no package (plugin options naming unknown packages). */
  errors: SpkgError[];
  /** Warnings for humans: Makefile lines that were not evaluated. */
  warnings: string[];
  /**
   * Notes: variables used by a line that no Makefile defines. make expands them to empty without a word
   * (Sage 10.10's sagelib line uses $(SCRIPTS), defined nowhere), so these are only logged verbosely.
   */
  notes: string[];
}

/** Sage's configure + make view of a whole tree: prerequisites, enabled set, cycles. Pure but for $(wildcard). */
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
  const env = treeEnv(tree, options, [...enabled]);
  const broken = new Map<string, BrokenPackage>();
  for (const error of tree.errors) broken.set(error.pkg, { name: error.pkg, dir: `${tree.pkgsDir}/${error.pkg}`, error, inBuildSet: true });
  const resolved = new Map<string, ResolvedDependencies>();
  const notes: string[] = [];
  const warnings = env.problems.map((p) => `${tree.makefileIn}:${p.line}: ${p.message}: ${p.text}`);
  for (const spkg of tree.packages) {
    try {
      const r = resolveDependencies(spkg, { env, checked });
      resolved.set(spkg.name, r);
      if (r.undefinedVars.length) {
        notes.push(`${spkg.dir}/dependencies:1: package '${spkg.name}': ${r.undefinedVars.map((v) => `$(${v})`).join(' ')} ${r.undefinedVars.length > 1 ? 'are' : 'is'} defined by no Makefile; make expands ${r.undefinedVars.length > 1 ? 'them' : 'it'} to empty`);
      }
    } catch (error) {
      if (!(error instanceof SpkgError)) throw error;
      broken.set(spkg.name, { name: spkg.name, dir: spkg.dir, error, spkg, inBuildSet: false });
    }
  }
  const errors: SpkgError[] = [];
  for (const name of [...options.enable, ...options.system]) {
    if (!packages.has(name) && !broken.has(name)) {
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
  for (const b of broken.values()) b.inBuildSet = !b.spkg || buildSet.has(b.name);

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
      brokenDeps: [...r.deps, ...r.orderOnlyDeps].filter((dep) => broken.has(dep)),
    });
  }
  return { nodes, broken, venvNode: env.venvNode, venvStamp: env.venvStamp, cycles, errors, warnings, notes };
}

/** The make variables of this tree, as a default configure with the plugin's options would set them. */
export function treeEnv(tree: SageTree, options: NormalizedOptions, enabled: string[]): DependencyEnv {
  return buildDependencyEnv({
    makefileIn: tree.makefileText,
    packages: [
      ...tree.packages,
      // Broken packages still have a name (and a stamp target) that other lines can refer to.
      ...tree.errors.map((e) => ({ name: e.pkg, versionWithPatchlevel: '', trees: 'SAGE_LOCAL', source: 'normal' })),
    ],
    enabled,
    // The plugin makes the venv from its `python` (configure accepting the system Python), unless
    // `buildPython` says configure rejected it: then old trees' $(PYTHON) is the python3 package.
    pythonForVenv: options.buildPython ? '' : options.python,
    sageRoot: dirname(dirname(tree.pkgsDir)),
  });
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
