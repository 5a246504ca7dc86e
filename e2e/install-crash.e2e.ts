/**
 * Issue 13's crash test on real Python + pip (tools/fixtures/python): an install is SIGKILLed at
 * random points of its swap — single installs (installPackage) and batch installs (one exclusive
 * section, one pip call for the group) — and the next install completes: `pip check` is clean and the
 * tree is file for file the reference tree of the new versions (every stamp matches the installed
 * files, no file is left that no manifest lists, nothing is missing). Every NX_RUN_EVERY-th trial's
 * next install is `nx run-many -t install -p wheel setuptools`; the others run the engine's install in
 * a child process (e2e/support/swap-child.js).
 *
 * Kill points: the child (e2e/support/swap-child.js, test code) SIGKILLs itself at the k-th swap step
 * (journal written, each file moved, each script/pip run, stamp, commit), or t ms after its journal
 * was written (lands inside pip runs). Each trial starts from a copy of one template tree.
 * Control: the same harness with the journal turned off (a seam set by the child, not an env switch
 * of the plugin) leaves broken trees, and the test asserts that it does.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, removeWorkspace, REPO_ROOT, runNx } from './support/workspace';
import { diffSnapshots, pipCheck, runSwapChild, snapshotTree } from './support/tree-snapshot';

const TRIALS = Number(process.env.NX_SAGE_CRASH_TRIALS ?? 50);
const CONTROL_TRIALS = Number(process.env.NX_SAGE_CRASH_CONTROL_TRIALS ?? 10);
const NX_RUN_EVERY = Number(process.env.NX_SAGE_CRASH_NX_EVERY ?? 10);
const FIXTURES = join(REPO_ROOT, 'tools/fixtures/python/build-fixtures.js');
// Small wheel-only packages: a batch of two goes through the group route, one alone through installPackage.
const MODES = { install: ['wheel'], batch: ['wheel', 'setuptools'] } as const;
type Mode = keyof typeof MODES;

describe('install crash (SIGKILL during the swap) on real pip', () => {
  let ws: string;
  let template: string;
  const local = () => join(ws, 'local');
  const venv = () => {
    const dir = join(local(), 'var/lib/sage');
    return join(dir, readdirSync(dir).find((e) => e.startsWith('venv-python'))!);
  };
  const restore = () => {
    rmSync(local(), { recursive: true, force: true });
    cpSync(template, local(), { recursive: true, verbatimSymlinks: true });
  };
  const reference = new Map<Mode, { snapshot: Map<string, string>; steps: number }>();

  beforeAll(async () => {
    ws = createWorkspace({});
    execFileSync(process.execPath, [FIXTURES, '--out', ws, '--quiet'], { stdio: 'pipe' });
    // Only what the trials install (and pip, which they need): the rest of the fixture plays no part.
    const first = runNx(ws, ['run-many', '-t', 'install', '-p', 'wheel', 'setuptools', '--parallel=8', '--output-style=static']);
    if (first.status !== 0) throw new Error(`initial install failed:\n${first.stdout}\n${first.stderr}`);
    // The template: old versions installed, new artifacts of wheel and setuptools built (not installed).
    execFileSync(process.execPath, [FIXTURES, 'bump', ws, 'wheel', 'setuptools'], { stdio: 'pipe' });
    const build = runNx(ws, ['run-many', '-t', 'build', '-p', 'wheel', 'setuptools', '--output-style=static']);
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
    template = join(ws, 'template-local');
    cpSync(local(), template, { recursive: true, verbatimSymlinks: true });
    // References: an uninterrupted install of each mode, and how many swap steps it has.
    for (const mode of Object.keys(MODES) as Mode[]) {
      restore();
      const run = await runSwapChild(ws, [mode, ...MODES[mode]], { COUNT_STEPS: '1' });
      if (run.code !== 0) throw new Error(`reference ${mode} failed:\n${run.output}`);
      if (mode === 'batch' && !/wheel:install:group setuptools:install:group/.test(run.output)) throw new Error(`the batch did not use the group route:\n${run.output}`);
      reference.set(mode, { snapshot: snapshotTree(local()), steps: Number(/steps (\d+)/.exec(run.output)![1]) });
    }
  }, 1_800_000);
  afterAll(() => removeWorkspace(ws));

  /** One trial: crash, then the next install; returns what is wrong with the tree (empty: consistent). */
  async function trial(i: number, journal: boolean): Promise<{ what: string; problems: string[] }> {
    const mode: Mode = i % 2 === 0 ? 'install' : 'batch';
    const ref = reference.get(mode)!;
    const kill: Record<string, string> = i % 3 === 2 ? { CRASH_DELAY_MS: String(Math.floor(Math.random() * 1500)) } : { CRASH_STEP: String(Math.floor(Math.random() * ref.steps)) };
    const off: Record<string, string> = journal ? {} : { NO_JOURNAL: '1' };
    restore();
    const crash = await runSwapChild(ws, [mode, ...MODES[mode]], { ...kill, ...off });
    const viaNx = journal && i % NX_RUN_EVERY === NX_RUN_EVERY - 1;
    const what = `trial ${i} ${mode} ${JSON.stringify(kill)} → ${crash.signal ?? `exit ${crash.code}`}, next install by ${viaNx ? 'nx run-many' : 'the engine'}`;
    const problems: string[] = [];
    if (crash.signal === null && crash.code !== 0) problems.push(`the crashing install failed by itself: ${crash.output.slice(-400)}`);
    if (viaNx) {
      const next = runNx(ws, ['run-many', '-t', 'install', '-p', 'wheel', 'setuptools', '--parallel=8', '--output-style=static']);
      if (next.status !== 0) problems.push(`nx run-many -t install failed: ${(next.stdout + next.stderr).slice(-600)}`);
    } else {
      const next = await runSwapChild(ws, [mode, ...MODES[mode]], off);
      if (next.code !== 0) problems.push(`the next install failed: ${next.output.slice(-600)}`);
    }
    const check = pipCheck(venv());
    if (check !== 'No broken requirements found.') problems.push(`pip check: ${check}`);
    problems.push(...diffSnapshots(ref.snapshot, snapshotTree(local())));
    const staging = join(local(), 'var/tmp/sage/nx-install');
    if (existsSync(staging) && readdirSync(staging).length > 0) problems.push(`staging left: ${readdirSync(staging).join(' ')}`);
    return { what, problems };
  }

  it(`after a SIGKILL at a random point of the swap, the next install completes and the tree is exactly the new version (${TRIALS} trials)`, async () => {
    const broken: string[] = [];
    let killed = 0;
    for (let i = 0; i < TRIALS; i++) {
      const { what, problems } = await trial(i, true);
      if (what.includes('SIGKILL')) killed++;
      if (problems.length > 0) broken.push(`${what}:\n    ${problems.join('\n    ')}`);
    }
    expect(broken).toEqual([]);
    expect(killed).toBeGreaterThanOrEqual(Math.floor(TRIALS * 0.8)); // the kills really landed inside installs
  }, 3_600_000);

  it(`control: without the journal the same harness leaves broken trees (≤ ${CONTROL_TRIALS} trials)`, async () => {
    let broken = 0;
    for (let i = 0; i < CONTROL_TRIALS && broken < 2; i++) {
      const { problems } = await trial(i, false);
      if (problems.length > 0) broken++;
    }
    expect(broken).toBeGreaterThan(0);
  }, 1_800_000);
});
