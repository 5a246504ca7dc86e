import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

let cached: string | undefined;

/** Package files outside the code directory that change what the executors do. */
const PACKAGE_FILES = ['package.json', 'executors.json', 'generators.json'];
/** Directories whose every file counts (sage-dist-helpers.bash is sourced by every spkg script). */
const PACKAGE_DIRS = ['assets'];

/** Compiled code and its JSON (schemas, defaults); never tests, test helpers, type declarations or maps. */
function isCodeFile(rel: string): boolean {
  const parts = rel.split('/');
  if (parts.some((part) => part === 'testing' || part === '__fixtures__' || part === 'node_modules')) return false;
  const name = parts[parts.length - 1];
  if (name.endsWith('.d.ts') || name.endsWith('.map') || /\.(spec|test)\.[jt]s$/.test(name)) return false;
  return /\.(js|cjs|mjs|ts|json)$/.test(name);
}

function listFiles(dir: string, keep: (rel: string) => boolean, root = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = statSync(path);
    const rel = relative(root, path).split(sep).join('/');
    if (stat.isDirectory()) out.push(...listFiles(path, keep, root));
    else if (stat.isFile() && keep(rel)) out.push(path);
  }
  return out;
}

/**
 * sha256 of every file of the plugin package that the graph, build and install executors load: the
 * code directory (`dist/` when installed, `src/` when run from sources) recursively, the package's
 * JSON files, `assets/` and the executors' schema.json files. Names are hashed relative to the
 * package, so two installs of the same plugin in different places hash alike. Pure over the disk.
 */
export function hashPluginFiles(packageRoot: string, codeDir: string): string {
  const hash = createHash('sha256');
  const files = [
    ...PACKAGE_FILES.map((name) => join(packageRoot, name)).filter((file) => existsSync(file)),
    ...PACKAGE_DIRS.flatMap((dir) => listFiles(join(packageRoot, dir), () => true)),
    ...listFiles(codeDir, isCodeFile),
    // Installed from dist/, the schemas still live under src/ (package.json "files": src/**/schema.json).
    ...(relative(packageRoot, codeDir) === 'src' ? [] : listFiles(join(packageRoot, 'src'), (rel) => rel.endsWith('/schema.json'))),
  ];
  for (const file of files) {
    hash.update(relative(packageRoot, file).split(sep).join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Hash of the whole plugin as installed (see hashPluginFiles), computed once per process: a change to
 * any file of the build engine (stage/, swap/, executors/, process/, ...) changes every build hash,
 * so a changed plugin never serves artifacts built by an older one.
 */
export function pluginHash(): string {
  cached ??= hashPluginFiles(join(__dirname, '..', '..'), join(__dirname, '..'));
  return cached;
}
