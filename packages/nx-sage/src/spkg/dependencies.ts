/** The raw tokens of one dependency line, split at the first `|` (Sage: normal | order-only). */
export interface DependencyLine {
  normal: string[];
  orderOnly: string[];
  /** Whether the line had a `|` (configure appends one when it does not). */
  hasBar: boolean;
}

/** Only the first line counts; `#` starts a comment (sage_bootstrap and configure agree). */
export function firstLine(text: string | null): string {
  if (text === null) return '';
  return text.split(/\r?\n/, 1)[0].split('#')[0].trim();
}

export function parseDependencyLine(line: string): DependencyLine {
  const bar = line.indexOf('|');
  const normalPart = bar === -1 ? line : line.slice(0, bar);
  const orderPart = bar === -1 ? '' : line.slice(bar + 1);
  return { normal: words(normalPart), orderOnly: words(orderPart), hasBar: bar !== -1 };
}

/** Whitespace-separated words that keep `$(...)` references intact even if they contain spaces. */
export function words(text: string): string[] {
  const result: string[] = [];
  let current = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '(') {
      depth++;
      current += '$(';
      i++;
      continue;
    }
    if (c === ')' && depth > 0) depth--;
    if (/\s/.test(c) && depth === 0) {
      if (current) result.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (current) result.push(current);
  return result;
}
