import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseChecksums, type SpkgTarball } from './checksums';
import { firstLine } from './dependencies';
import { SpkgError } from './errors';
import { validatePackageName } from './name';
import { readPackageText } from './read-file';
import { detectSource, detectTrees, SPKG_TYPES, type SpkgSource, type SpkgType } from './source';
import { parseVersion, type SpkgVersion } from './version';

/** One `build/pkgs/<name>/` directory, as Sage's tooling sees it. Dependency tokens are unexpanded. */
export interface Spkg extends SpkgVersion {
  name: string;
  /** Absolute path of the package directory. */
  dir: string;
  type: SpkgType;
  source: SpkgSource;
  trees: string;
  /** All tarball blocks of checksums.ini; the first is the primary one. */
  tarballs: SpkgTarball[];
  /** First lines (comments stripped) of the dependency files; '' when missing. */
  dependencies: string;
  dependenciesOrderOnly: string;
  dependenciesCheck: string;
  /** Names listed in dependencies_optional. */
  dependenciesOptional: string[];
  /** PyPI distribution name: first requirement of version_requirements.txt / requirements.txt. */
  distributionName?: string;
  /** Names of the files directly in the directory (scripts, tags, metadata). */
  files: string[];
  /** Absolute paths of files outside the directory its metadata was read from (symlink targets). */
  linkedFiles: string[];
  /** patches/*.patch in the order sage-apply-patches applies them (glob order). */
  patches: string[];
}

const INSTALL_SCRIPTS = ['spkg-install', 'spkg-install.in'];

/** Reads one package directory. Throws SpkgError for metadata Sage would reject. */
export function readSpkg(pkgsDir: string, name: string): Spkg {
  const dir = join(pkgsDir, name);
  const at = (file: string) => join(dir, file);
  validatePackageName(name, at('type'));
  const files = readdirSync(dir).sort();
  const has = (file: string) => files.includes(file);
  const linked = new Set<string>();
  const text = (file: string) => (has(file) ? readPackageText(at(file), linked) : null);

  const type = readType(name, at('type'));
  const version = parseVersion(text('package-version.txt'));
  const checksums = text('checksums.ini');
  const tarballs = checksums === null ? [] : parseChecksums(checksums, version.version, { pkg: name, file: at('checksums.ini') });
  const hasRequirements = has('requirements.txt');
  const hasVersionRequirements = has('version_requirements.txt') || has('install-requires.txt');
  const source = detectSource({
    hasRequirements,
    primaryTarball: tarballs[0]?.filename,
    hasInstallScript: INSTALL_SCRIPTS.some(has),
  });
  const trees = detectTrees({ treesTxt: text('trees.txt'), hasVersionRequirements, hasRequirements });
  const requirements = text('version_requirements.txt') ?? text('install-requires.txt') ?? text('requirements.txt');

  return {
    name,
    dir,
    type,
    source,
    trees,
    ...version,
    tarballs,
    dependencies: firstLine(text('dependencies')),
    dependenciesOrderOnly: firstLine(text('dependencies_order_only')),
    dependenciesCheck: firstLine(text('dependencies_check')),
    dependenciesOptional: (text('dependencies_optional') ?? '')
      .split(/\r?\n/)
      .flatMap((line) => line.split('#')[0].trim().split(/\s+/))
      .filter(Boolean),
    distributionName: requirements === null ? undefined : parseDistributionName(requirements),
    files,
    linkedFiles: [...linked].sort(),
    patches: has('patches') ? readPatches(at('patches')) : [],
  };
}

function readType(pkg: string, file: string): SpkgType {
  let raw: string | null;
  try {
    raw = readPackageText(file);
    // A type file that is not text (binary garbage, a corrupted checkout) cannot be read as a type.
    if (raw !== null && raw.includes('\uFFFD')) new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (error) {
    throw new SpkgError(`cannot read the type file (${(error as Error).message})`, {
      code: 'EUNREADABLE',
      pkg,
      file,
      hint: 'make the file readable; it holds one word: standard, optional, experimental or base',
    });
  }
  const word = (raw ?? '').trim();
  if (!word) {
    throw new SpkgError('the type file is empty', {
      code: 'EBADTYPE',
      pkg,
      file,
      line: 1,
      hint: 'write one word: standard, optional, experimental or base',
    });
  }
  if (!(SPKG_TYPES as readonly string[]).includes(word)) {
    throw new SpkgError(`unknown package type '${word}'`, {
      code: 'EBADTYPE',
      pkg,
      file,
      line: 1,
      hint: 'use one of: standard, optional, experimental, base',
    });
  }
  return word as SpkgType;
}

/** First PEP 508 requirement's name (`foo[extra] >=1.0 ; marker` → foo). */
export function parseDistributionName(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const content = line.split('#')[0].trim();
    if (!content || content.startsWith('-')) continue;
    const match = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(content);
    if (match) return match[0];
  }
  return undefined;
}

function readPatches(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((file) => file.endsWith('.patch'))
      .sort();
  } catch {
    return [];
  }
}
