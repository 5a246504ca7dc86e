/**
 * Issue 5: native, script and system packages built for real (gcc, make, patch, python, pip; no
 * network) in a temporary Nx workspace holding the native fixture tree (tools/fixtures/native).
 * The tests run in order and share one tree: they read as one session of a user.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, REPO_ROOT, removeWorkspace, runNx, type NxRun } from './support/workspace';

const FIXTURES = join(REPO_ROOT, 'tools/fixtures/native/build-fixtures.js');
const LOCAL = 'local';
const VENV = 'local/var/lib/sage/venv-python' + execFileSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();

// Output without colours (Nx colours task names even without a TTY in CI mode).
const out = (run: NxRun) => `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
const sha256 = (file: string) => execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];

describe('native packages (issue 5)', () => {
  let ws: string;
  let sqliteVersion: string;
  const at = (...p: string[]) => join(ws, ...p);
  const stamps = (tree = LOCAL) => readdirSync(at(tree, 'var/lib/sage/installed')).sort();
  const stamp = (name: string, tree = LOCAL) => JSON.parse(readFileSync(at(tree, 'var/lib/sage/installed', name), 'utf8'));
  const venvPython = () => at(VENV, 'bin/python3');
  const sqlpy = () =>
    spawnSync(venvPython(), ['-c', 'import sqlpy; print(sqlpy.sqlite_version()); print(sqlpy.greeting())'], { encoding: 'utf8' });
  /** Every file of every stamp in the tree, with its content hash: "the tree" for intactness checks. */
  const treeState = () => {
    const state: Record<string, string> = {};
    for (const tree of [LOCAL, VENV]) {
      for (const name of stamps(tree)) {
        state[`${tree}:${name}`] = JSON.stringify(stamp(name, tree).files);
        for (const f of stamp(name, tree).files as string[]) {
          const file = at(tree, f);
          state[file] = lstatSync(file).isSymbolicLink() ? 'link' : sha256(file);
        }
      }
    }
    return state;
  };

  beforeAll(() => {
    ws = createWorkspace({ pluginOptions: { system: ['sysprovided'], check: ['sqlhello'] } });
    const info = JSON.parse(execFileSync('node', [FIXTURES, '--out', ws], { encoding: 'utf8' }).trim().split('\n').pop()!);
    sqliteVersion = info.sqliteVersion;
  });
  afterAll(() => removeWorkspace(ws));

  it('builds a real autotools tarball, a library linking against it and a Python package using both in one run-many at parallelism 4', () => {
    const started = Date.now();
    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=4', '--output-style=stream']);
    const seconds = (Date.now() - started) / 1000;
    console.log(`first install of the native fixture tree: ${seconds.toFixed(1)} s`);
    expect(run.status).toBe(0);
    const text = out(run);
    // Sage-style prefixed lines, the patch, and sqlhello's configure finding sqlite in SAGE_LOCAL.
    expect(text).toMatch(new RegExp(`\\[sqlite-${sqliteVersion}\\] nx-sage: applying patches/0001-mark-patched.patch`));
    expect(text).toMatch(/\[sqlhello-1\.0\] checking for sqlite3_open in -lsqlite3\.\.\. yes/);
    // In the run, satisfied without building or a process of their own (nx:noop), never stamped.
    expect(text).toMatch(/^\s*- libsys$/m);
    expect(text).toMatch(/^\s*- sysprovided$/m);
    expect(text).not.toMatch(/nx run (libsys|sysprovided):build/);
    expect(existsSync(join(ws, 'logs/pkgs/sysprovided-none.log'))).toBe(false);
    expect(stamps()).toEqual(expect.arrayContaining([`sqlite-${sqliteVersion}`, 'sqlhello-1.0', 'hello_script-none', 'watcher-1.0']));
    expect(stamps(VENV)).toEqual(expect.arrayContaining(['sqlpy-1.0', 'pip-23.0.1', 'setuptools-66.1.1', 'wheel-0.38.4']));
    // The stamp is Sage's JSON (its uninstaller can read it) plus our field.
    const s = stamp(`sqlite-${sqliteVersion}`);
    expect(Object.keys(s)).toEqual(['package_name', 'package_version', 'install_date', 'system_uname', 'sage_version', 'test_result', 'files', 'nx_sage']);
    expect(s.files).toEqual(expect.arrayContaining(['include/sqlite3.h', 'bin/sqlite3', 'lib/pkgconfig/sqlite3.pc']));
    expect(s.files.some((f: string) => f.endsWith('.la') || f.startsWith('lib64'))).toBe(false);
    // sqlhello's program is linked against SAGE_LOCAL's libsqlite3 (rpath), the bindings load both.
    expect(execFileSync(at(LOCAL, 'bin/sqlhello'), { encoding: 'utf8' })).toMatch(/^sqlhello 1\.0 using sqlite 3\.\d+\.\d+/);
    expect(execFileSync('ldd', [at(LOCAL, 'bin/sqlhello')], { encoding: 'utf8' })).toContain(at(LOCAL, 'lib/libsqlite3.so'));
    const py = sqlpy();
    expect(py.stderr).toBe('');
    expect(py.stdout).toMatch(/^3\.\d+\.\d+\nsqlhello 1\.0 using sqlite 3\.\d+\.\d+\n$/);
    expect(readFileSync(join(ws, 'logs/pkgs', `sqlite-${sqliteVersion}.log`), 'utf8')).toMatch(/nx-sage: running spkg-install/);
    expect(readFileSync(at(LOCAL, 'share/hello_script/hello-script.txt'), 'utf8')).toMatch(/hello from a script package/);
  });

  it('a second run-many builds nothing and installs nothing', () => {
    const before = treeState();
    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=4', '--output-style=stream']);
    expect(run.status).toBe(0);
    expect(out(run)).toMatch(/\[sqlite-\d+\] nx-sage: nothing to do: \d+ is installed and up to date/);
    // Cached builds replay their old output, so look at Nx's task lines and at what install says.
    const builds = out(run).match(/^\s*> nx run \w+:build.*$/gm) ?? [];
    expect(builds.length).toBeGreaterThanOrEqual(7);
    for (const line of builds) expect(line).toMatch(/\[local cache\]/);
    // What ran now (not the replayed output of cached builds, which includes their prerequisite installs).
    const live = out(run)
      .split(/^(?=\s*> nx run )/m)
      .filter((section) => !/^\s*> nx run \S+.*\[(local|remote) cache\]/.test(section))
      .join('');
    expect(live).toMatch(/nothing to do/);
    expect(live).not.toMatch(/nx-sage: (install|reinstall): /);
    expect(treeState()).toEqual(before);
  });

  it('runs spkg-check as its own target (checks enabled for sqlhello) and records the result in the stamp', () => {
    expect(stamp('sqlhello-1.0').test_result).toBe('');
    const run = runNx(ws, ['run', 'sqlhello:check', '--output-style=stream']);
    expect(run.status).toBe(0);
    expect(out(run)).toMatch(/\[sqlhello-1\.0\] sqlhello 1\.0 using sqlite/);
    expect(out(run)).toMatch(/passed the test suite of sqlhello-1\.0/);
    expect(stamp('sqlhello-1.0').test_result).toBe('passed');
  });

  it('a version bump of the library rebuilds it and its normal dependents; a concurrent reader never sees its files missing', () => {
    execFileSync('node', [FIXTURES, 'bump', ws, 'sqlite', 'watcher']);
    const watched = ['lib/libsqlite3.so', 'include/sqlite3.h', 'bin/sqlite3', 'lib/libsqlhello.so'].map((f) => at(LOCAL, f));
    // An unlocked reader polling every 2 ms, plus the watcher package whose build checks the files.
    const poller = spawn(
      'node',
      ['-e', `const fs=require('fs');const f=${JSON.stringify(watched)};let n=0,m=[];setInterval(()=>{for(const x of f){n++;if(!fs.existsSync(x))m.push(x)}},2);process.on('SIGTERM',()=>{console.log(JSON.stringify({n,m}));process.exit(0)})`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let polled = '';
    poller.stdout!.on('data', (d) => (polled += d));
    const oldSqlpyHash = stamp('sqlpy-1.0', VENV).nx_sage.artifact_hash;
    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=4', '--output-style=stream'], { WATCHER_SECONDS: '15' });
    poller.kill('SIGTERM');
    // 'close', not 'exit': 'exit' can come before the poller's last stdout chunk has been read.
    return new Promise<void>((resolve) => poller.on('close', () => resolve())).then(() => {
      expect(run.status).toBe(0);
      const text = out(run);
      for (const rebuilt of ['sqlite', 'sqlhello', 'sqlpy', 'watcher']) expect(text).toMatch(new RegExp(`^\\s*> nx run ${rebuilt}:build *$`, 'm'));
      expect(text).toMatch(/^\s*> nx run setuptools:build +\[local cache\]$/m);
      expect(stamps()).toContain(`sqlite-${sqliteVersion}.p0`);
      expect(stamps()).not.toContain(`sqlite-${sqliteVersion}`);
      expect(stamp('sqlpy-1.0', VENV).nx_sage.artifact_hash).not.toBe(oldSqlpyHash);
      const result = JSON.parse(polled.trim());
      console.log(`unlocked poller: ${result.n} existence checks during the bump, ${result.m.length} misses`);
      expect(result.m).toEqual([]);
      expect(result.n).toBeGreaterThan(1000);
      expect(readFileSync(join(ws, 'logs/pkgs/watcher-1.0.p0.log'), 'utf8')).toMatch(/watcher: 3 sqlite files present in all \d+ samples/);
      expect(sqlpy().stdout).toMatch(/sqlhello 1\.0 using sqlite/);
    });
  }, 900_000);

  it('uninstall leaves no file of the package behind, and reinstall after uninstall works', () => {
    const sqlhelloFiles = stamp('sqlhello-1.0').files as string[];
    const sqlpyFiles = stamp('sqlpy-1.0', VENV).files as string[];
    for (const project of ['sqlpy', 'sqlhello']) expect(runNx(ws, ['run', `${project}:uninstall`]).status).toBe(0);
    for (const f of sqlhelloFiles) expect(existsSync(at(LOCAL, f))).toBe(false);
    for (const f of sqlpyFiles) expect(existsSync(at(VENV, f))).toBe(false);
    expect(stamps()).not.toContain('sqlhello-1.0');
    expect(stamps(VENV)).not.toContain('sqlpy-1.0');
    expect(existsSync(at(LOCAL, 'var/lib/sage/scripts/sqlhello'))).toBe(false);
    expect(sqlpy().status).not.toBe(0); // the pip-installed distribution is gone too
    // Uninstalling what is not installed is fine.
    const again = runNx(ws, ['run', 'sqlhello:uninstall', '--output-style=stream']);
    expect(again.status).toBe(0);
    expect(out(again)).toMatch(/sqlhello is not installed/);

    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=4', '--output-style=stream']);
    expect(run.status).toBe(0);
    expect(stamps()).toContain('sqlhello-1.0');
    expect(sqlpy().stdout).toMatch(/sqlhello 1\.0 using sqlite/);
  });

  it('reinstalls a Python package whose venv was deleted', () => {
    rmSync(at(VENV), { recursive: true, force: true });
    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=4', '--output-style=stream']);
    expect(run.status).toBe(0);
    expect(out(run)).toMatch(/\[sqlpy-1\.0\] nx-sage: install: not installed/);
    expect(sqlpy().stdout).toMatch(/sqlhello 1\.0 using sqlite/);
  });

  describe('failures leave the installed tree intact and say package, phase and log', () => {
    const pkgDir = () => at('build/pkgs/sqlhello');
    let saved: Record<string, string>;
    beforeEach(() => {
      saved = {};
      for (const f of ['package-version.txt', 'checksums.ini', 'spkg-install.in']) saved[f] = readFileSync(join(pkgDir(), f), 'utf8');
      copyFileSync(at('upstream/sqlhello-1.0.tar.gz'), at('upstream/sqlhello-1.0.tar.gz.orig'));
      // A new version, so that a successful build would replace the installed 1.0.
      writeFileSync(join(pkgDir(), 'package-version.txt'), '1.0.p9\n');
    });
    afterEach(() => {
      for (const [f, text] of Object.entries(saved)) writeFileSync(join(pkgDir(), f), text);
      rmSync(join(pkgDir(), 'patches'), { recursive: true, force: true });
      copyFileSync(at('upstream/sqlhello-1.0.tar.gz.orig'), at('upstream/sqlhello-1.0.tar.gz'));
    });
    const expectIntact = (before: Record<string, string>) => {
      expect(treeState()).toEqual(before);
      expect(stamps()).toContain('sqlhello-1.0');
      expect(execFileSync(at(LOCAL, 'bin/sqlhello'), { encoding: 'utf8' })).toMatch(/^sqlhello 1\.0/);
    };
    const installFails = (pattern: RegExp) => {
      const run = runNx(ws, ['run', 'sqlhello:install', '--output-style=stream']);
      expect(run.status).not.toBe(0);
      expect(out(run)).toMatch(/'sqlhello' failed/);
      expect(out(run)).toMatch(pattern);
      return out(run);
    };

    it('path traversal in the archive: refused before anything is extracted', () => {
      const before = treeState();
      execFileSync('python3', ['-c', [
        'import io, tarfile, sys',
        't = tarfile.open(sys.argv[1], "w:gz")',
        'def add(name, data=b"x", kind=tarfile.REGTYPE, link=""):',
        '    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = len(data) if kind == tarfile.REGTYPE else 0',
        '    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)',
        'add("sqlhello-1.0/configure", b"#!/bin/sh\\nexit 0\\n")',
        'add("sqlhello-1.0/../../../../escaped-by-nx-sage-test.txt")',
        'add("sqlhello-1.0/link", kind=tarfile.SYMTYPE, link="/etc")',
        't.close()',
      ].join('\n'), at('upstream/sqlhello-1.0.tar.gz')]);
      const sha = sha256(at('upstream/sqlhello-1.0.tar.gz'));
      writeFileSync(join(pkgDir(), 'checksums.ini'), `tarball=sqlhello-VERSION.tar.gz\nsha256=${sha}\n`);
      const text = installFails(/phase extract: refusing to extract .*sqlhello-1\.0\.tar\.gz: 2 entries escape the build directory/);
      expect(text).toMatch(/'\.\.' in the path/);
      expect(text).toMatch(/symlink pointing outside the archive \(-> \/etc\)/);
      expect(text).toMatch(/log: +.*logs\/pkgs\/sqlhello-1\.0\.p9\.log/);
      expect(existsSync(at('local/var/tmp/sage/build/sqlhello-1.0.p9/src'))).toBe(false);
      expect(readdirSync(ws).filter((f) => f.includes('escaped'))).toEqual([]);
      expect(existsSync(join(ws, '..', 'escaped-by-nx-sage-test.txt'))).toBe(false);
      expectIntact(before);
    });

    it('checksum mismatch', () => {
      const before = treeState();
      writeFileSync(join(pkgDir(), 'checksums.ini'), saved['checksums.ini'].replace(/sha256=[0-9a-f]+/, `sha256=${'0'.repeat(64)}`));
      installFails(/checksum mismatch: sha256 expected 0{64}, got [0-9a-f]{64}/);
      expectIntact(before);
    });

    it('failing configure', () => {
      const before = treeState();
      writeFileSync(join(pkgDir(), 'spkg-install.in'), `export CC=/bin/false\n${saved['spkg-install.in']}`);
      const text = installFails(/package 'sqlhello', phase spkg-install: spkg-install failed with exit code 1/);
      expect(text).toMatch(/configure: error: cannot link against -lsqlite3/);
      expect(text).toMatch(/Error configuring sqlhello-1\.0\.p9/);
      expect(text).toMatch(/log: +.*logs\/pkgs\/sqlhello-1\.0\.p9\.log/);
      expectIntact(before);
    });

    it('failing patch', () => {
      const before = treeState();
      execFileSync('mkdir', ['-p', join(pkgDir(), 'patches')]);
      writeFileSync(join(pkgDir(), 'patches/0001-broken.patch'), '--- a/sqlhello.c\n+++ b/sqlhello.c\n@@ -1,3 +1,3 @@\n-#include <no-such-line.h>\n+#include <other.h>\n context that is not there\n more missing context\n');
      installFails(/phase patch: patches\/0001-broken\.patch does not apply \(patch -p1 exit code 1\)/);
      expectIntact(before);
    });
  });
});
