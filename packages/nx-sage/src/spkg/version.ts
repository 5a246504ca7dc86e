export interface SpkgVersion {
  /** Upstream version without Sage's `.pN` patchlevel; 'none' when there is no package-version.txt. */
  version: string;
  /** Sage patchlevel N of a trailing `.pN`, or -1. */
  patchlevel: number;
  /** The whole string, as used in stamp names (`<pkg>-<versionWithPatchlevel>`). */
  versionWithPatchlevel: string;
}

const PATCHLEVEL = /^(?<version>.*)\.p(?<patchlevel>[0-9]+)$/;

/** Parses the content of package-version.txt (null: the file is missing). */
export function parseVersion(text: string | null): SpkgVersion {
  if (text === null) return { version: 'none', patchlevel: -1, versionWithPatchlevel: 'none' };
  const whole = text.trim();
  const match = PATCHLEVEL.exec(whole);
  if (!match?.groups) return { version: whole, patchlevel: -1, versionWithPatchlevel: whole };
  return {
    version: match.groups.version,
    patchlevel: Number(match.groups.patchlevel),
    versionWithPatchlevel: whole,
  };
}

/** Substitutes VERSION, VERSION_MAJOR/MINOR/MICRO, bare or as ${...}, the way Sage names tarballs. */
export function substituteVersion(pattern: string, version: string): string {
  const [major = '', minor = '', micro = ''] = version.split('.');
  const values: Record<string, string> = {
    VERSION_MAJOR: major,
    VERSION_MINOR: minor,
    VERSION_MICRO: micro,
    VERSION: version,
  };
  // Longest names first so VERSION does not eat the VERSION_ prefix.
  return pattern.replace(/\$\{(VERSION(?:_MAJOR|_MINOR|_MICRO)?)\}|VERSION(?:_MAJOR|_MINOR|_MICRO)?/g, (m, braced) =>
    values[braced ?? m],
  );
}
