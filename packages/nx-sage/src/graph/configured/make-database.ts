/**
 * A pure reader of GNU make's data base (`make -p`, "--print-data-base"): the variables and the explicit
 * rules exactly as make holds them after reading every makefile. Only what a configured Sage Makefile
 * needs is kept: a variable's value as printed (simply-expanded variables are printed expanded), and each
 * file's normal and order-only prerequisites (expanded when make read the rule).
 */
export interface MakeRule {
  normal: string[];
  orderOnly: string[];
  /** False for files make only knows as prerequisites ("# Not a target:"). */
  isTarget: boolean;
}

export interface MakeDatabase {
  variables: Map<string, string>;
  rules: Map<string, MakeRule>;
}

const SECTION = /^# (Variables|Files|Directories|Pattern-specific Variable Values|Implicit Rules|VPATH Search Paths)\s*$/;
const ASSIGNMENT = /^([^\s:#=]+)\s*(:{1,3}=|\?=|\+=|!=|=)\s?(.*)$/;
const DEFINE = /^define\s+(\S+)/;

/** Parses the whole output of `make -p` (any other lines of the output, e.g. recipe echoes, are ignored). */
export function parseMakeDatabase(text: string): MakeDatabase {
  const variables = new Map<string, string>();
  const rules = new Map<string, MakeRule>();
  const lines = text.split('\n');
  let section = '';
  let notATarget = false;
  let inEntry = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heading = SECTION.exec(line);
    if (heading) {
      section = heading[1];
      notATarget = false;
      inEntry = false;
      continue;
    }
    if (section === 'Variables') {
      if (line.startsWith('#') || line === '') continue;
      const define = DEFINE.exec(line);
      if (define) {
        const body: string[] = [];
        while (++i < lines.length && lines[i] !== 'endef') body.push(lines[i]);
        variables.set(define[1], body.join('\n'));
        continue;
      }
      const assignment = ASSIGNMENT.exec(line);
      if (assignment) variables.set(assignment[1], assignment[3]);
    } else if (section === 'Files') {
      if (line === '') {
        inEntry = false;
        notATarget = false;
        continue;
      }
      if (line === '# Not a target:') {
        notATarget = true;
        continue;
      }
      if (line.startsWith('#') || line.startsWith('\t') || inEntry) continue;
      const rule = parseRuleLine(line);
      if (rule) {
        inEntry = true;
        const previous = rules.get(rule.target);
        // A double-colon target prints one entry per rule: keep the union.
        rules.set(rule.target, {
          normal: [...(previous?.normal ?? []), ...rule.normal],
          orderOnly: [...(previous?.orderOnly ?? []), ...rule.orderOnly],
          isTarget: (previous?.isTarget ?? false) || !notATarget,
        });
      }
    }
  }
  return { variables, rules };
}

// `target: a b | c d` or `target:: a`; a target-specific variable line (`target: VAR = x`) is no rule.
function parseRuleLine(line: string): { target: string; normal: string[]; orderOnly: string[] } | null {
  const match = /^(.+?)::?(?:\s+(.*))?$/.exec(line);
  if (!match) return null;
  const rest = match[2] ?? '';
  if (/^[^\s|]+\s*(:{1,3}=|\?=|\+=|=)/.test(rest)) return null;
  const bar = rest.indexOf('|');
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  return {
    target: match[1],
    normal: words(bar < 0 ? rest : rest.slice(0, bar)),
    orderOnly: bar < 0 ? [] : words(rest.slice(bar + 1)),
  };
}

/** The words of a variable's printed value, or [] when make does not define it. */
export function variableWords(db: MakeDatabase, name: string): string[] {
  return (db.variables.get(name) ?? '').split(/\s+/).filter(Boolean);
}
