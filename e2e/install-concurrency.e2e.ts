/**
 * Issue 13: the same package installed by three processes at once — two installs and a build's
 * prerequisite install (executors/build/install-dependencies) — many rounds, with a large artifact
 * (3,000 files): every process succeeds and the tree is consistent (one stamp, every file of the
 * manifest with its content, no staging or journal left). Each install attempt stages in its own
 * directory; before issue 13 the three shared one, wiped by whoever came next.
 * Control: the same rounds with one shared staging directory per package (a seam set by the test
 * child, e2e/support/swap-child.js) must fail.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, removeWorkspace, runNx } from './support/workspace';
import { diffSnapshots, runSwapChild, snapshotTree, type ChildRun } from './support/tree-snapshot';

const ROUNDS = Number(process.env.NX_SAGE_CONCURRENCY_ROUNDS ?? 6);
const CONTROL_ROUNDS = Number(process.env.NX_SAGE_CONCURRENCY_CONTROL_ROUNDS ?? 4);
const FILES = 3000;

const BIG_INSTALL = `# A large artifact (${FILES} small files) for the install concurrency test.
d="$SAGE_DESTDIR_LOCAL/share/bigpkg"
k=0
while [ $k -lt ${FILES / 100} ]; do
  mkdir -p "$d/$k"
  i=0
  while [ $i -lt 100 ]; do
    echo "bigpkg $k $i" > "$d/$k/f$i.txt"
    i=$((i+1))
  done
  k=$((k+1))
done
`;

describe('three concurrent installs of one package (large artifact)', () => {
  let ws: string;
  let reference: Map<string, string>;
  const local = () => join(ws, 'local');
  const stamps = () => readdirSync(join(local(), 'var/lib/sage/installed')).filter((s) => s.startsWith('bigpkg-'));

  beforeAll(async () => {
    ws = createWorkspace({});
    const pkg = join(ws, 'build/pkgs/bigpkg');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'type'), 'standard\n');
    writeFileSync(join(pkg, 'package-version.txt'), '1.0\n');
    writeFileSync(join(pkg, 'spkg-install.in'), BIG_INSTALL);
    const build = runNx(ws, ['run', 'bigpkg:build', '--output-style=static']);
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
    const first = await runSwapChild(ws, ['install', 'bigpkg']);
    if (first.code !== 0) throw new Error(`first install failed:\n${first.output}`);
    reference = snapshotTree(local());
    if ([...reference.keys()].filter((f) => f.startsWith('share/bigpkg/')).length !== FILES) throw new Error('the artifact does not have the expected files');
  }, 1_800_000);
  afterAll(() => removeWorkspace(ws));

  /** One round: the stamp goes (so every process has work to do), then three installers start 0–0.6 s apart. */
  async function round(env: Record<string, string>): Promise<{ runs: ChildRun[]; problems: string[] }> {
    for (const s of stamps()) rmSync(join(local(), 'var/lib/sage/installed', s));
    const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const start = (args: string[]) => delay(Math.floor(Math.random() * 600)).then(() => runSwapChild(ws, args, env));
    const runs = await Promise.all([start(['install', 'bigpkg']), start(['install', 'bigpkg']), start(['prereq', 'bigpkg'])]);
    const problems: string[] = [];
    runs.forEach((r, i) => {
      if (r.code !== 0) problems.push(`process ${i} failed: ${r.output.slice(-300)}`);
    });
    if (stamps().length !== 1) problems.push(`stamps: ${stamps().join(' ') || 'none'}`);
    problems.push(...diffSnapshots(reference, snapshotTree(local())));
    const staging = join(local(), 'var/tmp/sage/nx-install');
    if (existsSync(staging) && readdirSync(staging).length > 0) problems.push(`staging left: ${readdirSync(staging).join(' ')}`);
    return { runs, problems };
  }

  it(`all three succeed and the tree is consistent (${ROUNDS} rounds)`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const { problems } = await round({});
      if (problems.length) failures.push(`round ${i}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  }, 1_800_000);

  it('control: with one shared staging directory per package, rounds fail', async () => {
    let failed = 0;
    for (let i = 0; i < CONTROL_ROUNDS && failed === 0; i++) {
      const { problems } = await round({ SHARED_STAGING: '1' });
      if (problems.length) failed++;
    }
    expect(failed).toBeGreaterThan(0);
  }, 1_800_000);
});
