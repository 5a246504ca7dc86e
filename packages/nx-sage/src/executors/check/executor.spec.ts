import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { makeTempTree, removeTree } from '../../testing/temp-tree';
import type { SageLayout } from '../../tree/paths';
import type { ExecutorScope } from '../common/run-executor';
import { formatStamp, type SageStamp } from '../../swap/stamp';

/*
 * Issue 13: the check target records test_result in the stamp INSIDE an exclusive section, and only
 * in the stamp of the install it tested: an uninstall or a newer install while the tests ran wins.
 */
const lockModes: string[] = [];
let current: string | undefined;
let duringTests: () => void = () => undefined;

jest.mock('../../stage/scripts', () => ({
  runScript: jest.fn(async () => {
    duringTests();
    return 0;
  }),
}));
jest.mock('../../swap/stamp', () => {
  const actual = jest.requireActual('../../swap/stamp');
  return {
    ...actual,
    recordTestResult: jest.fn((...args: unknown[]) => {
      const updated = actual.recordTestResult(...args);
      lockModes.push(`${current ?? 'no lock'}: ${updated ? 'updated' : 'left alone'}`);
      return updated;
    }),
  };
});
let scope: ExecutorScope;
jest.mock('../common/run-executor', () => ({
  runPackageExecutor: async (_verb: string, _o: unknown, _c: unknown, body: (s: ExecutorScope) => Promise<void>) => {
    await body(scope);
    return { success: true };
  },
}));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const checkExecutor = require('./executor').default as (o: unknown, c: ExecutorContext) => Promise<{ success: boolean }>;

const stamp = (date: string): SageStamp => ({
  package_name: 'foo', package_version: '1.0', install_date: date, system_uname: '', sage_version: '', test_result: '', files: [],
});

describe('check executor: the stamp changes only inside an exclusive section', () => {
  let root: string;
  let stampFile: string;
  beforeEach(() => {
    lockModes.length = 0;
    duringTests = () => undefined;
    root = makeTempTree({ 'build/pkgs/foo/type': 'standard\n', 'build/pkgs/foo/package-version.txt': '1.0\n', 'build/pkgs/foo/spkg-check.in': 'true\n' });
    const local = join(root, 'local');
    const layout: SageLayout = { workspaceRoot: root, sageRoot: root, pkgsDir: join(root, 'build/pkgs'), sageLocal: local, sageVenv: join(local, 'venv'), distfiles: '', python: 'python3', jobs: 1 };
    mkdirSync(join(local, 'var/lib/sage/scripts/foo'), { recursive: true });
    writeFileSync(join(local, 'var/lib/sage/scripts/foo/spkg-check'), '#!/bin/sh\ntrue\n');
    mkdirSync(join(local, 'var/lib/sage/installed'), { recursive: true });
    stampFile = join(local, 'var/lib/sage/installed/foo-1.0');
    writeFileSync(stampFile, formatStamp(stamp('first install')));
    scope = {
      layout,
      spkg: { name: 'foo', versionWithPatchlevel: '1.0', trees: 'SAGE_LOCAL', dir: join(root, 'build/pkgs/foo'), files: ['spkg-check.in'] },
      artifactsDir: '',
      logger: { info: () => undefined, line: () => undefined, close: () => undefined, logFile: '/dev/null', prefix: '' },
      withLock: async (mode: string, _d: string, fn: (s: AbortSignal) => Promise<unknown>) => {
        current = mode;
        try {
          return await fn(new AbortController().signal);
        } finally {
          current = undefined;
        }
      },
      options: { package: 'foo', sageRoot: '.', artifactsDir: '' },
    } as unknown as ExecutorScope;
  });
  afterEach(() => removeTree(root));

  const run = () => checkExecutor({ package: 'foo', sageRoot: '.', artifactsDir: '' }, {} as ExecutorContext);
  const testResult = () => JSON.parse(readFileSync(stampFile, 'utf8')).test_result;

  it('records the result in the tested install\'s stamp, under the exclusive lock', async () => {
    await run();
    expect(testResult()).toBe('passed');
    expect(lockModes).toEqual(['exclusive: updated']);
  });

  it('does not resurrect the stamp of a package uninstalled while its tests ran', async () => {
    duringTests = () => rmSync(stampFile);
    await run();
    expect(existsSync(stampFile)).toBe(false);
    expect(lockModes).toEqual(['exclusive: left alone']);
  });

  it('does not overwrite the stamp of a newer install made while the tests ran', async () => {
    duringTests = () => writeFileSync(stampFile, formatStamp(stamp('newer install')));
    await run();
    expect(testResult()).toBe('');
    expect(JSON.parse(readFileSync(stampFile, 'utf8')).install_date).toBe('newer install');
    expect(lockModes).toEqual(['exclusive: left alone']);
  });
});
