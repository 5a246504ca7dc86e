/**
 * What `./configure` decided, as GNU make reads it from the configured build/make/Makefile: the driver
 * below is fed to `make -f - -pq` (nothing is built), and `configuredSageFromDatabase` turns make's data
 * base into the package graph. Pure apart from the driver text; the process call is in read-configured.ts.
 */
import { variableWords, type MakeDatabase } from './make-database';

/** Scalars of the configured Makefile, copied into simply-expanded NX_SAGE_VAR_* so make prints them expanded. */
export const CONFIGURED_SCALARS = [
  'SAGE_LOCAL', 'SAGE_VENV', 'SAGE_DOCS', 'PYTHON', 'PYTHON_FOR_VENV', 'PYTHON_MINOR', 'SAGE_VENV_FLAGS',
  'PCFILES', 'GCC_DEP', 'TOOLCHAIN', 'TOOLCHAIN_DEPS', 'SAGE_SPKG_OPTIONS', 'SPKG_INST_RELDIR', 'inst_python3_venv',
  'BUILT_PACKAGES', 'DUMMY_PACKAGES', 'OPTIONAL_INSTALLED_PACKAGES', 'OPTIONAL_UNINSTALLED_PACKAGES',
  'NORMAL_PACKAGES', 'PIP_PACKAGES', 'SCRIPT_PACKAGES',
] as const;
export type ConfiguredScalar = (typeof CONFIGURED_SCALARS)[number];

export const DRIVER_GOAL = 'nx-sage-nothing';

/** The driver makefile (make's stdin): includes the configured Makefile, adds expanded copies, builds nothing. */
export function driverMakefile(configuredMakefile: string): string {
  return [
    `include ${configuredMakefile}`,
    `$(foreach v,${CONFIGURED_SCALARS.join(' ')},$(eval NX_SAGE_VAR_$(v) := $$($(v))))`,
    'NX_SAGE_PACKAGES := $(sort $(BUILT_PACKAGES) $(DUMMY_PACKAGES))',
    '$(foreach p,$(NX_SAGE_PACKAGES),$(eval NX_SAGE_DEPS_$(p) := $$(deps_$(p)))$(eval NX_SAGE_VERS_$(p) := $$(vers_$(p)))' +
      '$(eval NX_SAGE_TREES_$(p) := $$(trees_$(p)))$(eval NX_SAGE_INST_$(p) := $$(inst_$(p))))',
    // deps_<pkg> again as `SAGE_CHECK=yes make` evaluates it: the check clauses ($(and $(filter-out no,
    // $(SAGE_CHECK_<pkg>)), …)) expanded. Set after the rules and the copies above were read, so they keep
    // make's default (checks off).
    '$(foreach p,$(NX_SAGE_PACKAGES),$(eval SAGE_CHECK_$(p) := yes)$(eval NX_SAGE_CHECKDEPS_$(p) := $$(deps_$(p))))',
    `.PHONY: ${DRIVER_GOAL}`,
    `${DRIVER_GOAL}: ;`,
    '',
  ].join('\n');
}

export interface ConfiguredPackage {
  name: string;
  version: string;
  /** SAGE_LOCAL, SAGE_VENV and/or SAGE_DOCS (trees_<pkg>). */
  trees: string[];
  source: 'normal' | 'script' | 'pip';
  /** configure's DUMMY_PACKAGES: provided by the system (or not required); never built by make. */
  dummy: boolean;
  /** In OPTIONAL_INSTALLED_PACKAGES with a tree to go to: what `make` builds (standard and enabled optional packages). */
  installed: boolean;
  /** deps_<pkg> as make evaluates it, split at `|`. */
  depsWords: { normal: string[]; orderOnly: string[] };
  /** The package's rule, prerequisites mapped back to packages (`.dummy` → the dummy packages it stands for). */
  deps: string[];
  orderOnlyDeps: string[];
  /** Prerequisites that are no package (GCC_DEP, FORCE, files). */
  fileDeps: string[];
  /** What deps_<pkg> adds when the package's tests run (SAGE_CHECK_<pkg>=yes): order-only in make. */
  checkDeps: string[];
  /** The rule's target: the stamp path, or the package name for pip packages. */
  target: string;
}

export interface ConfiguredSage {
  vars: Record<ConfiguredScalar, string>;
  /** By name (plain JSON: this is cached on disk). */
  packages: Record<string, ConfiguredPackage>;
  /** The venv node ($(PYTHON), e.g. python3_venv) when it is no package, else null. */
  venvNode: string | null;
  /** What `make` (base-toolchain, all-sage, all-sage-docs) builds: closure from the installed packages and the toolchain, never through a dummy. */
  buildSet: string[];
}

export function configuredSageFromDatabase(db: MakeDatabase): ConfiguredSage {
  const vars = Object.fromEntries(CONFIGURED_SCALARS.map((v) => [v, (db.variables.get(`NX_SAGE_VAR_${v}`) ?? '').trim()])) as Record<ConfiguredScalar, string>;
  const set = (v: ConfiguredScalar) => new Set(vars[v].split(/\s+/).filter(Boolean));
  const dummy = set('DUMMY_PACKAGES');
  const installed = set('OPTIONAL_INSTALLED_PACKAGES');
  const pip = set('PIP_PACKAGES');
  const script = set('SCRIPT_PACKAGES');
  const names = variableWords(db, 'NX_SAGE_PACKAGES');
  const venvNode = vars.PYTHON && !names.includes(vars.PYTHON) ? vars.PYTHON : null;

  // A prerequisite file → the package it stands for (stamps of built packages, pip names, the venv stamp).
  const instOf = new Map(names.map((name) => [name, (db.variables.get(`NX_SAGE_INST_${name}`) ?? '').trim()]));
  const byFile = new Map<string, string>();
  for (const [name, inst] of instOf) if (inst && !dummy.has(name)) byFile.set(inst, name);
  const isPackage = new Set(names);
  if (venvNode && vars.inst_python3_venv) byFile.set(vars.inst_python3_venv, venvNode);
  const dummyStamp = `${vars.SAGE_LOCAL}/${vars.SPKG_INST_RELDIR}/.dummy`;

  const packages = new Map<string, ConfiguredPackage>();
  for (const name of names) {
    const version = (db.variables.get(`NX_SAGE_VERS_${name}`) ?? '').trim();
    // `configure --disable-doc` empties SAGE_DOCS: a package installed only there has no stamp (inst_<pkg>
    // is empty), so make has nothing to build for it and every prerequisite naming it vanishes.
    const treeless = !dummy.has(name) && instOf.get(name) === '';
    const trees = variableWords(db, `NX_SAGE_TREES_${name}`);
    const words = variableWords(db, `NX_SAGE_DEPS_${name}`);
    const bar = words.indexOf('|');
    const depsWords = { normal: bar < 0 ? words : words.slice(0, bar), orderOnly: bar < 0 ? [] : words.slice(bar + 1) };
    const source = pip.has(name) ? 'pip' : script.has(name) ? 'script' : 'normal';
    const target = source === 'pip' ? name : `${varValue(vars, trees[0])}/${vars.SPKG_INST_RELDIR}/${name}-${version}`;
    const rule = db.rules.get(target) ?? { normal: [], orderOnly: [], isTarget: false };
    // Every dummy prerequisite is the one file `.dummy` (make cannot tell them apart, and merges it into the
    // normal side when both sides name one): a dummy edge keeps the side its deps_<pkg> word is on.
    const mapSide = (files: string[], side: string[]) => {
      const pkgs: string[] = side.filter((w) => dummy.has(w));
      const other: string[] = [];
      for (const file of files) {
        if (file === dummyStamp) continue;
        if (byFile.has(file)) pkgs.push(byFile.get(file)!);
        else other.push(file);
      }
      return { pkgs: unique(pkgs), other };
    };
    const normal = mapSide(rule.normal, depsWords.normal);
    const orderOnly = mapSide(rule.orderOnly, depsWords.orderOnly);
    // Words the check clause adds: package names, or stamp paths ($(SAGERUNTIME) names $(inst_…) files).
    const plain = new Set(words);
    const checkDeps = unique(
      variableWords(db, `NX_SAGE_CHECKDEPS_${name}`)
        .filter((w) => w !== '|' && !plain.has(w))
        .map((w) => (isPackage.has(w) ? w : byFile.get(w)))
        .filter((p): p is string => p !== undefined && p !== name && !normal.pkgs.includes(p) && !orderOnly.pkgs.includes(p)),
    );
    packages.set(name, {
      name,
      version,
      trees,
      source,
      dummy: dummy.has(name),
      installed: installed.has(name) && !treeless,
      depsWords,
      deps: normal.pkgs,
      orderOnlyDeps: orderOnly.pkgs.filter((p) => !normal.pkgs.includes(p)),
      fileDeps: unique([...normal.other, ...orderOnly.other]),
      checkDeps,
      target,
    });
  }
  return { vars, packages: Object.fromEntries(packages), venvNode, buildSet: [...buildSetOf(vars, packages, venvNode)].sort() };
}

function buildSetOf(vars: Record<ConfiguredScalar, string>, packages: Map<string, ConfiguredPackage>, venvNode: string | null): Set<string> {
  const roots = [
    ...[...packages.values()].filter((p) => p.installed).map((p) => p.name),
    ...vars.TOOLCHAIN.split(/\s+/).filter(Boolean),
    ...vars.TOOLCHAIN_DEPS.split(/\s+/).filter(Boolean),
  ];
  const seen = new Set<string>();
  const queue = roots.filter((name) => packages.has(name));
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const pkg = packages.get(name);
    // make reaches a dummy package only through `.dummy`: it never builds it nor follows its rule.
    if (!pkg || pkg.dummy) continue;
    for (const dep of [...pkg.deps, ...pkg.orderOnlyDeps]) if (dep !== venvNode) queue.push(dep);
  }
  return seen;
}

function varValue(vars: Record<ConfiguredScalar, string>, tree: string | undefined): string {
  if (tree === 'SAGE_LOCAL' || tree === 'SAGE_VENV' || tree === 'SAGE_DOCS') return vars[tree];
  return '';
}

const unique = <T>(values: T[]) => [...new Set(values)];
