/**
 * The make variables a dependency line is evaluated with in a tree WITHOUT a configured Makefile:
 * the tree's own build/make/Makefile.in (else Sage 10.10's values, DEFAULT_MAKEFILE), read as make
 * would after a default configure, plus what configure and the Makefile's loops define per package
 * (vers_<pkg>, trees_<pkg>, inst_<pkg>). Places are symbolic (`$(SAGE_LOCAL)` → `/SAGE_LOCAL`), as in
 * Sage's graph.json, so stamp paths map back to packages.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expand, type MakeScope, type MakeVar } from './make-eval';
import { readMakefileVariables, type MakefileVariables } from './makefile-reader';

/** Places: command-line variables with symbolic values (make never sees them as files here). */
export const PATH_VARS = ['SAGE_ROOT', 'SAGE_SRC', 'SAGE_LOCAL', 'SAGE_VENV', 'SAGE_DOCS'] as const;

/**
 * Sage 10.10's Makefile.in values that dependency lines use (l. 32-37, 40, 83, 214-224, 307, 315),
 * restated for trees that carry no build/make/Makefile.in (the flattened metadata folder).
 */
export const DEFAULT_MAKEFILE = `
SPKG_INST_RELDIR = var/lib/sage/installed
TOOLCHAIN = @SAGE_TOOLCHAIN@
MP_LIBRARY = gmp
BLAS = openblas
PCFILES = @SAGE_SYSTEM_FACADE_PC_FILES@
GCC_DEP = @SAGE_GCC_DEP@
OPTIONAL_INSTALLED_PACKAGES = @SAGE_OPTIONAL_INSTALLED_PACKAGES@
PYTHON_FOR_VENV = @PYTHON_FOR_VENV@
PYTHON_MINOR = @PYTHON_MINOR@
SAGE_VENV_FLAGS = @SAGE_VENV_FLAGS@
ifneq ($(PYTHON_FOR_VENV),)
PYTHON = python3_venv
inst_python3_venv = $(SAGE_VENV)/$(SPKG_INST_RELDIR)/python3_venv-3.$(PYTHON_MINOR)-$(subst /,-,$(PYTHON_FOR_VENV))$(findstring --system-site-packages,$(SAGE_VENV_FLAGS))
endif
PYTHON_TOOLCHAIN = setuptools pip setuptools_scm wheel flit_core hatchling python_build meson_python
SAGERUNTIME = sagelib $(inst_ipython) $(inst_pexpect)
`;

export interface EnvPackage {
  name: string;
  /** '' when unknown (a package whose metadata could not be read). */
  versionWithPatchlevel: string;
  trees: string;
  source: string;
}

export interface DependencyEnvInput {
  /** Text of the tree's build/make/Makefile.in, or null to use DEFAULT_MAKEFILE. */
  makefileIn: string | null;
  packages: EnvPackage[];
  /** OPTIONAL_INSTALLED_PACKAGES: the enabled packages (standard + the plugin's `enable`). */
  enabled: string[];
  /**
   * configure's PYTHON_FOR_VENV: the Python the venv is made from when configure accepts the system
   * Python; '' when it does not (old trees then build the python3 package and $(PYTHON) names it).
   */
  pythonForVenv: string;
  /** Absolute SAGE_ROOT on disk, for $(wildcard ...); without it wildcard is an error. */
  sageRoot?: string;
}

export interface DependencyEnv {
  scope: MakeScope;
  /** Package names (all of them, unreadable ones included). */
  packages: ReadonlySet<string>;
  /** $(PYTHON) when it names no package: the venv-creation node (python3_venv), else null. */
  venvNode: string | null;
  /** What $(inst_<venvNode>) expands to: its stamp (10.x) or the file $(SAGE_VENV)/pyvenv.cfg (≤ 10.2). */
  venvStamp: string | null;
  /** `/SAGE_LOCAL/var/lib/sage/installed/gmp-6.3.0` → gmp, for every tree. */
  stamps: ReadonlyMap<string, string>;
  problems: MakefileVariables['problems'];
}

const file = (value: string): MakeVar => ({ value, recursive: true, origin: 'file' });
const commandLine = (value: string): MakeVar => ({ value, recursive: false, origin: 'command line' });

export function buildDependencyEnv(input: DependencyEnvInput): DependencyEnv {
  const base = new Map<string, MakeVar>();
  for (const p of input.packages) {
    base.set(`vers_${p.name}`, file(p.versionWithPatchlevel));
    base.set(`trees_${p.name}`, file(p.trees));
    // Makefile.in's loops: a pip package's target is its name (phony), any other's its stamp.
    base.set(`inst_${p.name}`, file(p.source === 'pip' ? p.name : `$(foreach tree,$(trees_${p.name}),$(and $($(tree)),$($(tree))/$(SPKG_INST_RELDIR)/${p.name}-$(vers_${p.name})))`));
  }
  const cli = new Map<string, MakeVar>(PATH_VARS.map((name) => [name, commandLine(`/${name}`)]));
  cli.set('OPTIONAL_INSTALLED_PACKAGES', commandLine([...input.enabled].sort().join(' ')));
  const wildcard = input.sageRoot ? (pattern: string) => globSymbolic(input.sageRoot!, pattern) : undefined;
  const { vars, problems } = readMakefileVariables(input.makefileIn ?? DEFAULT_MAKEFILE, {
    substitutions: { PYTHON_FOR_VENV: input.pythonForVenv },
    commandLine: cli,
    base,
    scope: { wildcard },
  });
  const scope: MakeScope = { lookup: (name) => vars.get(name), wildcard };
  const packages = new Set(input.packages.map((p) => p.name));
  const python = expand('$(PYTHON)', scope).trim();
  const venvNode = python && !packages.has(python) && !python.includes('/') ? python : null;
  const venvStamp = venvNode && vars.get(`inst_${venvNode}`)?.value ? expand(`$(inst_${venvNode})`, scope).trim() : null;
  const stamps = new Map<string, string>();
  const reldir = expand('$(SPKG_INST_RELDIR)', scope).trim();
  for (const p of input.packages) {
    for (const tree of ['SAGE_LOCAL', 'SAGE_VENV', 'SAGE_DOCS']) stamps.set(`/${tree}/${reldir}/${p.name}-${p.versionWithPatchlevel}`, p.name);
  }
  return { scope, packages, venvNode, venvStamp, stamps, problems };
}

/**
 * $(wildcard) relative to SAGE_ROOT (make runs Sage's Makefile from there), with the symbolic places
 * mapped to the tree: `/SAGE_SRC/...` → `<root>/src/...`, `/SAGE_ROOT/...` → `<root>/...`. Results are
 * written the way the pattern was. Other places (SAGE_LOCAL, SAGE_VENV) match nothing: an unconfigured
 * tree has no install tree to look at.
 */
export function globSymbolic(sageRoot: string, pattern: string): string[] {
  const places: Array<[string, string]> = [['/SAGE_SRC/', join(sageRoot, 'src')], ['/SAGE_ROOT/', sageRoot]];
  for (const [prefix, dir] of places) {
    if (pattern.startsWith(prefix)) return glob(dir, pattern.slice(prefix.length)).map((rel) => prefix + rel);
  }
  if (pattern.startsWith('/')) return [];
  return glob(sageRoot, pattern);
}

function glob(root: string, pattern: string): string[] {
  let matches = [''];
  for (const segment of pattern.split('/').filter(Boolean)) {
    const regex = /[*?[]/.test(segment) ? segmentRegex(segment) : null;
    matches = matches.flatMap((prefix) => {
      const dir = join(root, prefix);
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        return [];
      }
      const names = regex ? entries.filter((e) => regex.test(e) && (!e.startsWith('.') || segment.startsWith('.'))) : entries.filter((e) => e === segment);
      return names.map((name) => (prefix ? `${prefix}/${name}` : name));
    });
  }
  return matches.filter(Boolean).sort();
}

function segmentRegex(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        source += `[${segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
