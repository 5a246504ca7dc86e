export interface SpkgGeneratorSchema {
  /** Package name: the directory under build/pkgs (lower case, [a-z0-9_]). */
  name: string;
  /** Upstream version, optionally with Sage's `.pN` patchlevel; inferred from the upstream file name when missing. */
  version?: string;
  /** @default 'optional' */
  type?: 'standard' | 'optional' | 'experimental';
  /** How Sage installs it; default: from the upstream file (`.whl` → wheel, else normal), pip with --pypi alone, else none. */
  source?: 'normal' | 'wheel' | 'pip' | 'script' | 'none';
  /** The upstream tarball or wheel (relative to the workspace root): checksums.ini gets its name pattern, sha1 and sha256. */
  upstreamFile?: string;
  /** Where Sage downloads the file from (`upstream_url`); the version in it is written back as VERSION. */
  upstreamUrl?: string;
  /** Dependencies, separated by spaces or commas; a `|` starts the order-only ones (`gmp mpfr | cmake`). */
  dependencies?: string;
  /** One line for SPKG.rst's title and Description section. */
  description?: string;
  license?: string;
  upstreamContact?: string;
  /** A Python package from PyPI: writes version_requirements.txt and installs with pip (`sdh_pip_install`). */
  pypi?: boolean;
  /** PyPI distribution name when it differs from the package name (implies --pypi). */
  distribution?: string;
  /** The directory holding build/pkgs, relative to the workspace root. @default '.' */
  sageRoot?: string;
  /** Also copy --upstreamFile into SAGE_DISTFILES (the plugin's `distfiles`, default `upstream/`) so no download is needed. @default true */
  copyToDistfiles?: boolean;
}
