/**
 * Make variables that may appear in `dependencies` files. Values come from the tree's own
 * build/make/Makefile.in when it has one; these are Sage 10.10's (Makefile.in l. 36-37, 223, 307, 315)
 * for trees without it.
 */
export type MakeVars = Readonly<Record<string, string>>;

export const DEFAULT_MAKE_VARS: MakeVars = {
  PYTHON: 'python3_venv',
  PYTHON_TOOLCHAIN: 'setuptools pip setuptools_scm wheel flit_core hatchling python_build meson_python',
  MP_LIBRARY: 'gmp',
  BLAS: 'openblas',
  SAGERUNTIME: 'sagelib $(inst_ipython) $(inst_pexpect)',
  // Empty unless configure found system gsl/openblas (.pc facades), a Sage-built gcc, or scripts.
  PCFILES: '',
  SCRIPTS: '',
  GCC_DEP: '',
  SPKG_INST_RELDIR: 'var/lib/sage/installed',
};

/** Variables that name places, rendered symbolically (as Sage's graph.json does) instead of expanded. */
export const PATH_VARS: ReadonlySet<string> = new Set(['SAGE_ROOT', 'SAGE_SRC', 'SAGE_LOCAL', 'SAGE_VENV', 'SAGE_DOCS']);

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::?=|\?=)\s*(.*?)\s*$/;

/**
 * Reads plain `NAME = value` assignments of a Makefile.in (column 0, not recipes).
 * `@SUBST@` placeholders are configure's: with no configure run they stand for the default, empty.
 * Sage assigns PYTHON inside `ifneq ($(PYTHON_FOR_VENV),)`, which configure now always satisfies,
 * so conditionals are read as taken.
 */
export function parseMakefileVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  let continued: { name: string; value: string } | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (continued) {
      const more = raw.replace(/\\$/, '').trim();
      continued.value += ` ${more}`;
      if (!raw.endsWith('\\')) {
        vars[continued.name] = cleanValue(continued.value);
        continued = null;
      }
      continue;
    }
    if (raw.startsWith('\t') || raw.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(raw);
    if (!match) continue;
    const [, name, value] = match;
    if (value.endsWith('\\')) {
      continued = { name, value: value.slice(0, -1) };
      continue;
    }
    vars[name] = cleanValue(value);
  }
  return vars;
}

function cleanValue(value: string): string {
  return value.replace(/\s*#.*$/, '').replace(/@[A-Za-z0-9_]+@/g, '').replace(/\s+/g, ' ').trim();
}

/** Tree values override defaults; only variables a dependency line can use are kept meaningful. */
export function resolveMakeVars(fromTree: Record<string, string> | null): MakeVars {
  return { ...DEFAULT_MAKE_VARS, ...(fromTree ?? {}) };
}
