import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Environment switches that exist for tests and benchmarks only: stub executors, no tree lock, Sage's
 * uninstall-before-build ordering. They must never reach a user's tree or cache, so they are
 *  - loud: the first use in a process prints a warning on stderr;
 *  - part of every build's hash (graph/targets.ts): a stub artifact is never restored for a real build;
 *  - refused on a tree with real stamps (installed by real installs), unless the tree carries the
 *    test-tree marker file, which only test fixtures create.
 */
export const TEST_SWITCHES = ['NX_SAGE_STUB_BUILDS', 'NX_SAGE_LOCK_DISABLED', 'NX_SAGE_EMULATE_SAGE_ORDER'] as const;
export type TestSwitch = (typeof TEST_SWITCHES)[number];

/** `<SAGE_LOCAL>/<marker>`: a tree made by a test, where the switches may run over real stamps. */
export const TEST_TREE_MARKER = join('var', 'lib', 'sage', 'nx-sage-test-tree');

export class TestSwitchError extends Error {}

const warned = new Set<string>();

/** Prints, once per process and switch, that a test switch is active. */
export function announceTestSwitch(name: TestSwitch, value: string, what: string): void {
  if (warned.has(name)) return;
  warned.add(name);
  process.stderr.write(`nx-sage: WARNING: test switch ${name}=${value} is set: ${what}. Never set it for a real Sage tree.\n`);
}

/** Stamp directories of a tree: SAGE_LOCAL's and those of venvs inside it. */
function stampDirs(tree: string): string[] {
  const sage = join(tree, 'var', 'lib', 'sage');
  const dirs = [join(sage, 'installed')];
  try {
    for (const name of readdirSync(sage)) if (name.startsWith('venv-')) dirs.push(join(sage, name, 'var', 'lib', 'sage', 'installed'));
  } catch {
    // no var/lib/sage: no stamps
  }
  return dirs;
}

/** A stamp written by a real install: anything but the stub's own (`nx_sage.stub`) and the venv node's. */
function isRealStamp(file: string, name: string): boolean {
  if (name.startsWith('python3_venv-') || name.startsWith('.')) return false;
  try {
    return JSON.parse(readFileSync(file, 'utf8'))?.nx_sage?.stub !== true;
  } catch (error) {
    // Removed since the directory was listed (a concurrent reinstall): no stamp. Not JSON: Sage's old-style stamps, real.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** The first real stamp of the tree, if any. */
export function findRealStamp(tree: string): string | undefined {
  for (const dir of stampDirs(tree)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (isRealStamp(join(dir, name), name)) return join(dir, name);
  }
  return undefined;
}

/** Throws unless the switch may act on `tree` (SAGE_LOCAL): no real stamps, or a marked test tree. */
export function refuseOnRealTree(name: TestSwitch, tree: string): void {
  if (existsSync(join(tree, TEST_TREE_MARKER))) return;
  const stamp = findRealStamp(tree);
  if (stamp) {
    throw new TestSwitchError(
      `nx-sage: refusing test switch ${name} on ${tree}: it holds real installs (e.g. ${stamp}). ` +
        `Unset ${name}; tests that need it on an installed tree create ${join(tree, TEST_TREE_MARKER)} first.`,
    );
  }
}

/** Whether the env asks for a test switch ('' and '0' do not). */
export const switchValue = (env: Record<string, string | undefined>, name: TestSwitch): string | undefined => {
  const value = env[name];
  return value && value !== '0' && value !== 'false' ? value : undefined;
};
