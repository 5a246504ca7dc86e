/**
 * Reads the variables of a Makefile template (Sage's build/make/Makefile.in) as make would after
 * configure filled it: `@SUBST@` placeholders take the given values (empty by default), assignments
 * (`=`, `:=`, `::=`, `?=`, `+=`, `override`, `export`), `define ... endef`, and the conditionals
 * `ifeq/ifneq/ifdef/ifndef/else/endif` evaluated in order, with command-line variables winning over
 * the file's (as `make VAR=value`). Rules, recipes, `include` and top-level `$(foreach ... $(eval ...))`
 * are not evaluated: what they define for dependency lines (inst_<pkg>, SAGE_CHECK_<pkg>) is computed
 * from the package list by dependency-env.ts.
 */
import { expand, Expander, findClose, MakeEvalError, splitArgs, type MakeScope, type MakeVar } from './make-eval';

export interface MakefileReadOptions {
  /** Values of configure's `@NAME@` placeholders; a missing one is empty (configure did not run). */
  substitutions?: Readonly<Record<string, string>>;
  /** Command-line variables: they override the file's assignments (not `override` ones). */
  commandLine?: ReadonlyMap<string, MakeVar>;
  /** Variables defined before the file is read (lowest priority; e.g. the per-package ones). */
  base?: ReadonlyMap<string, MakeVar>;
  scope?: Partial<MakeScope>;
}

export interface MakefileVariables {
  vars: Map<string, MakeVar>;
  /** Lines that could not be read, with their 1-based line numbers (e.g. `VAR != command`). */
  problems: Array<{ line: number; text: string; message: string }>;
}

interface LogicalLine {
  line: number;
  text: string;
}

export function substitutePlaceholders(text: string, values: Readonly<Record<string, string>> = {}): string {
  return text.replace(/@([A-Za-z_][A-Za-z0-9_]*)@/g, (_m, name: string) => values[name] ?? '');
}

export function readMakefileVariables(text: string, options: MakefileReadOptions = {}): MakefileVariables {
  const vars = new Map<string, MakeVar>(options.base ?? []);
  const commandLine = options.commandLine ?? new Map<string, MakeVar>();
  for (const [name, v] of commandLine) vars.set(name, v);
  const problems: MakefileVariables['problems'] = [];
  const scope: MakeScope = { ...options.scope, lookup: (name) => vars.get(name) };
  const lines = logicalLines(substitutePlaceholders(text, options.substitutions));
  // Each entry: is the current branch taken, and has any branch of this conditional been taken.
  const conditionals: Array<{ taken: boolean; done: boolean; parentActive: boolean }> = [];
  const active = () => conditionals.every((c) => c.taken);

  for (let i = 0; i < lines.length; i++) {
    const { line, text: raw } = lines[i];
    if (raw.startsWith('\t')) continue; // recipe line
    const text = stripComment(raw).trim();
    if (!text) continue;
    const directive = /^(ifeq|ifneq|ifdef|ifndef|else|endif)\b\s*(.*)$/.exec(text);
    if (directive) {
      const [, word, rest] = directive;
      if (word === 'endif') conditionals.pop();
      else if (word === 'else') {
        const top = conditionals.at(-1);
        if (!top) continue;
        const nested = /^(ifeq|ifneq|ifdef|ifndef)\b\s*(.*)$/.exec(rest);
        const canTake = top.parentActive && !top.done;
        top.taken = canTake && (nested ? test(nested[1], nested[2], scope) : true);
        top.done = top.done || top.taken;
      } else {
        const parentActive = active();
        const taken = parentActive && test(word, rest, scope);
        conditionals.push({ taken, done: taken, parentActive });
      }
      continue;
    }
    const define = /^(?:(override|export)\s+)?define\s+(\S+?)\s*(=|:=|::=|\?=|\+=)?\s*$/.exec(text);
    if (define) {
      const body: string[] = [];
      while (++i < lines.length && !/^\s*endef\b/.test(lines[i].text)) body.push(lines[i].text);
      if (active()) assign(vars, commandLine, expand(define[2], scope), define[3] ?? '=', body.join('\n'), define[1] === 'override', scope);
      continue;
    }
    if (!active()) continue;
    const assignment = parseAssignment(text);
    if (!assignment) continue; // a rule, include, .PHONY, or a top-level $(eval ...) loop
    if (assignment.op === '!=') {
      problems.push({ line, text, message: 'shell assignments (!=) are not evaluated' });
      continue;
    }
    try {
      assign(vars, commandLine, expand(assignment.name, scope).trim(), assignment.op, assignment.value, assignment.override, scope);
    } catch (error) {
      if (!(error instanceof MakeEvalError)) throw error;
      problems.push({ line, text, message: error.message });
    }
  }
  return { vars, problems };
}

function assign(vars: Map<string, MakeVar>, commandLine: ReadonlyMap<string, MakeVar>, name: string, op: string, value: string, override: boolean, scope: MakeScope): void {
  if (commandLine.has(name) && !override) return;
  const origin = override ? 'override' : 'file';
  const old = vars.get(name);
  if (op === '?=') {
    if (!old) vars.set(name, { value, recursive: true, origin });
  } else if (op === '+=') {
    if (!old) vars.set(name, { value, recursive: true, origin });
    else vars.set(name, { ...old, value: `${old.value} ${old.recursive ? value : expand(value, scope)}`.trim() });
  } else if (op === '=') {
    vars.set(name, { value, recursive: true, origin });
  } else {
    vars.set(name, { value: new Expander(scope).expand(value, 0), recursive: false, origin });
  }
}

/** `NAME op value` at the top level of a line, or null for anything else (a rule has a bare `:`). */
export function parseAssignment(text: string): { name: string; op: string; value: string; override: boolean } | null {
  const prefix = /^(override|export)\s+/.exec(text);
  const body = prefix ? text.slice(prefix[0].length) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '$' && (body[i + 1] === '(' || body[i + 1] === '{')) {
      const end = findClose(body, i + 2, body[i + 1], body[i + 1] === '(' ? ')' : '}');
      if (end === -1) return null;
      i = end;
      continue;
    }
    const op = /^(:::=|::=|:=|\?=|\+=|!=|=)/.exec(body.slice(i));
    if (op && (c !== ':' || op[1] !== ':')) {
      const name = body.slice(0, i).trim();
      if (!name || /\s/.test(name.replace(/\$[({][^)}]*[)}]/g, ''))) return null;
      return { name, op: op[1] === ':::=' || op[1] === '::=' ? ':=' : op[1], value: body.slice(i + op[1].length).replace(/^[ \t]+/, ''), override: prefix?.[1] === 'override' };
    }
    if (c === ':') return null;
  }
  return null;
}

function test(kind: string, rest: string, scope: MakeScope): boolean {
  if (kind === 'ifdef' || kind === 'ifndef') {
    const name = expand(rest.trim(), scope).trim();
    const found = scope.lookup(name);
    const defined = !!found && found.value !== '';
    return kind === 'ifdef' ? defined : !defined;
  }
  const [a, b] = comparands(rest.trim());
  const equal = expand(a, scope) === expand(b, scope);
  return kind === 'ifeq' ? equal : !equal;
}

// `(a,b)` (both sides stripped of surrounding blanks), or `"a" "b"` / `'a' 'b'`.
function comparands(text: string): [string, string] {
  if (text.startsWith('(') && text.endsWith(')')) {
    const [a, b = ''] = splitArgs(text.slice(1, -1), '(', ')', 'findstring');
    return [a.trim(), b.trim()];
  }
  const quoted = /^(["'])(.*?)\1\s+(["'])(.*?)\3$/.exec(text);
  if (quoted) return [quoted[2], quoted[4]];
  throw new MakeEvalError(`invalid conditional: ${text}`, text);
}

function logicalLines(text: string): LogicalLine[] {
  const physical = text.split(/\r?\n/);
  const result: LogicalLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const line = i + 1;
    let current = physical[i];
    // Outside recipes, backslash-newline and the blanks around it become one space.
    while (current.endsWith('\\') && !current.endsWith('\\\\') && i + 1 < physical.length) {
      current = `${current.slice(0, -1).replace(/[ \t]+$/, '')} ${physical[++i].replace(/^[ \t]+/, '')}`;
    }
    result.push({ line, text: current });
  }
  return result;
}

function stripComment(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '#') return text.slice(0, i);
  }
  return text;
}
