/**
 * The package graph GNU make itself reads from a configured checkout's build/make/Makefile, computed
 * here independently of the plugin's code: a small driver prints what configure wrote ($(info) lines)
 * and make's rule data base (`make -p`), and a dry run of `make all-sage all-sage-docs toolchain` with the
 * recursive make replaced by `echo` lists what make would build. The environment is build/make/install's:
 * `src/bin/sage-env-config` sourced by bash, SAGE_PKGCONFIG under SAGE_LOCAL.
 */
import { spawnSync } from 'node:child_process';

export interface MakeGraph {
  dummy: string[];
  /** Non-dummy packages a plain `make` builds (from the dry run). */
  buildSet: string[];
  /** Every package with a rule: its prerequisites mapped back to package names (venv: python3_venv). */
  packages: Record<string, { normal: string[]; orderOnly: string[] }>;
}

const DRIVER = `include build/make/Makefile
$(info E2E DUMMY $(DUMMY_PACKAGES))
$(info E2E DOTDUMMY $(SAGE_LOCAL)/$(SPKG_INST_RELDIR)/.dummy)
$(info E2E INST python3_venv $(inst_python3_venv))
$(foreach p,$(sort $(BUILT_PACKAGES) $(DUMMY_PACKAGES)),$(info E2E INST $(p) $(inst_$(p)))$(info E2E DEPS $(p) $(deps_$(p))))
$(foreach p,$(NORMAL_PACKAGES) $(SCRIPT_PACKAGES),$(info E2E RULE $(p) $(foreach t,$(trees_$(p)),$($(t))/$(SPKG_INST_RELDIR)/$(p)-$(vers_$(p)))))
$(foreach p,$(PIP_PACKAGES),$(info E2E RULE $(p) $(p)))
e2e-nothing: ;
`;

function make(root: string, args: string[], input?: string): string {
  // As build/make/install runs it: sage-env-config sourced, SAGE_PKGCONFIG set.
  const script = '. src/bin/sage-env-config && export SAGE_SRC="$SAGE_ROOT/src" SAGE_PKGCONFIG="$SAGE_LOCAL/lib/pkgconfig" && exec make "$@"';
  const run = spawnSync('bash', ['-c', script, 'bash', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, MAKEFLAGS: '', MFLAGS: '', MAKELEVEL: '', SAGE_CHECK: '' },
  });
  if (run.status !== 0 && run.status !== 1) throw new Error(`make ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return run.stdout;
}

export function makeGraph(root: string): MakeGraph {
  const out = make(root, ['-f', '-', '-p', '-q', '-r', '-R', 'e2e-nothing'], DRIVER);
  const info = (kind: string) => out.split('\n').filter((l) => l.startsWith(`E2E ${kind} `)).map((l) => l.slice(`E2E ${kind} `.length).trim().split(/\s+/));
  const dummy = info('DUMMY')[0] ?? [];
  const dotDummy = info('DOTDUMMY')[0][0];
  const byFile = new Map<string, string>();
  for (const [name, file] of info('INST')) if (file && file !== dotDummy) byFile.set(file, name);
  const deps = new Map(info('DEPS').map(([name, ...words]) => [name, words]));

  // The rule lines of make's data base ("# Files" section): `target: normal | order-only`.
  const files = out.slice(out.indexOf('\n# Files\n'));
  const ruleLine = new Map<string, string>();
  for (const line of files.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0 && !line.startsWith('#') && !line.startsWith('\t')) ruleLine.set(line.slice(0, colon), line.slice(colon + 2));
    else if (line.endsWith(':') && !line.startsWith('#')) ruleLine.set(line.slice(0, -1), '');
  }

  const packages: MakeGraph['packages'] = {};
  for (const [name, target] of info('RULE')) {
    const line = ruleLine.get(target);
    if (line === undefined) throw new Error(`make's data base has no rule for ${target} (${name})`);
    const [normalText, orderText = ''] = line.split('|');
    const words = deps.get(name) ?? [];
    const bar = words.indexOf('|');
    const side = (text: string, depWords: string[]) => {
      const names = text.split(/\s+/).filter(Boolean).flatMap((file) => (file === dotDummy ? [] : byFile.has(file) ? [byFile.get(file)!] : []));
      // All dummy prerequisites are the one file .dummy: name them as deps_<pkg> does.
      return [...new Set([...names, ...depWords.filter((w) => dummy.includes(w))])].sort();
    };
    const normal = side(normalText, bar < 0 ? words : words.slice(0, bar));
    packages[name] = { normal, orderOnly: side(orderText, bar < 0 ? [] : words.slice(bar + 1)).filter((p) => !normal.includes(p)) };
    if (line.includes(dotDummy) !== words.some((w) => dummy.includes(w))) {
      throw new Error(`${name}: .dummy in the rule (${line.includes(dotDummy)}) disagrees with deps_${name}`);
    }
  }

  const dry = make(root, ['-n', 'MAKE_REC=echo E2E-BUILD', 'all-sage', 'all-sage-docs', 'toolchain']);
  const built = new Set<string>();
  for (const match of dry.matchAll(/^E2E-BUILD (\S+?)(?:-(?:SAGE_LOCAL|SAGE_VENV|SAGE_DOCS))?-no-deps$/gm)) built.add(match[1]);
  return { dummy: [...dummy].sort(), buildSet: [...built].sort(), packages };
}
