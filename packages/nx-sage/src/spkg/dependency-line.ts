/**
 * One package's prerequisites the way configure writes `deps_<pkg>` (m4/sage_spkg_collect.m4,
 * SAGE_SPKG_FINALIZE) and make expands it in a rule (Makefile.in's pkg_deps): the line is expanded,
 * each word that has an `inst_<word>` variable becomes that target (a stamp), the first `|` separates
 * order-only prerequisites. Stamps map back to packages, anything else is a file prerequisite.
 * This is the evaluator for trees without a configured Makefile; a configured checkout can bypass it.
 */
import { Expander, MakeEvalError, splitWords, withLocals } from './make-eval';
import type { DependencyEnv } from './dependency-env';

export interface LineEvaluation {
  /** Normal prerequisites: packages (and the venv node). */
  normal: string[];
  /** Order-only prerequisites. */
  orderOnly: string[];
  /** Prerequisites that are no package: FORCE, `/SAGE_SRC/...` files (both sides). */
  files: string[];
  /** Bare words that are neither a package nor a path: make stops with "No rule to make target". */
  unknown: string[];
  /** Variables the line used that no Makefile defines (make expands them to empty). */
  undefinedVars: string[];
  error?: { construct: string; message: string; unsupported: boolean };
}

export interface ConfigureLineInput {
  name: string;
  source: string;
  /** First lines (comments stripped) of dependencies / dependencies_order_only / dependencies_check. */
  dependencies: string;
  dependenciesOrderOnly: string;
  dependenciesCheck: string;
  dependenciesOptional: string[];
}

/** `deps_<pkg>` as SAGE_SPKG_FINALIZE builds it (conventions §6). */
export function configureDepsLine(p: ConfigureLineInput, withCheck = true): string {
  let line = p.dependencies;
  for (const name of p.dependenciesOptional) line += ` $(findstring ${name},$(OPTIONAL_INSTALLED_PACKAGES)) `;
  if (!line.includes('|')) line += ' |';
  if (p.dependenciesOrderOnly) line += ` ${p.dependenciesOrderOnly}`;
  else if (p.source === 'pip') line += ' pip';
  if (withCheck && p.dependenciesCheck) line += ` $(and $(filter-out no,$(SAGE_CHECK_${p.name})), ${p.dependenciesCheck})`;
  return line;
}

/**
 * Evaluates one dependency line of package `pkg` (a `deps_<pkg>` value) in `env`, with `locals`
 * (e.g. SAGE_CHECK_<pkg>) in front. Never throws for make-level problems: they come back in `error`.
 */
export function evaluateDependencyLine(line: string, env: DependencyEnv, pkg: string, locals: Record<string, string> = {}): LineEvaluation {
  const undefinedVars = new Set<string>();
  const scope = withLocals({ ...env.scope, onUndefined: (name) => undefinedVars.add(name) }, locals);
  const expander = new Expander(scope);
  const result: LineEvaluation = { normal: [], orderOnly: [], files: [], unknown: [], undefinedVars: [] };
  try {
    // pkg_deps: every package but gcc also depends on $(GCC_DEP) (a Sage-built gcc's stamp, else empty).
    const gccDep = pkg === 'gcc' ? '' : expander.expand('$(GCC_DEP)', 0);
    let side = result.normal;
    for (const word of [...splitWords(gccDep), ...splitWords(expander.expand(line, 0))]) {
      if (word === '|' && side === result.normal) {
        side = result.orderOnly;
        continue;
      }
      const inst = scope.lookup(`inst_${word}`);
      const targets = inst && inst.value ? splitWords(expander.variable(`inst_${word}`, 0, scope)) : [word];
      for (const target of targets) classify(target, word, env, side, result);
    }
  } catch (error) {
    if (!(error instanceof MakeEvalError)) throw error;
    result.error = { construct: error.construct, message: error.message, unsupported: error.unsupported };
  }
  result.undefinedVars = [...undefinedVars].filter((name) => !/^SAGE_CHECK_/.test(name)).sort();
  result.normal = unique(result.normal);
  result.orderOnly = unique(result.orderOnly).filter((name) => !result.normal.includes(name));
  result.files = unique(result.files);
  return result;
}

function classify(target: string, word: string, env: DependencyEnv, side: string[], result: LineEvaluation): void {
  const stamped = env.stamps.get(target);
  if (stamped) side.push(stamped);
  else if (env.venvNode && (target === env.venvStamp || target === env.venvNode)) side.push(env.venvNode);
  else if (env.packages.has(target)) side.push(target); // pip packages: their target is their name
  else if (target === 'FORCE' || target.includes('/')) result.files.push(target);
  else result.unknown.push(word === target ? target : `${target} (from ${word})`);
}

const unique = <T>(values: T[]) => [...new Set(values)];
