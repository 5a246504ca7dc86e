/**
 * GNU make's functions (manual ch. 8) for make-eval.ts. Conditionals and loops expand their arguments
 * lazily as make does; the rest expand every argument first.
 */
import { MakeEvalError, matchPattern, patsubstWord, splitWords, withLocals, type Expander, type MakeScope } from './make-eval';

export interface CallContext {
  expander: Expander;
  depth: number;
  scope: MakeScope;
  /** The whole `$(fn ...)` text, for error messages. */
  construct: string;
}

// Functions make has but this evaluator refuses: they run programs, read or write files, or define
// rules and variables on the fly, which a dependency line never needs.
const UNSUPPORTED = ['shell', 'eval', 'file', 'guile', 'let', 'intcmp', 'realpath'];

type Eager = (args: string[], ctx: CallContext) => string;
type Lazy = (raw: string[], ctx: CallContext) => string;

const joinWords = (words: string[]) => words.join(' ');
// A function, not an alias: make-eval and this module import each other.
const words = (text: string) => splitWords(text);

function positive(fn: string, text: string, construct: string): number {
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) throw new MakeEvalError(`non-numeric first argument to '${fn}' function: '${trimmed}'`, construct);
  return Number(trimmed);
}

const EAGER: Record<string, Eager> = {
  subst: ([from, to, text = '']) => (from === '' ? text + to : text.split(from).join(to)),
  patsubst: ([pattern, replacement, text = '']) => joinWords(words(text).map((w) => patsubstWord(w, pattern.trim(), replacement.trim()))),
  strip: ([text]) => joinWords(words(text)),
  findstring: ([find, text = '']) => (text.includes(find) ? find : ''),
  filter: ([patterns, text = '']) => joinWords(words(text).filter((w) => words(patterns).some((p) => matchPattern(w, p) !== null))),
  'filter-out': ([patterns, text = '']) => joinWords(words(text).filter((w) => !words(patterns).some((p) => matchPattern(w, p) !== null))),
  sort: ([text]) => joinWords([...new Set(words(text))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))),
  word: ([n, text = ''], ctx) => {
    const index = positive('word', n, ctx.construct);
    if (index === 0) throw new MakeEvalError("first argument to 'word' function must be greater than 0", ctx.construct);
    return words(text)[index - 1] ?? '';
  },
  wordlist: ([s, e, text = ''], ctx) => {
    const start = positive('wordlist', s, ctx.construct);
    const end = positive('wordlist', e, ctx.construct);
    if (start === 0) throw new MakeEvalError("invalid first argument to 'wordlist' function: '0'", ctx.construct);
    return joinWords(words(text).slice(start - 1, end));
  },
  words: ([text]) => String(words(text).length),
  firstword: ([text]) => words(text)[0] ?? '',
  lastword: ([text]) => words(text).at(-1) ?? '',
  dir: ([text]) => joinWords(words(text).map((w) => (w.includes('/') ? w.slice(0, w.lastIndexOf('/') + 1) : './'))),
  notdir: ([text]) => joinWords(words(text).map((w) => w.slice(w.lastIndexOf('/') + 1))),
  suffix: ([text]) => joinWords(words(text).flatMap((w) => (suffixIndex(w) === -1 ? [] : [w.slice(suffixIndex(w))]))),
  basename: ([text]) => joinWords(words(text).map((w) => (suffixIndex(w) === -1 ? w : w.slice(0, suffixIndex(w))))),
  addprefix: ([prefix, text = '']) => joinWords(words(text).map((w) => prefix + w)),
  addsuffix: ([suffix, text = '']) => joinWords(words(text).map((w) => w + suffix)),
  join: ([a, b = '']) => {
    const left = words(a);
    const right = words(b);
    return joinWords(Array.from({ length: Math.max(left.length, right.length) }, (_, i) => (left[i] ?? '') + (right[i] ?? '')));
  },
  abspath: ([text]) => joinWords(words(text).filter((w) => w.startsWith('/')).map(normalizeAbsolute)),
  wildcard: ([text], ctx) => {
    const glob = ctx.scope.wildcard;
    if (!glob) throw new MakeEvalError('$(wildcard ...) is not available here', ctx.construct, true);
    return joinWords(words(text).flatMap((pattern) => glob(pattern).sort()));
  },
  value: ([name], ctx) => ctx.scope.lookup(name.trim())?.value ?? '',
  origin: ([name], ctx) => ctx.scope.lookup(name.trim())?.origin ?? 'undefined',
  flavor: ([name], ctx) => {
    const found = ctx.scope.lookup(name.trim());
    return found ? (found.recursive ? 'recursive' : 'simple') : 'undefined';
  },
  error: ([text], ctx) => {
    throw new MakeEvalError(`make stops here: $(error ${text.trim()})`, ctx.construct);
  },
  warning: ([text], ctx) => (ctx.scope.onMessage?.(text), ''),
  info: ([text], ctx) => (ctx.scope.onMessage?.(text), ''),
  call: ([name, ...params], ctx) => {
    const locals: Record<string, string> = { 0: name.trim() };
    params.forEach((param, i) => (locals[String(i + 1)] = param));
    const scope = withLocals(ctx.scope, locals);
    return ctx.expander.variable(name.trim(), ctx.depth, scope);
  },
};

const LAZY: Record<string, Lazy> = {
  if: ([cond, then = '', otherwise = ''], ctx) => {
    const test = ctx.expander.expand(cond, ctx.depth, ctx.scope).trim();
    return ctx.expander.expand(test ? then : otherwise, ctx.depth, ctx.scope);
  },
  or: (raw, ctx) => {
    for (const arg of raw) {
      // Like make, the value is returned stripped.
      const value = ctx.expander.expand(arg, ctx.depth, ctx.scope).trim();
      if (value) return value;
    }
    return '';
  },
  and: (raw, ctx) => {
    let last = '';
    for (const arg of raw) {
      last = ctx.expander.expand(arg, ctx.depth, ctx.scope).trim();
      if (!last) return '';
    }
    return last;
  },
  foreach: ([variable, list = '', body = ''], ctx) => {
    const name = ctx.expander.expand(variable, ctx.depth, ctx.scope).trim();
    const items = words(ctx.expander.expand(list, ctx.depth, ctx.scope));
    return items.map((item) => ctx.expander.expand(body, ctx.depth, withLocals(ctx.scope, { [name]: item }))).join(' ');
  },
};

/** Every name make treats as a function (so `$(shell x)` is a call, `$(shelly x)` a variable). */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set([...Object.keys(EAGER), ...Object.keys(LAZY), ...UNSUPPORTED]);

export function callFunction(fn: string, raw: string[], ctx: CallContext): string {
  if (UNSUPPORTED.includes(fn)) {
    throw new MakeEvalError(`the make function $(${fn} ...) is not supported by nx-sage's evaluator`, ctx.construct, true);
  }
  if (LAZY[fn]) return LAZY[fn](raw, ctx);
  const args = raw.map((arg) => ctx.expander.expand(arg, ctx.depth, ctx.scope));
  return EAGER[fn](args, ctx);
}

// The suffix starts at the last '.' of the last path component.
function suffixIndex(word: string): number {
  const dot = word.lastIndexOf('.');
  return dot > word.lastIndexOf('/') ? dot : -1;
}

function normalizeAbsolute(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
