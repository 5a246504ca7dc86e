import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '../process/run';
import type { PackageLogger } from '../tree/logger';
import { removeInstalled } from './remove-installed';
import { formatStamp } from './stamp';

jest.mock('../process/run', () => ({ run: jest.fn() }));
const runMock = run as jest.MockedFunction<typeof run>;

const logger = (): PackageLogger & { lines: string[] } => {
  const lines: string[] = [];
  return { logFile: '/log', prefix: '', lines, line: (l) => lines.push(l), info: (l) => lines.push(l), close: () => undefined };
};

describe('removeInstalled', () => {
  let tree: string;
  const stampDir = () => join(tree, 'var/lib/sage/installed');
  const scriptsDir = () => join(tree, 'var/lib/sage/scripts/foo');
  const touch = (rel: string) => {
    mkdirSync(dirname(join(tree, rel)), { recursive: true });
    writeFileSync(join(tree, rel), rel);
  };
  beforeEach(() => {
    tree = mkdtempSync(join(tmpdir(), 'nx-sage-rm-'));
    runMock.mockReset();
    runMock.mockResolvedValue({ exitCode: 0, output: '', failed: false, command: '', signal: undefined, timedOut: false, isCanceled: false });
    for (const f of ['lib/libfoo.so', 'include/foo/foo.h', 'lib/libbar.so']) touch(f);
    mkdirSync(stampDir(), { recursive: true });
    writeFileSync(join(stampDir(), 'foo-1.0'), formatStamp({
      package_name: 'foo', package_version: '1.0', install_date: '', system_uname: '', sage_version: '', test_result: '',
      files: ['lib/libfoo.so', '/include/foo/foo.h', 'share/missing.txt', '../outside'],
    }));
    writeFileSync(join(stampDir(), 'foobar-2.0'), '{}');
    mkdirSync(scriptsDir(), { recursive: true });
    writeFileSync(join(scriptsDir(), 'spkg-piprm'), 'echo');
  });
  afterEach(() => rmSync(tree, { recursive: true, force: true }));

  const input = (extra = {}) => ({ pkg: 'foo', tree, stampDir: stampDir(), pkgScriptsDir: scriptsDir(), logger: logger(), ...extra });

  it("removes exactly the manifest's files, emptied directories, scripts and stamps; runs piprm", async () => {
    const result = await removeInstalled(input());
    expect(result).toMatchObject({ removedVersion: '1.0', removedFiles: 3 });
    expect(existsSync(join(tree, 'lib/libfoo.so'))).toBe(false);
    expect(existsSync(join(tree, 'include'))).toBe(false);
    expect(existsSync(join(tree, 'lib/libbar.so'))).toBe(true);
    expect(existsSync(scriptsDir())).toBe(false);
    expect(readdirSync(stampDir())).toEqual(['foobar-2.0']);
    expect(runMock).toHaveBeenCalledTimes(1);
    expect(runMock.mock.calls[0][0]).toBe('bash');
    expect(runMock.mock.calls[0][1]).toEqual([join(scriptsDir(), 'spkg-piprm')]);
  });

  it('keeps the files of toolchain packages (Sage --keep-files) but drops the stamp', async () => {
    await removeInstalled(input({ keepFiles: true }));
    expect(existsSync(join(tree, 'lib/libfoo.so'))).toBe(true);
    expect(readdirSync(stampDir())).toEqual(['foobar-2.0']);
    expect(runMock).not.toHaveBeenCalled();
  });

  it('is a no-op when nothing is installed', async () => {
    rmSync(join(stampDir(), 'foo-1.0'));
    expect(await removeInstalled(input())).toMatchObject({ removedVersion: undefined, removedFiles: 0 });
    expect(existsSync(join(tree, 'lib/libfoo.so'))).toBe(true);
  });

  it('aborts without removing anything when prerm fails', async () => {
    writeFileSync(join(scriptsDir(), 'spkg-prerm'), 'exit 1');
    runMock.mockResolvedValueOnce({ exitCode: 1, output: '', failed: true, command: '', signal: undefined, timedOut: false, isCanceled: false });
    await expect(removeInstalled(input())).rejects.toMatchObject({ code: 'EUNINSTALL', phase: 'uninstall' });
    expect(existsSync(join(tree, 'lib/libfoo.so'))).toBe(true);
    expect(readdirSync(stampDir())).toContain('foo-1.0');
  });
});
