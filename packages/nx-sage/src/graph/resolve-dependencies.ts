import { join } from 'node:path';
import type { DependencyEnv } from '../spkg/dependency-env';
import { configureDepsLine, evaluateDependencyLine, type LineEvaluation } from '../spkg/dependency-line';
import { SpkgError } from '../spkg/errors';
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
  /** Variables its lines use that no Makefile defines: make expands them to empty. */
  undefinedVars: string[];
}

export interface ResolveContext {
  env: DependencyEnv;
  /** Packages whose test suites are enabled (SAGE_CHECK_<pkg> != no). */
  checked: ReadonlySet<string>;
}

/**
 * Computes one package's prerequisites exactly as configure builds `deps_<pkg>` and make expands it.
 * Throws SpkgError (file:1, the construct, what to do) for a line make would reject or nx-sage cannot
 * evaluate; the caller turns that into a project that carries the error.
 */
export function resolveDependencies(spkg: Spkg, ctx: ResolveContext): ResolvedDependencies {
  // SAGE_CHECK_<pkg> exists for the packages with an spkg-check phase (not pip), like Makefile.in's loop.
  const check = (value: string): Record<string, string> => (spkg.source === 'pip' ? {} : { [`SAGE_CHECK_${spkg.name}`]: value });
  const main = evaluateDependencyLine(configureDepsLine(spkg, false), ctx.env, spkg.name);
  fail(spkg, main, lineFile(spkg, main));
  let checkDeps: string[] = [];
  if (spkg.dependenciesCheck && spkg.source !== 'pip') {
    const withChecks = evaluateDependencyLine(configureDepsLine(spkg, true), ctx.env, spkg.name, check('yes'));
    // An unknown name there only breaks make while the checks are on (10.10's mathics names
    // importlib_metadata, which is no package).
    if (ctx.checked.has(spkg.name) || withChecks.error) fail(spkg, withChecks, join(spkg.dir, 'dependencies_check'));
    checkDeps = withChecks.orderOnly.filter((name) => !main.normal.includes(name) && !main.orderOnly.includes(name));
  }
  return {
    deps: main.normal,
    orderOnlyDeps: main.orderOnly,
    checkDeps,
    fileDeps: main.files,
    undefinedVars: main.undefinedVars,
  };
}

// The file a construct or word comes from: the line that contains it, else `dependencies` (the
// construct came from a variable's value in build/make/Makefile.in).
function lineFile(spkg: Spkg, result: LineEvaluation): string {
  const needle = result.error?.construct ?? result.unknown[0]?.split(' ')[0] ?? '';
  const files: Array<[string, string]> = [
    ['dependencies', spkg.dependencies],
    ['dependencies_order_only', spkg.dependenciesOrderOnly],
    ['dependencies_optional', spkg.dependenciesOptional.join(' ')],
  ];
  const found = files.find(([, text]) => needle && text.includes(needle));
  return join(spkg.dir, found ? found[0] : 'dependencies');
}

function fail(spkg: Spkg, result: LineEvaluation, file: string): void {
  if (result.error) {
    throw new SpkgError(`${result.error.message}, in '${result.error.construct}'`, {
      code: result.error.unsupported ? 'EUNSUPPORTED' : 'EBADDEPS',
      pkg: spkg.name,
      file,
      line: 1,
      hint: result.error.unsupported
        ? 'nx-sage evaluates make variables and the text functions (subst, filter, findstring, if, and, or, foreach, ...); write the line with those, or configure the tree so make itself answers'
        : 'fix the line so that GNU make can expand it',
    });
  }
  if (result.unknown.length) {
    throw new SpkgError(`'${result.unknown.join("', '")}' names no package of this tree (make would stop: No rule to make target)`, {
      code: 'EUNKNOWNDEP',
      pkg: spkg.name,
      file,
      line: 1,
      hint: `add build/pkgs/${result.unknown[0].split(' ')[0]}/ (with a type file) or remove it from the line`,
    });
  }
}
