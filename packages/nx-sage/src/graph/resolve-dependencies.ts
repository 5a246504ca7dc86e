import { join } from 'node:path';
import { parseDependencyLine, words } from '../spkg/dependencies';
import { SpkgError } from '../spkg/errors';
import { PATH_VARS, type MakeVars } from '../spkg/make-vars';
import type { Spkg } from '../spkg/package';

/** A package's prerequisites as Sage's make sees them after configure (SAGE_SPKG_FINALIZE + pkg_deps). */
export interface ResolvedDependencies {
  /** Normal prerequisites: a newer one makes this package stale. */
  deps: string[];
  /** Order-only prerequisites: built first, never make this package stale. */
  orderOnlyDeps: string[];
  /** Extra order-only prerequisites that exist only while this package's checks are enabled. */
  checkDeps: string[];
  /** Non-package prerequisites (FORCE, $(SAGE_SRC)/... files), written with symbolic roots. */
  fileDeps: string[];
}

export interface ResolveContext {
  /** All packages of the tree, by name. */
  packages: ReadonlyMap<string, Spkg>;
  makeVars: MakeVars;
  /** Configure's OPTIONAL_INSTALLED_PACKAGES: the enabled packages (default: the standard ones). */
  enabled: ReadonlySet<string>;
  /** Packages whose test suites are enabled (SAGE_CHECK_<pkg> != no). */
  checked: ReadonlySet<string>;
  /** `enabled` joined as configure writes OPTIONAL_INSTALLED_PACKAGES (precomputed once per tree). */
  installedList?: string;
  /** The venv node name, precomputed once per tree. */
  venvNode?: string | null;
}

type Item = { pkg: string } | { file: string };

// `$(SAGE_LOCAL)/$(SPKG_INST_RELDIR)/nauty-$(vers_nauty)`: another package's stamp, i.e. that package.
const STAMP_TOKEN = /^\$\((?:SAGE_LOCAL|SAGE_VENV|SAGE_DOCS)\)\/\$\(SPKG_INST_RELDIR\)\/([a-z0-9_.]+)-\$\(vers_\1\)$/;

/** Name of the virtual venv-creation node: $(PYTHON) when it is not itself a package (10.10: python3_venv). */
export function virtualPythonNode(ctx: Pick<ResolveContext, 'packages' | 'makeVars'>): string | null {
  const python = ctx.makeVars.PYTHON?.trim();
  return python && !ctx.packages.has(python) ? python : null;
}

/** Computes one package's prerequisites exactly as configure builds `deps_<pkg>` and make expands it. */
export function resolveDependencies(spkg: Spkg, ctx: ResolveContext): ResolvedDependencies {
  const depsFile = join(spkg.dir, 'dependencies');
  const line = parseDependencyLine(spkg.dependencies);
  const normal = [...line.normal];
  const orderOnly = [...line.orderOnly];
  // dependencies_optional: `$(findstring a,$(OPTIONAL_INSTALLED_PACKAGES))`, appended before configure adds
  // the missing `|`, so it is normal when the line has no `|`. findstring is a substring test.
  const installed = ctx.installedList ?? [...ctx.enabled].sort().join(' ');
  for (const name of spkg.dependenciesOptional) {
    if (installed.includes(name)) (line.hasBar ? orderOnly : normal).push(name);
  }
  if (spkg.dependenciesOrderOnly) orderOnly.push(...words(spkg.dependenciesOrderOnly));
  else if (spkg.source === 'pip') orderOnly.push('pip');

  const expand = (tokens: string[], file: string) =>
    tokens.flatMap((token) => expandToken(token, spkg, ctx, file));
  const normalItems = expand(normal, depsFile);
  const orderItems = expand(orderOnly, spkg.dependenciesOrderOnly ? join(spkg.dir, 'dependencies_order_only') : depsFile);
  const checkFile = join(spkg.dir, 'dependencies_check');
  // pip packages have no spkg-check phase, so make never adds their check prerequisites.
  const checkItems =
    spkg.dependenciesCheck && spkg.source !== 'pip' ? expandCheckTokens(words(spkg.dependenciesCheck), spkg, ctx, checkFile) : [];

  const deps = unique(pkgs(normalItems));
  const orderOnlyDeps = unique(pkgs(orderItems)).filter((name) => !deps.includes(name));
  const checkDeps = unique(pkgs(checkItems)).filter((name) => !deps.includes(name) && !orderOnlyDeps.includes(name));
  const fileDeps = unique([...normalItems, ...orderItems].flatMap((item) => ('file' in item ? [item.file] : [])));
  return { deps, orderOnlyDeps, checkDeps, fileDeps };
}

// Check deps are only prerequisites while the package's checks are on; an unknown name there only
// breaks `make` when they are (Sage 10.10's mathics names importlib_metadata, which is no package).
function expandCheckTokens(tokens: string[], spkg: Spkg, ctx: ResolveContext, file: string): Item[] {
  if (ctx.checked.has(spkg.name)) return tokens.flatMap((token) => expandToken(token, spkg, ctx, file));
  return tokens.flatMap((token) => {
    try {
      return expandToken(token, spkg, ctx, file);
    } catch (error) {
      if (error instanceof SpkgError && error.code === 'EUNKNOWNDEP') return [];
      throw error;
    }
  });
}

function expandToken(token: string, spkg: Spkg, ctx: ResolveContext, file: string): Item[] {
  const stamp = STAMP_TOKEN.exec(token);
  if (stamp) return [classifyWord(stamp[1], spkg, ctx, file, token)];
  const expanded = expandVariables(token, spkg, ctx, file, 0);
  return words(expanded).map((word) => classifyWord(word, spkg, ctx, file, token));
}

function expandVariables(text: string, spkg: Spkg, ctx: ResolveContext, file: string, depth: number): string {
  if (depth > 10) {
    throw new SpkgError(`make variables in '${text}' refer to each other endlessly`, { code: 'EUNDEFINEDVAR', pkg: spkg.name, file, line: 1 });
  }
  return text.replace(/\$\(([^()]*)\)/g, (_match, name: string) => {
    if (PATH_VARS.has(name)) return `/${name}`;
    if (name.startsWith('inst_')) return name.slice('inst_'.length);
    if (name.startsWith('vers_')) return ctx.packages.get(name.slice('vers_'.length))?.versionWithPatchlevel ?? '';
    const value = ctx.makeVars[name];
    if (value === undefined) {
      throw new SpkgError(`undefined make variable $(${name})`, {
        code: 'EUNDEFINEDVAR',
        pkg: spkg.name,
        file,
        line: 1,
        hint: `known variables: ${Object.keys(ctx.makeVars).sort().map((v) => `$(${v})`).join(' ')}; define it in build/make/Makefile.in or fix the spelling`,
      });
    }
    return expandVariables(value, spkg, ctx, file, depth + 1);
  });
}

function classifyWord(word: string, spkg: Spkg, ctx: ResolveContext, file: string, token: string): Item {
  if (ctx.packages.has(word)) return { pkg: word };
  if (word === (ctx.venvNode !== undefined ? ctx.venvNode : virtualPythonNode(ctx))) return { pkg: word };
  if (word === 'FORCE' || word.includes('/')) return { file: word };
  throw new SpkgError(`'${token}' names no package of this tree`, {
    code: 'EUNKNOWNDEP',
    pkg: spkg.name,
    file,
    line: 1,
    hint: `add build/pkgs/${word}/ (with a type file) or remove '${word}' from the line`,
  });
}

const pkgs = (items: Item[]) => items.flatMap((item) => ('pkg' in item ? [item.pkg] : []));
const unique = <T>(values: T[]) => [...new Set(values)];
