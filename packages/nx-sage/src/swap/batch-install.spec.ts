import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from '../process/run';
import { readSpkg } from '../spkg';
import { makeTempTree, removeTree, spkgFiles, writeTree } from '../testing/temp-tree';
import { writeArtifact, type ArtifactMeta } from '../stage/artifact';
import { hashPrefix } from '../stage/build-package';
import {
  groupByTree,
  groupPipArgs,
  installWave,
  oldStateOf,
  requirementNames,
  runTopologically,
  wheelOnlyInstall,
  type BatchItem,
  type ItemResult,
  type TopoOutcome,
} from './batch-install';
import type { installPackage, WithLock } from './install-package';
import type { PackageLogger } from '../tree/logger';
import { spkgPaths, type SageLayout } from '../tree/paths';
import { formatStamp } from './stamp';

jest.mock('../process/run', () => ({ run: jest.fn() }));
const runMock = run as jest.MockedFunction<typeof run>;
const result = (exitCode: number): RunResult => ({ exitCode, output: '', failed: exitCode !== 0, command: '', signal: undefined, timedOut: false, isCanceled: false });

const PIPINST = (dist: string) => `sdh_actually_pip_install_wheel ${dist}  -r "$SAGE_SPKG_SCRIPTS/$PKG_BASE/spkg-requirements.txt"\n`;
const PIPRM = 'sdh_pip_uninstall -r "$SAGE_SPKG_SCRIPTS/$PKG_BASE/spkg-requirements.txt"\n';

function meta(pkg: string, over: Partial<ArtifactMeta> = {}): ArtifactMeta {
  return {
    format: 'nx-sage-artifact/1',
    package: pkg,
    version: '1.0',
    source: 'normal',
    trees: 'SAGE_VENV',
    prefix: 'local',
    prefixHash: 'x',
    sourceHash: 'y',
    files: [`var/lib/sage/scripts/${pkg}/spkg-requirements.txt`, `var/lib/sage/wheels/${pkg}-1.0-py3-none-any.whl`],
    scripts: ['pipinst', 'piprm'],
    distributions: [{ name: pkg, version: '1.0' }],
    hash: 'h',
    ...over,
  };
}

describe('wheelOnlyInstall', () => {
  const scripts = (pkg: string) => ({ pipinst: PIPINST(pkg), piprm: PIPRM });
  it('accepts what sdh_store_and_pip_install_wheel stages', () => {
    expect(wheelOnlyInstall(meta('foo'), scripts('foo'))).toEqual({ dists: ['foo'] });
    expect(wheelOnlyInstall(meta('foo', { scripts: ['check', 'pipinst', 'piprm'] }), { ...scripts('foo'), check: 'pytest' })).toEqual({ dists: ['foo'] });
  });
  it('refuses anything else, with a reason', () => {
    const reasons = [
      wheelOnlyInstall(meta('foo', { source: 'pip' }), scripts('foo')),
      wheelOnlyInstall(meta('foo', { files: [...meta('foo').files, 'bin/foo'] }), scripts('foo')),
      wheelOnlyInstall(meta('foo', { files: [`var/lib/sage/wheels/foo-1.0-py3-none-any.whl`] }), scripts('foo')),
      wheelOnlyInstall(meta('foo'), { ...scripts('foo'), postinst: 'echo' }),
      wheelOnlyInstall(meta('foo'), { pipinst: 'sdh_actually_pip_install_wheel foo --no-deps -r "$SAGE_SPKG_SCRIPTS/$PKG_BASE/spkg-requirements.txt"', piprm: PIPRM }),
      wheelOnlyInstall(meta('foo'), { pipinst: PIPINST('foo') + 'python3 -m pip install bar\n', piprm: PIPRM }),
      wheelOnlyInstall(meta('foo'), { pipinst: PIPINST('foo') }),
      wheelOnlyInstall(meta('foo'), scripts('bar')),
      wheelOnlyInstall(meta('gmp'), scripts('gmp')),
    ];
    for (const reason of reasons) expect(typeof reason).toBe('string');
    expect(reasons[1]).toMatch(/bin\/foo/);
    expect(reasons[3]).toMatch(/spkg-postinst/);
  });
});

describe('requirementNames / oldStateOf', () => {
  it('reads distribution names of requirement lines; options make it unusable', () => {
    expect(requirementNames('foo @ file:///t/foo-1.whl\n# c\n\nbar_baz==2\n')).toEqual(['foo', 'bar_baz']);
    expect(requirementNames('-e .\n')).toBeUndefined();
  });
  const dir = (files: Record<string, string>) => ({ entries: Object.keys(files), read: (n: string) => files[n] });
  it('a plain piprm of our helpers: its distributions are uninstalled by the group', () => {
    expect(oldStateOf(undefined, dir({}))).toEqual({ dists: [] });
    expect(oldStateOf({}, dir({ 'spkg-prerm': 'x' }))).toEqual({ dists: [] }); // no manifest: removal runs no script
    expect(oldStateOf({ files: [] }, dir({ 'spkg-requirements.txt': 'old @ file:///w/old-0.9.whl\n', 'spkg-piprm': `#!/bin/bash\n# ---- nx-sage: package script body below ----\n${PIPRM}` }))).toEqual({
      dists: ['old'],
    });
  });
  it('any other removal script keeps the package out of the group', () => {
    expect(oldStateOf({ files: [] }, dir({ 'spkg-postrm': 'x' }))).toMatch(/spkg-postrm/);
    expect(oldStateOf({ files: [] }, dir({ 'spkg-piprm': 'rm -rf $SAGE_LOCAL/foo\n' }))).toMatch(/piprm/);
  });
});

describe('groupByTree / groupPipArgs', () => {
  it('groups by key in first-seen order', () => {
    expect(groupByTree([{ key: 'a', n: 1 }, { key: 'b', n: 2 }, { key: 'a', n: 3 }]).map((g) => g.map((x) => x.n))).toEqual([[1, 3], [2]]);
  });
  it("uses our helpers' pip flags for all requirement files at once", () => {
    const args = groupPipArgs(['/w', '/w'], ['/a.txt', '/b.txt'], ['a', 'b']);
    expect(args.uninstall).toEqual(['-m', 'pip', '--disable-pip-version-check', '--isolated', 'uninstall', '--yes', '--no-input', 'a', 'b']);
    expect(args.install).toEqual([
      '-m', 'pip', '--disable-pip-version-check', '--isolated', 'install', '--no-index', '--find-links=/w', '--no-build-isolation', '--no-cache-dir', '-r', '/a.txt', '-r', '/b.txt',
    ]);
    expect(args.install).not.toContain('--no-deps'); // sdh_actually_pip_install_wheel has none either
  });
});

describe('runTopologically', () => {
  const collect = async <R>(gen: AsyncGenerator<TopoOutcome<R>>) => {
    const out: TopoOutcome<R>[] = [];
    for await (const o of gen) out.push(o);
    return out;
  };
  it('runs waves in dependency order, ignoring edges to tasks outside the batch', async () => {
    const waves: string[][] = [];
    const out = await collect(
      runTopologically(
        ['c', 'b', 'a', 'd'],
        { c: ['b'], b: ['a', 'outside:build'], d: ['a'] },
        async function* (ready) {
          waves.push(ready);
          for (const id of ready) yield { id, result: true };
        },
        (r) => r,
        () => false,
      ),
    );
    expect(waves).toEqual([['a'], ['b', 'd'], ['c']]);
    expect(out.map((o) => o.id)).toEqual(['a', 'b', 'd', 'c']);
  });
  it('a failed task blocks its dependents (transitively) and only them', async () => {
    const ran: string[] = [];
    const out = await collect(
      runTopologically(
        ['a', 'b', 'c', 'x'],
        { b: ['a'], c: ['b'] },
        async function* (ready) {
          for (const id of ready) {
            ran.push(id);
            yield { id, result: id !== 'a' ? 'ok' : 'failed' };
          }
        },
        (r) => r === 'ok',
        (id, dep) => `blocked ${id} by ${dep}`,
      ),
    );
    expect(ran.sort()).toEqual(['a', 'x']);
    expect(Object.fromEntries(out.map((o) => [o.id, o.result]))).toEqual({ a: 'failed', x: 'ok', b: 'blocked b by a', c: 'blocked c by b' });
  });
  it('a cycle or a task the wave did not report ends as blocked, never hangs', async () => {
    const out = await collect(runTopologically(['a', 'b'], { a: ['b'], b: ['a'] }, async function* () {}, () => true, (id, dep) => `${id}:${dep}`));
    expect(out).toEqual([{ id: 'a', result: 'a:undefined' }, { id: 'b', result: 'b:undefined' }]);
    const silent = await collect(runTopologically(['a'], {}, async function* () {}, () => true, (id) => `lost ${id}`));
    expect(silent).toEqual([{ id: 'a', result: 'lost a' }]);
  });
});

describe('installWave (process layer mocked)', () => {
  let root: string;
  let layout: SageLayout;
  const pkgs = ['alpha', 'beta', 'gamma', 'delta'];
  const logs: Record<string, string[]> = {};
  const lock: WithLock = (_mode, _d, fn) => fn(new AbortController().signal);

  const logger = (name: string): PackageLogger => {
    logs[name] = [];
    return { logFile: `/log/${name}`, prefix: '', line: (l) => logs[name].push(l), info: (l) => logs[name].push(`nx-sage: ${l}`), close: () => undefined };
  };

  /** A built artifact as our helpers stage it (optionally with a post-install script). */
  async function artifact(name: string, extra: Record<string, string> = {}): Promise<ArtifactMeta> {
    const spkg = readSpkg(layout.pkgsDir, name);
    const paths = spkgPaths(layout, spkg);
    const staged = join(root, 'staged', name);
    const wheel = `var/lib/sage/wheels/${name}-1.0-py3-none-any.whl`;
    const req = `var/lib/sage/scripts/${name}/spkg-requirements.txt`;
    writeTree(staged, { [wheel]: `wheel of ${name}`, [req]: `${name} @ file://${paths.tree}/${wheel}\n` });
    return writeArtifact(join(root, 'artifacts', name), {
      package: name,
      version: '1.0',
      source: 'normal',
      trees: spkg.trees,
      prefix: 'local',
      prefixHash: hashPrefix(paths.tree),
      sourceHash: 's',
      files: [req, wheel],
      stagedRoot: staged,
      scriptBodies: { pipinst: PIPINST(name), piprm: PIPRM, ...extra },
    });
  }
  const item = (name: string): BatchItem => ({
    id: `${name}:install`,
    layout,
    spkg: readSpkg(layout.pkgsDir, name),
    artifactsDir: join(root, 'artifacts', name),
    logger: logger(name),
    fileLine: (t) => logs[name].push(`(group) ${t}`),
    withLock: lock,
  });
  const collect = async (items: BatchItem[], installOne: typeof installPackage) => {
    const out: Record<string, ItemResult> = {};
    for await (const o of installWave({ items, batchLock: lock, baseEnv: {}, echoGroupLine: () => undefined, installOne })) out[o.id] = o.result;
    return out;
  };
  const treeOf = (name: string) => spkgPaths(layout, readSpkg(layout.pkgsDir, name)).tree;
  const stampsOf = (name: string) => {
    const dir = join(treeOf(name), 'var/lib/sage/installed');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(`${name}-`)) : [];
  };
  const pipCalls = () => runMock.mock.calls.map(([, args]) => (args as string[]).slice(4).filter((a) => !a.startsWith('--')).join(' '));

  beforeEach(async () => {
    runMock.mockReset();
    runMock.mockResolvedValue(result(0));
    root = makeTempTree(
      Object.assign({}, ...pkgs.map((p) => spkgFiles(p, { type: 'standard', 'package-version.txt': '1.0', 'spkg-install.in': 'sdh_pip_install .', dependencies: '| $(PYTHON)' }))),
      'nx-sage-batch-',
    );
    layout = {
      workspaceRoot: root,
      sageRoot: root,
      pkgsDir: join(root, 'build/pkgs'),
      sageLocal: join(root, 'local'),
      sageVenv: join(root, 'local/venv'),
      distfiles: join(root, 'upstream'),
      python: 'python3',
      jobs: 1,
    };
    for (const p of pkgs) await artifact(p);
  });
  afterEach(() => removeTree(root));

  it('installs pure wheel packages with one pip uninstall and one pip install, then stamps each', async () => {
    const installOne = jest.fn();
    const out = await collect(['alpha', 'beta', 'gamma'].map(item), installOne);
    expect(installOne).not.toHaveBeenCalled();
    expect(pipCalls()).toEqual([
      'uninstall alpha beta gamma',
      `install -r ${['alpha', 'beta', 'gamma'].map((p) => join(treeOf(p), `var/lib/sage/scripts/${p}/spkg-requirements.txt`)).join(' -r ')}`,
    ]);
    for (const p of ['alpha', 'beta', 'gamma']) {
      expect(out[`${p}:install`]).toEqual({ ok: true, route: 'group', action: 'install', reason: 'not installed' });
      expect(stampsOf(p)).toEqual([`${p}-1.0`]);
      expect(readFileSync(join(treeOf(p), `var/lib/sage/wheels/${p}-1.0-py3-none-any.whl`), 'utf8')).toBe(`wheel of ${p}`);
      expect(existsSync(join(treeOf(p), `var/lib/sage/scripts/${p}/spkg-piprm`))).toBe(true);
      expect(logs[p].some((l) => l.startsWith('(group) '))).toBe(true); // combined pip output reaches every member's log
    }
  });

  it('up-to-date packages are answered without pip; others and non-wheel packages go their own way', async () => {
    await collect(['alpha', 'beta'].map(item), jest.fn()); // install alpha and beta
    for (const p of ['alpha', 'beta']) mkdirSync(join(layout.sageVenv, `lib/python3.11/site-packages/${p}-1.0.dist-info`), { recursive: true }); // what pip would leave
    runMock.mockClear();
    await artifact('delta', { postinst: 'echo hi' });
    const installOne = jest.fn(async () => ({ action: 'install' as const, reason: 'not installed' }));
    const out = await collect(['alpha', 'beta', 'delta'].map(item), installOne);
    expect(out['alpha:install']).toMatchObject({ ok: true, route: 'noop', action: 'skip' });
    expect(out['beta:install']).toMatchObject({ ok: true, route: 'noop', action: 'skip' });
    expect(out['delta:install']).toMatchObject({ ok: true, route: 'single' });
    expect(installOne).toHaveBeenCalledTimes(1);
    expect(runMock).not.toHaveBeenCalled();
  });

  it('a failed combined pip install is undone; each package is then installed alone and only the broken one fails', async () => {
    runMock.mockImplementation(async (_file, args) => (args.includes('install') && args.filter((a) => a === '-r').length > 1 ? result(1) : result(0)));
    const seen: Record<string, { stamps: string[]; wheel: boolean }> = {};
    const installOne = jest.fn(async ({ spkg }: { spkg: { name: string } }) => {
      // The group left nothing behind for this package before its own install starts.
      seen[spkg.name] = { stamps: stampsOf(spkg.name), wheel: existsSync(join(treeOf(spkg.name), `var/lib/sage/wheels/${spkg.name}-1.0-py3-none-any.whl`)) };
      if (spkg.name === 'beta') throw new Error('pip rejected beta-1.0-py3-none-any.whl');
      return { action: 'install' as const, reason: 'not installed' };
    }) as unknown as typeof installPackage;
    const out = await collect(['alpha', 'beta', 'gamma'].map(item), installOne);
    expect(out['alpha:install']).toMatchObject({ ok: true, route: 'single' });
    expect(out['gamma:install']).toMatchObject({ ok: true, route: 'single' });
    expect(out['beta:install']).toMatchObject({ ok: false, route: 'single' });
    expect(((out['beta:install'] as { error: Error }).error).message).toMatch(/beta/);
    expect(seen).toEqual({ alpha: { stamps: [], wheel: false }, beta: { stamps: [], wheel: false }, gamma: { stamps: [], wheel: false } });
    // After the failed call: the partial install is uninstalled (no previous versions to restore).
    expect(pipCalls()).toEqual(['uninstall alpha beta gamma', expect.stringMatching(/^install -r .* -r .* -r /), 'uninstall alpha beta gamma']);
  });

  it('a failed combined reinstall puts the previous version back (files, stamps, wheels) before going one by one', async () => {
    await collect(['alpha', 'beta'].map(item), jest.fn());
    const oldStamp = readFileSync(join(treeOf('alpha'), 'var/lib/sage/installed/alpha-1.0'), 'utf8');
    await artifact('alpha', { check: 'echo new' }); // a different artifact: reinstall
    await artifact('beta', { check: 'echo new' });
    runMock.mockReset();
    runMock.mockImplementation(async (_file, args) => (args.includes('install') && args.filter((a) => a === '-r').length > 1 && runMock.mock.calls.length === 2 ? result(1) : result(0)));
    const states: string[] = [];
    const installOne = jest.fn(async ({ spkg }: { spkg: { name: string } }) => {
      states.push(readFileSync(join(treeOf(spkg.name), `var/lib/sage/installed/${spkg.name}-1.0`), 'utf8'));
      return { action: 'reinstall' as const, reason: 'x' };
    }) as unknown as typeof installPackage;
    const out = await collect(['alpha', 'beta'].map(item), installOne);
    expect(Object.values(out).every((r) => r.ok && r.route === 'single')).toBe(true);
    expect(states[0]).toBe(oldStamp);
    expect(existsSync(join(treeOf('alpha'), 'var/lib/sage/scripts/alpha/spkg-check'))).toBe(false); // new script undone
    // uninstall old+new, failed install, uninstall new, reinstall of the previous wheels in one call.
    expect(pipCalls()).toEqual([
      'uninstall alpha beta',
      expect.stringMatching(/^install -r .* -r /),
      'uninstall alpha beta',
      expect.stringMatching(/^install -r .*alpha.* -r .*beta/),
    ]);
  });

  it('a package whose installed version has other removal scripts is installed alone', async () => {
    await collect(['alpha', 'beta'].map(item), jest.fn());
    writeFileSync(join(treeOf('alpha'), 'var/lib/sage/scripts/alpha/spkg-postrm'), 'echo');
    await artifact('alpha', { check: 'echo new' });
    await artifact('beta', { check: 'echo new' });
    await artifact('gamma');
    runMock.mockClear();
    const installOne = jest.fn(async () => ({ action: 'reinstall' as const, reason: 'x' })) as unknown as typeof installPackage;
    const out = await collect(['alpha', 'beta', 'gamma'].map(item), installOne);
    expect(out['alpha:install']).toMatchObject({ ok: true, route: 'single' });
    expect(out['beta:install']).toMatchObject({ ok: true, route: 'group', action: 'reinstall' });
    expect(out['gamma:install']).toMatchObject({ ok: true, route: 'group', action: 'install' });
    expect(pipCalls()[0]).toBe('uninstall beta gamma');
  });
});
