/**
 * A small GNU make expander for the text of Sage's dependency lines and the variables they use:
 * `$(VAR)`, `${VAR}`, `$X`, `$$`, computed names (`$(deps_$(1))`), substitution references
 * (`$(VAR:a=b)`, `$(VAR:%.o=%.c)`) and the text/conditional functions (make-functions.ts).
 * Semantics follow the GNU make manual (ch. 6 and 8); written for nx-sage, not taken from make.
 *
 * Like make, an undefined variable expands to the empty string (reported through `onUndefined`), and
 * `$(foo bar)` where `foo` is no make function is a reference to the variable named `foo bar`.
 * A real make function this evaluator does not implement (`shell`, `eval`, ...) is an error.
 */
import { callFunction, FUNCTION_NAMES } from './make-functions';

export interface MakeVar {
  value: string;
  /** `=` variables are expanded when used; `:=` ones hold their final text. */
  recursive: boolean;
  origin: 'file' | 'command line' | 'override' | 'default' | 'automatic' | 'environment';
}

export interface MakeScope {
  lookup(name: string): MakeVar | undefined;
  /** Files matching a `$(wildcard ...)` pattern; without it, wildcard is unsupported. */
  wildcard?(pattern: string): string[];
  /** Called for every reference to an undefined variable (make: expands to empty). */
  onUndefined?(name: string): void;
  /** `$(warning ...)` / `$(info ...)` texts. */
  onMessage?(text: string): void;
}

/** A construct make would reject, or one this evaluator does not implement. */
export class MakeEvalError extends Error {
  constructor(
    message: string,
    /** The text of the offending construct, e.g. `$(shell uname)`. */
    readonly construct: string,
    readonly unsupported = false,
  ) {
    super(message);
    this.name = 'MakeEvalError';
  }
}

const MAX_DEPTH = 200;

/** Expands `text` as make expands a recursively expanded variable's value. */
export function expand(text: string, scope: MakeScope): string {
  return new Expander(scope).expand(text, 0);
}

/** A scope with extra (automatic) variables in front: foreach's loop variable, call's $(1)... */
export function withLocals(scope: MakeScope, locals: Record<string, string>): MakeScope {
  return {
    ...scope,
    lookup: (name) => (Object.prototype.hasOwnProperty.call(locals, name) ? { value: locals[name], recursive: false, origin: 'automatic' } : scope.lookup(name)),
  };
}

/** Index of the delimiter closing the one opened just before `from`, counting only the same kind. */
export function findClose(text: string, from: number, open: string, close: string): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === open) depth++;
    else if (text[i] === close && --depth === 0) return i;
  }
  return -1;
}

export class Expander {
  private readonly active = new Set<string>();

  constructor(readonly scope: MakeScope) {}

  expand(text: string, depth: number, scope: MakeScope = this.scope): string {
    if (depth > MAX_DEPTH) throw new MakeEvalError('make variables refer to each other too deeply', text);
    let out = '';
    let i = 0;
    while (i < text.length) {
      const dollar = text.indexOf('$', i);
      if (dollar === -1) {
        out += text.slice(i);
        break;
      }
      out += text.slice(i, dollar);
      const next = text[dollar + 1];
      if (next === undefined) break; // a lone `$` at the end expands to nothing
      if (next === '$') {
        out += '$';
        i = dollar + 2;
        continue;
      }
      if (next !== '(' && next !== '{') {
        out += this.variable(next, depth, scope);
        i = dollar + 2;
        continue;
      }
      const close = next === '(' ? ')' : '}';
      const end = findClose(text, dollar + 2, next, close);
      if (end === -1) throw new MakeEvalError(`unterminated variable reference (missing '${close}')`, text.slice(dollar));
      out += this.reference(text.slice(dollar + 2, end), text.slice(dollar, end + 1), next, close, depth, scope);
      i = end + 1;
    }
    return out;
  }

  private reference(body: string, construct: string, open: string, close: string, depth: number, scope: MakeScope): string {
    const fn = /^([a-z-]+)[ \t]/.exec(body);
    if (fn && FUNCTION_NAMES.has(fn[1])) {
      const args = splitArgs(body.slice(fn[0].length).replace(/^[ \t]+/, ''), open, close, fn[1]);
      return callFunction(fn[1], args, { expander: this, depth: depth + 1, scope, construct });
    }
    const colon = topLevelIndex(body, ':', open, close);
    if (colon !== -1) {
      const eq = topLevelIndex(body.slice(colon + 1), '=', open, close);
      if (eq !== -1) {
        const name = this.expand(body.slice(0, colon), depth + 1, scope);
        const from = this.expand(body.slice(colon + 1, colon + 1 + eq), depth + 1, scope);
        const to = this.expand(body.slice(colon + 2 + eq), depth + 1, scope);
        const words = splitWords(this.variable(name, depth, scope));
        const [pattern, replacement] = from.includes('%') ? [from, to] : [`%${from}`, `%${to}`];
        // Unlike $(patsubst), a word replaced by nothing leaves no separator behind (checked with make 4.3).
        return words.map((word) => patsubstWord(word, pattern, replacement)).filter(Boolean).join(' ');
      }
    }
    return this.variable(this.expand(body, depth + 1, scope), depth, scope);
  }

  variable(name: string, depth: number, scope: MakeScope): string {
    const found = scope.lookup(name);
    if (!found) {
      scope.onUndefined?.(name);
      return '';
    }
    if (!found.recursive) return found.value;
    if (this.active.has(name)) throw new MakeEvalError(`recursive variable '${name}' references itself (eventually)`, `$(${name})`);
    this.active.add(name);
    try {
      return this.expand(found.value, depth + 1, scope);
    } finally {
      this.active.delete(name);
    }
  }
}

// How many arguments each function takes at most: the last one keeps any further commas.
const MAX_ARGS: Record<string, number> = {
  subst: 3, patsubst: 3, findstring: 2, filter: 2, 'filter-out': 2, word: 2, wordlist: 3, foreach: 3,
  if: 3, join: 2, addprefix: 2, addsuffix: 2, call: Infinity, and: Infinity, or: Infinity, error: 1, warning: 1, info: 1,
};

/** Arguments of a function call, split at top-level commas (nesting counts only `open`/`close`). */
export function splitArgs(text: string, open: string, close: string, fn: string): string[] {
  const max = MAX_ARGS[fn] ?? 1;
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length && args.length < max - 1; i++) {
    if (text[i] === open) depth++;
    else if (text[i] === close) depth--;
    else if (text[i] === ',' && depth === 0) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  args.push(text.slice(start));
  return args;
}

function topLevelIndex(text: string, char: string, open: string, close: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      const end = findClose(text, i + 2, text[i + 1], text[i + 1] === '(' ? ')' : '}');
      if (end === -1) return -1;
      i = end;
      continue;
    }
    if (text[i] === open) depth++;
    else if (text[i] === close) depth--;
    else if (text[i] === char && depth === 0) return i;
  }
  return -1;
}

/** make's word splitting: runs of blanks and newlines separate words. */
export function splitWords(text: string): string[] {
  return text.split(/[ \t\n\r\f\v]+/).filter(Boolean);
}

/** One word through a `%` pattern: the replacement with the stem, or the word unchanged. */
export function patsubstWord(word: string, pattern: string, replacement: string): string {
  const stem = matchPattern(word, pattern);
  if (stem === null) return word;
  return replacement.includes('%') ? replacement.replace('%', stem) : replacement;
}

/** The stem a `%` pattern matches in `word` (exact match: ''), or null. */
export function matchPattern(word: string, pattern: string): string | null {
  const percent = pattern.indexOf('%');
  if (percent === -1) return word === pattern ? '' : null;
  const prefix = pattern.slice(0, percent);
  const suffix = pattern.slice(percent + 1);
  if (word.length < prefix.length + suffix.length || !word.startsWith(prefix) || !word.endsWith(suffix)) return null;
  return word.slice(prefix.length, word.length - suffix.length);
}
