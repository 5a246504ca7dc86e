import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStub } from '../executors/common/stub';
import { normalizeLockOptions } from '../lock/options';
import { makeTempTree, removeTree, spkgFiles, writeTree } from '../testing/temp-tree';
import { inferGraph } from '../testing/infer';
import { findRealStamp, refuseOnRealTree, TEST_SWITCHES, TEST_TREE_MARKER } from './test-switches';

/*
 * Issue 13: the test switches (NX_SAGE_STUB_BUILDS, NX_SAGE_LOCK_DISABLED, NX_SAGE_EMULATE_SAGE_ORDER)
 * cannot reach a user's tree or cache: refused on a tree with real stamps, part of every build hash,
 * loud.
 */
const REAL_STAMP = JSON.stringify({ package_name: 'gmp', package_version: '6.3.0', files: ['lib/libgmp.so'], nx_sage: { artifact_hash: 'abc' } });
const STUB_STAMP = JSON.stringify({ package_name: 'gmp', package_version: '6.3.0', files: [], nx_sage: { artifact_hash: 'abc', stub: true } });

describe('test switches', () => {
  let ws: string;
  const local = () => join(ws, 'sage/local');
  beforeEach(() => {
    ws = makeTempTree(Object.fromEntries(Object.entries(spkgFiles('gmp', { 'package-version.txt': '6.3.0\n', type: 'standard\n' })).map(([k, v]) => [`sage/${k}`, v])));
  });
  afterEach(() => removeTree(ws));

  it('a tree is "real" when it holds a stamp that the stub did not write (SAGE_LOCAL or a venv in it)', () => {
    expect(findRealStamp(local())).toBeUndefined();
    writeTree(local(), { 'var/lib/sage/installed/gmp-6.3.0': STUB_STAMP, 'var/lib/sage/venv-python3.11/var/lib/sage/installed/python3_venv-3.11-x': '{}' });
    expect(findRealStamp(local())).toBeUndefined();
    writeTree(local(), { 'var/lib/sage/venv-python3.11/var/lib/sage/installed/pip-23.0': REAL_STAMP });
    expect(findRealStamp(local())).toContain('pip-23.0');
    expect(() => refuseOnRealTree('NX_SAGE_EMULATE_SAGE_ORDER', local())).toThrow(/refusing test switch NX_SAGE_EMULATE_SAGE_ORDER .* real installs/);
    writeTree(local(), { [TEST_TREE_MARKER]: '' });
    expect(() => refuseOnRealTree('NX_SAGE_EMULATE_SAGE_ORDER', local())).not.toThrow();
  });

  it('a stub install on a tree with real stamps fails and deletes nothing', async () => {
    writeTree(local(), { 'var/lib/sage/installed/gmp-6.2.0': REAL_STAMP });
    const env = { NX_SAGE_STUB_BUILDS: join(ws, 'stub') };
    const options = { package: 'gmp', sageRoot: 'sage', sageLocal: 'local', artifactsDir: 'sage/local/var/lib/sage/nx-artifacts/gmp' };
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      for (const kind of ['build', 'install', 'uninstall'] as const) expect(await runStub(kind, options, ws, env)).toEqual({ success: false });
    } finally {
      errors.mockRestore();
    }
    expect(readFileSync(join(local(), 'var/lib/sage/installed/gmp-6.2.0'), 'utf8')).toBe(REAL_STAMP);
    expect(existsSync(join(ws, 'stub/runs.log'))).toBe(false);
  });

  it('NX_SAGE_LOCK_DISABLED is refused on a tree with real stamps, allowed on a scratch tree, and loud', () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const scratch = mkdtempSync(join(tmpdir(), 'nx-sage-scratch-'));
      expect(normalizeLockOptions(scratch, 'exclusive', {}, { NX_SAGE_LOCK_DISABLED: '1' }).disabled).toBe(true);
      writeTree(local(), { 'var/lib/sage/installed/gmp-6.3.0': REAL_STAMP });
      expect(() => normalizeLockOptions(local(), 'exclusive', {}, { NX_SAGE_LOCK_DISABLED: '1' })).toThrow(/refusing test switch NX_SAGE_LOCK_DISABLED/);
      expect(normalizeLockOptions(local(), 'exclusive', {}, {}).disabled).toBe(false);
      removeTree(scratch);
    } finally {
      stderr.mockRestore();
    }
    // Loud: announced once per process (it may have been announced by an earlier test in this file).
    expect(TEST_SWITCHES).toContain('NX_SAGE_LOCK_DISABLED');
  });

  it('every test switch is an input of every build (a stub artifact never matches a real build\'s hash)', async () => {
    writeFileSync(join(ws, 'sage/build/pkgs/gmp/checksums.ini'), 'tarball=gmp-VERSION.tar.xz\nsha256=0000000000000000000000000000000000000000000000000000000000000000\n');
    const { projects } = await inferGraph(join(ws, 'sage'), {}, join(ws, 'cache'));
    const inputs = projects.gmp.targets!.build.inputs as unknown[];
    for (const name of TEST_SWITCHES) expect(inputs).toContainEqual({ env: name });
  });
});
