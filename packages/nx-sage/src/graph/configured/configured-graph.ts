/**
 * The tree graph of a CONFIGURED checkout: GNU make's answer (configured-sage.ts) is the source of
 * truth for edges, dummy (system) packages, the enabled set and the build set; the plugin options are
 * overrides on top (`enable` adds packages, `system` marks more as provided). Pure.
 */
import type { SageTree } from '../../spkg/tree';
import { breakCycles, type Edge } from '../cycles';
import type { NormalizedOptions } from '../options';
import type { BrokenPackage, PackageNode, TreeGraph } from '../tree-graph';
import type { ConfiguredPackage, ConfiguredSage } from './configured-sage';

export function buildConfiguredGraph(tree: SageTree, configured: ConfiguredSage, options: NormalizedOptions, sageRoot: string): TreeGraph {
  const known = tree.packages.filter((spkg) => configured.packages[spkg.name]);
  const byName = (name: string): ConfiguredPackage | undefined => configured.packages[name];
  const system = new Set([...known.filter((s) => byName(s.name)!.dummy).map((s) => s.name), ...options.system]);
  const enabled = new Set(
    known
      .filter((s) => byName(s.name)!.installed || options.enable.includes(s.name) || (options.enableTypes as string[]).includes(s.type))
      .map((s) => s.name),
  );
  const checked = new Set(options.check === true ? [...enabled] : Array.isArray(options.check) ? options.check : []);
  const edgesOf = (name: string): Edge[] => {
    const p = byName(name);
    if (!p) return [];
    // As `SAGE_CHECK_<pkg>=yes make`: a checked package's check prerequisites are order-only edges too.
    const orderOnly = checked.has(name) ? [...p.orderOnlyDeps, ...p.checkDeps] : p.orderOnlyDeps;
    return [
      ...p.deps.map((to) => ({ from: name, to, kind: 'normal' as const })),
      ...orderOnly.map((to) => ({ from: name, to, kind: 'orderOnly' as const })),
    ];
  };
  const cycles = breakCycles(known.map((s) => s.name), edgesOf);
  const dropped = new Map<string, string[]>();
  for (const { dropped: edge } of cycles) dropped.set(edge.from, [...(dropped.get(edge.from) ?? []), edge.to]);

  // Same closure as make's: from the enabled packages and the toolchain, never through a dummy.
  const toolchain = `${configured.vars.TOOLCHAIN} ${configured.vars.TOOLCHAIN_DEPS}`.split(/\s+/).filter((n) => byName(n));
  const buildSet = new Set<string>();
  const queue = [...enabled, ...toolchain];
  while (queue.length) {
    const name = queue.pop()!;
    if (buildSet.has(name) || !byName(name)) continue;
    buildSet.add(name);
    if (system.has(name)) continue;
    for (const edge of edgesOf(name)) if (!dropped.get(name)?.includes(edge.to)) queue.push(edge.to);
  }

  // Packages whose files could not be read carry their error as projects (as in unconfigured trees).
  const broken = new Map<string, BrokenPackage>();
  for (const error of tree.errors) {
    broken.set(error.pkg, { name: error.pkg, dir: `${tree.pkgsDir}/${error.pkg}`, error, inBuildSet: buildSet.has(error.pkg) });
  }
  const nodes = new Map<string, PackageNode>();
  for (const spkg of known) {
    const p = byName(spkg.name)!;
    nodes.set(spkg.name, {
      spkg,
      deps: p.deps,
      orderOnlyDeps: p.orderOnlyDeps,
      // From deps_<pkg> evaluated with SAGE_CHECK_<pkg>=yes (configured-sage.ts); edges only when checked.
      checkDeps: p.checkDeps,
      fileDeps: p.fileDeps.map((file) => symbolicFile(file, sageRoot)),
      enabled: enabled.has(spkg.name),
      inBuildSet: buildSet.has(spkg.name),
      system: system.has(spkg.name),
      checked: checked.has(spkg.name),
      droppedDeps: dropped.get(spkg.name) ?? [],
      brokenDeps: [...p.deps, ...p.orderOnlyDeps].filter((dep) => broken.has(dep)),
      // make itself evaluated the lines: nothing is left undefined for us to report.
      undefinedVars: [],
    });
  }
  const venvStamp = configured.venvNode ? configured.vars.inst_python3_venv || null : null;
  return { nodes, broken, venvNode: configured.venvNode, venvStamp, cycles, errors: [], warnings: [], notes: [] };
}

// The evaluator writes Sage-source prerequisites as `/SAGE_SRC/...`; make's are absolute.
function symbolicFile(file: string, sageRoot: string): string {
  const src = `${sageRoot}/src/`;
  return file.startsWith(src) ? `/SAGE_SRC/${file.slice(src.length)}` : file;
}
