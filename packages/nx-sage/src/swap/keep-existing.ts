/** Sage keeps these installed while they are rebuilt (sage-spkg --keep-existing, uninstall --keep-files). */
export const KEEP_EXISTING_PACKAGES: ReadonlySet<string> = new Set(['gmp', 'mpfr', 'mpc']);
