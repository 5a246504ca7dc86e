import { joinPathFragments, readNxJson, type Tree } from '@nx/devkit';
import { isAbsolute, join } from 'node:path';
import type { SpkgSource } from '../../../spkg/source';
import { parseVersion } from '../../../spkg/version';
import { GeneratorError } from '../../errors';
import type { SpkgGeneratorSchema } from '../schema';
import { inferVersion, readUpstreamFile, versionPattern } from './upstream';
import { validateNewPackageName } from './validate-name';

export type NewSpkgType = NonNullable<SpkgGeneratorSchema['type']>;

/** checksums.ini's one tarball block. */
export interface UpstreamBlock {
  /** File name as Sage stores it (`foo-VERSION.tar.gz`). */
  pattern: string;
  /** The concrete file name. */
  filename: string;
  upstreamUrl?: string;
  sha1?: string;
  sha256?: string;
  /** The file itself, when --upstreamFile was given. */
  content?: Buffer;
}

export interface NormalizedSpkgOptions {
  name: string;
  /** Tree path of build/pkgs/<name>. */
  pkgDir: string;
  type: NewSpkgType;
  source: SpkgSource;
  /** Whole version string (with any .pN), or undefined: no package-version.txt. */
  version?: string;
  /** A Python package: installed into SAGE_VENV with pip. */
  python: boolean;
  /** PyPI distribution name (Python packages). */
  distribution: string;
  upstream?: UpstreamBlock;
  dependencies: string[];
  orderOnlyDependencies: string[];
  description: string;
  license?: string;
  upstreamContact?: string;
  /** Tree path to copy the upstream file to, when it should be copied. */
  distfilesCopy?: string;
}

const TYPES: readonly NewSpkgType[] = ['standard', 'optional', 'experimental'];
const SOURCES: readonly SpkgSource[] = ['normal', 'wheel', 'pip', 'script', 'none'];
const MAKE_VARIABLE = /^\$\([A-Za-z0-9_]+\)$/;

export function normalizeOptions(tree: Tree, schema: SpkgGeneratorSchema): NormalizedSpkgOptions {
  const name = schema.name?.trim() ?? '';
  validateNewPackageName(name);
  const sageRoot = normalizeSageRoot(schema.sageRoot);
  const pkgsDir = joinPathFragments(sageRoot, 'build/pkgs');
  if (!tree.exists(pkgsDir)) {
    throw new GeneratorError('EBADOPTION', `there is no ${pkgsDir} in this workspace`, 'run the generator in a Sage checkout, or pass --sageRoot=<directory holding build/pkgs>');
  }
  const pkgDir = joinPathFragments(pkgsDir, name);
  if (tree.exists(pkgDir)) {
    throw new GeneratorError('EEXISTS', `${pkgDir} already exists`, `pick another name, or remove ${pkgDir} first (the generator never overwrites a package)`);
  }
  const type = schema.type ?? 'optional';
  if (!TYPES.includes(type)) throw badOption('type', type, TYPES);
  if (schema.source !== undefined && !SOURCES.includes(schema.source)) throw badOption('source', schema.source, SOURCES);

  const upstreamFile = schema.upstreamFile ? readUpstreamFile(isAbsolute(schema.upstreamFile) ? schema.upstreamFile : join(tree.root, schema.upstreamFile)) : undefined;
  const upstreamName = upstreamFile?.filename ?? (schema.upstreamUrl ? urlBasename(schema.upstreamUrl) : undefined);
  const python = Boolean(schema.pypi || schema.distribution);
  const source = schema.source ?? defaultSource(upstreamName, python);
  const isPython = python || source === 'wheel' || source === 'pip';

  const version = schema.version?.trim() || (upstreamName ? inferVersion(upstreamName) : undefined);
  if (version !== undefined && !/^[^\s/]+$/.test(version)) {
    throw new GeneratorError('EBADOPTION', `invalid version '${version}'`, 'a version is one word without spaces or slashes (e.g. 1.2.3 or 1.2.3.p0)');
  }

  let upstream: UpstreamBlock | undefined;
  if (source === 'normal' || source === 'wheel') {
    if (!upstreamName) {
      throw new GeneratorError('ENOUPSTREAM', `a ${source} package needs an upstream file`, 'pass --upstreamFile=<tarball> (checksums are computed from it) or --upstreamUrl=<download URL>');
    }
    if (!version) {
      throw new GeneratorError('EBADOPTION', `cannot tell the version from '${upstreamName}'`, 'pass --version');
    }
    upstream = buildUpstreamBlock(upstreamName, parseVersion(version).version, schema.upstreamUrl, upstreamFile);
    validateUpstreamKind(source, upstream.filename);
  } else if (upstreamName) {
    throw new GeneratorError('EBADOPTION', `a ${source} package has no upstream file`, 'drop --upstreamFile/--upstreamUrl, or use --source=normal (tarball) or --source=wheel');
  }

  const [normal, orderOnly] = parseDependencyOption(schema.dependencies);
  for (const dep of [...normal, ...orderOnly]) validateDependency(tree, pkgsDir, dep);
  const pythonOrderOnly = !isPython ? [] : source === 'wheel' ? ['pip', '$(PYTHON)'] : ['$(PYTHON_TOOLCHAIN)', '$(PYTHON)'];

  return {
    name,
    pkgDir,
    type,
    source,
    version,
    python: isPython,
    distribution: schema.distribution?.trim() || name,
    upstream,
    dependencies: normal,
    orderOnlyDependencies: unique([...orderOnly, ...pythonOrderOnly]),
    description: schema.description?.trim() ?? '',
    license: schema.license?.trim() || undefined,
    upstreamContact: schema.upstreamContact?.trim() || undefined,
    distfilesCopy: upstream?.content && schema.copyToDistfiles !== false ? joinPathFragments(sageRoot, readDistfiles(tree), upstream.filename) : undefined,
  };
}

/** Splits `a b, c | d` into normal and order-only names. */
export function parseDependencyOption(text: string | undefined): [string[], string[]] {
  const [normal = '', orderOnly = '', ...rest] = (text ?? '').split('|');
  if (rest.length) throw new GeneratorError('EBADOPTION', `--dependencies has more than one '|': '${text}'`, "write 'normal deps | order-only deps'");
  const words = (part: string) => part.split(/[\s,]+/).filter(Boolean);
  return [unique(words(normal)), unique(words(orderOnly))];
}

function validateDependency(tree: Tree, pkgsDir: string, dep: string): void {
  if (MAKE_VARIABLE.test(dep)) return;
  if (!tree.exists(joinPathFragments(pkgsDir, dep, 'type'))) {
    throw new GeneratorError('EUNKNOWNDEP', `unknown dependency '${dep}': there is no ${pkgsDir}/${dep}/type`, 'use the names of directories under build/pkgs, or make variables such as $(MP_LIBRARY)');
  }
}

function defaultSource(upstreamName: string | undefined, python: boolean): SpkgSource {
  if (upstreamName) return upstreamName.endsWith('.whl') ? 'wheel' : 'normal';
  return python ? 'pip' : 'none';
}

function buildUpstreamBlock(filename: string, version: string, url: string | undefined, file: ReturnType<typeof readUpstreamFile> | undefined): UpstreamBlock {
  return {
    pattern: versionPattern(filename, version, 'upstream file name'),
    filename,
    ...(url ? { upstreamUrl: urlPattern(url, version) } : {}),
    ...(file ? { sha1: file.sha1, sha256: file.sha256, content: file.content } : {}),
  };
}

// A URL need not name the version (a `latest` link); keep it as given then.
function urlPattern(url: string, version: string): string {
  return url.includes(version) ? url.split(version).join('VERSION') : url;
}

function validateUpstreamKind(source: SpkgSource, filename: string): void {
  if (source === 'wheel' && !filename.endsWith('-none-any.whl')) {
    throw new GeneratorError('EBADOPTION', `'${filename}' is not a platform-independent wheel`, 'Sage wheel packages need a *-none-any.whl file; use --source=normal with the sdist instead');
  }
  if (source === 'normal' && filename.endsWith('.whl')) {
    throw new GeneratorError('EBADOPTION', `'${filename}' is a wheel`, 'use --source=wheel, or give the sdist tarball');
  }
}

function urlBasename(url: string): string {
  return url.replace(/[?#].*$/, '').split('/').filter(Boolean).pop() ?? url;
}

function readDistfiles(tree: Tree): string {
  const entry = readNxJson(tree)?.plugins?.find((p) => typeof p !== 'string' && p.plugin === 'nx-sage');
  const distfiles = entry && typeof entry !== 'string' ? (entry.options as { distfiles?: unknown } | undefined)?.distfiles : undefined;
  return typeof distfiles === 'string' && distfiles ? distfiles : 'upstream';
}

export function normalizeSageRoot(sageRoot: string | undefined): string {
  const root = joinPathFragments(sageRoot?.trim() || '.');
  return root === '' ? '.' : root;
}

function badOption(option: string, value: string, allowed: readonly string[]): GeneratorError {
  return new GeneratorError('EBADOPTION', `--${option}=${value} is not one of ${allowed.join(', ')}`);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
