/**
 * Issue 12: a long build must not hold back installs (and so the builds after them) that cannot affect
 * it. Graph: `longpkg` builds for LONG seconds; beside it, a short chain `chain_a` ← `chain_b` ←
 * `chain_c` (normal dependencies) with nothing to do with longpkg. Every install here is a FIRST
 * install (additive): it runs beside longpkg's build, so the whole chain is installed long before
 * longpkg's build ends.
 * Controls: NX_SAGE_INSTALL_LOCK=exclusive (every install exclusive, the lock as it was) must block the
 * chain behind the long build: chain_a's install waits for longpkg's shared hold, so chain_c cannot be
 * installed before the long build ended; once with single install tasks, once with install batches.
 * The control's run report must count every lock wait (install tasks, batches, the builds' prerequisite
 * installs), name longpkg's build as the holder, and agree with the package logs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, removeWorkspace, runNx } from './support/workspace';

// The long build sleeps LONG seconds, at least 15 and 3× what the chain alone takes on this machine now
// (measured first: six forked tasks in a row take a few seconds on an idle machine, a minute at a load of 25).
let LONG = 15;

function addPackage(ws: string, name: string, seconds: number | 'long', deps: string[] = []): void {
  const dir = join(ws, 'build/pkgs', name);
  const src = join(ws, '.fixture', `${name}-1.0`);
  mkdirSync(dir, { recursive: true });
  mkdirSync(src, { recursive: true });
  mkdirSync(join(ws, 'upstream'), { recursive: true });
  writeFileSync(join(src, 'README'), `${name}\n`);
  const tarball = join(ws, 'upstream', `${name}-1.0.tar.gz`);
  execFileSync('tar', ['czf', tarball, '-C', join(ws, '.fixture'), `${name}-1.0`]);
  const sha = (algo: string) => createHash(algo).update(readFileSync(tarball)).digest('hex');
  writeFileSync(join(dir, 'type'), 'standard\n');
  writeFileSync(join(dir, 'package-version.txt'), '1.0\n');
  writeFileSync(join(dir, 'checksums.ini'), `tarball=${name}-VERSION.tar.gz\nsha1=${sha('sha1')}\nsha256=${sha('sha256')}\n`);
  if (deps.length) writeFileSync(join(dir, 'dependencies'), `${deps.join(' ')}\n`);
  const marks = join(ws, '.marks');
  writeFileSync(
    join(dir, 'spkg-install.in'),
    `sleep ${seconds === 'long' ? `"$(cat '${ws}/.long-seconds')"` : seconds}\nmkdir -p "$SAGE_DESTDIR_LOCAL/share/${name}"\necho ${name} > "$SAGE_DESTDIR_LOCAL/share/${name}/README"\n` +
      `date +%s.%N > "${marks}/${name}.built"\n`,
  );
}

describe('lock granularity: a long build does not hold back an unrelated chain', () => {
  let ws: string;
  const stampTime = (name: string) => statSync(join(ws, 'local/var/lib/sage/installed', `${name}-1.0`)).mtimeMs / 1000;
  const builtTime = (name: string) => Number(readFileSync(join(ws, '.marks', `${name}.built`), 'utf8').trim());
  const fresh = () => {
    for (const dir of ['local', 'logs', '.marks', '.nx/cache', 'report.json']) rmSync(join(ws, dir), { recursive: true, force: true });
    mkdirSync(join(ws, '.marks'));
  };
  const install = (env: Record<string, string> = {}) => {
    fresh();
    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=4', '--output-style=static', '--skip-nx-cache'], {
      NX_SAGE_REPORT_FILE: 'report.json',
      ...env,
    });
    expect({ status: run.status, out: run.status === 0 ? '' : run.stdout + run.stderr }).toEqual({ status: 0, out: '' });
    return { chainDone: stampTime('chain_c'), longBuilt: builtTime('longpkg'), report: JSON.parse(readFileSync(join(ws, 'report.json'), 'utf8')) };
  };

  beforeAll(() => {
    ws = createWorkspace({});
    addPackage(ws, 'longpkg', 'long');
    addPackage(ws, 'chain_a', 0.1);
    addPackage(ws, 'chain_b', 0.1, ['chain_a']);
    addPackage(ws, 'chain_c', 0.1, ['chain_b']);
    writeFileSync(join(ws, '.gitignore'), 'node_modules\n.nx\nlocal\nlogs\n.marks\n.fixture\nupstream\nreport.json\n.long-seconds\n');
    writeFileSync(join(ws, '.long-seconds'), `${LONG}\n`);
  });
  afterAll(() => removeWorkspace(ws));

  it('calibrates: the chain alone', () => {
    fresh();
    const started = Date.now();
    const run = runNx(ws, ['run', 'chain_c:install', '--parallel=4', '--output-style=static', '--skip-nx-cache']);
    expect({ status: run.status, out: run.status === 0 ? '' : run.stdout + run.stderr }).toEqual({ status: 0, out: '' });
    LONG = Math.max(LONG, Math.ceil((3 * (Date.now() - started)) / 1000));
    writeFileSync(join(ws, '.long-seconds'), `${LONG}\n`);
  });

  it('installs the chain long before the long build ends (first installs run beside builds)', () => {
    const { chainDone, longBuilt, report } = install();
    // Nothing waited behind the long build (read from the run report; independent of machine load) ...
    const behindLong = report.tasks.flatMap((t: { lockWaits?: { behind?: string }[] }) => (t.lockWaits ?? []).filter((w) => /^longpkg /.test(w.behind ?? '')));
    expect(behindLong).toEqual([]);
    // ... and so the chain is done within the first two thirds of the long build (it takes a third alone).
    expect(longBuilt - chainDone).toBeGreaterThan(LONG / 3);
  });

  // Every task in its own process (no batches), then through the batch executors (the default): the
  // report's waits come from install executors and the builds' prerequisite installs in the first, from
  // the build batch's installs and batch sections in the second.
  it.each([
    ['single tasks', { NX_SAGE_INSTALL_LOCK: 'exclusive', NX_SAGE_INSTALL_BATCH: 'never' }],
    ['batches', { NX_SAGE_INSTALL_LOCK: 'exclusive' }],
  ])('control (%s): with every install exclusive (the old lock) the chain waits for the whole long build', (_how, env) => {
    const { chainDone, longBuilt, report } = install(env);
    expect(chainDone).toBeGreaterThan(longBuilt);

    // The report counts every wait, and exactly the waits of the package logs ("got … after" lines).
    const logged = readdirSync(join(ws, 'logs/pkgs')).flatMap((file) =>
      readFileSync(join(ws, 'logs/pkgs', file), 'utf8')
        .split('\n')
        .filter((line) => /got the (shared|exclusive) (lock|install lock) on .* after /.test(line))
        .map((line) => ({ file, line })),
    );
    const facts = report.tasks.flatMap((t: { id: string; lockWaits?: { waitMs: number; behind?: string; log?: string }[] }) =>
      (t.lockWaits ?? []).map((w) => ({ task: t.id, ...w })),
    );
    expect(logged.length).toBeGreaterThan(0);
    expect(report.lockWait.waits).toBe(logged.length);
    expect(facts).toHaveLength(logged.length);
    // Per log file: the same number of waits.
    const perLog = (list: { file?: string; log?: string }[]) =>
      list.reduce<Record<string, number>>((acc, x) => ({ ...acc, [(x.file ?? x.log)!]: (acc[(x.file ?? x.log)!] ?? 0) + 1 }), {});
    expect(perLog(facts)).toEqual(perLog(logged));
    // The long build is named as the holder of a wait that lasts most of the build's time. (Not always
    // THE longest: the chain's next build, queued behind chain_a's install that waits for the long build,
    // can wait as long, behind chain_a.)
    const longHolder = 'longpkg (build longpkg), shared';
    const behindLong = facts.filter((f: { behind?: string }) => f.behind === longHolder);
    expect(behindLong.length).toBeGreaterThan(0);
    const longestBehindLong = Math.max(...behindLong.map((f: { waitMs: number }) => f.waitMs));
    expect(longestBehindLong).toBeGreaterThan((LONG / 4) * 1000);
    // The report's per-holder total for the long build is the sum of those waits.
    const total = behindLong.reduce((sum: number, f: { waitMs: number }) => sum + f.waitMs, 0);
    expect(report.lockWait.byHolder.find((h: { holder: string }) => h.holder === longHolder)?.waitMs).toBeCloseTo(total, -1);
    expect(existsSync(join(ws, 'report.json'))).toBe(true);
  });
});
