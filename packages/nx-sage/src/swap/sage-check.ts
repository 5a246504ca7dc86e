/** SAGE_CHECK_<pkg> as Sage's build/make/Makefile.in computes it from SAGE_CHECK and SAGE_CHECK_PACKAGES. */
export type CheckMode = 'yes' | 'warn' | 'no';

const DEFAULT_PACKAGES: Record<CheckMode, string> = { yes: '!python3,?meson_python', warn: '', no: '' };

/**
 * `SAGE_CHECK` sets every normal/script package; `SAGE_CHECK_PACKAGES` (comma or colon separated,
 * later clauses win) sets `pkg` to yes, `?pkg` to warn, `!pkg` to no. Unset SAGE_CHECK_PACKAGES takes
 * make's default for the SAGE_CHECK value. Wheel and pip packages are never checked.
 */
export function sageCheckFor(pkg: { name: string; source: string }, env: Record<string, string | undefined>): CheckMode {
  if (pkg.source !== 'normal' && pkg.source !== 'script') return 'no';
  const base = asMode(env.SAGE_CHECK);
  let mode = base;
  const clauses = (env.SAGE_CHECK_PACKAGES ?? DEFAULT_PACKAGES[base]).split(/[,:\s]+/).filter(Boolean);
  for (const clause of clauses) {
    if (clause.includes('!')) {
      if (clause.replace(/!/g, '') === pkg.name) mode = 'no';
    } else if (clause.includes('?')) {
      if (clause.replace(/\?/g, '') === pkg.name) mode = 'warn';
    } else if (clause === pkg.name) mode = 'yes';
  }
  return mode;
}

function asMode(value: string | undefined): CheckMode {
  return value === 'yes' || value === 'warn' ? value : 'no';
}
