import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdditiveFacts, chooseInstallMode, countPresentDistributions, countPresentFiles, installOrder } from './install-mode';

describe('chooseInstallMode', () => {
  const first: AdditiveFacts = { action: 'install', stamped: false, presentFiles: 0, presentDistributions: 0, hasInstallHooks: false };

  it('is additive only for a first install that adds files nobody has', () => {
    expect(chooseInstallMode(first).mode).toBe('additive');
  });

  it.each<[string, Partial<AdditiveFacts>]>([
    ['a reinstall (the seed race: the package disappears under running builds)', { action: 'reinstall', stamped: true }],
    ['a stamp of any version', { stamped: true }],
    ['one of its files already in the tree (it would be replaced)', { presentFiles: 1 }],
    ['its Python distribution already in the venv (pip would replace it)', { presentDistributions: 1 }],
    ['a pre/post-install script (may change anything)', { hasInstallHooks: true }],
  ])('is exclusive for %s', (_why, change) => {
    const choice = chooseInstallMode({ ...first, ...change });
    expect(choice.mode).toBe('exclusive');
    expect(choice.why).not.toBe('');
  });
});

describe('installOrder', () => {
  it('puts what other programs look a package up by last, keeping the rest in order', () => {
    const files = [
      'lib/python3.12/site-packages/foo-1.0.dist-info/METADATA',
      'lib/libfoo.so',
      'lib/pkgconfig/foo.pc',
      'include/foo.h',
      'var/lib/sage/scripts/foo/spkg-piprm',
      'lib/python3.12/site-packages/foo/__init__.py',
      'lib/libfoo.la',
    ];
    expect(installOrder(files)).toEqual([
      'lib/libfoo.so',
      'include/foo.h',
      'lib/python3.12/site-packages/foo/__init__.py',
      'lib/python3.12/site-packages/foo-1.0.dist-info/METADATA',
      'lib/pkgconfig/foo.pc',
      'var/lib/sage/scripts/foo/spkg-piprm',
      'lib/libfoo.la',
    ]);
    expect(installOrder([])).toEqual([]);
  });
});

describe('what is already in the tree', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nxsage-install-mode-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('counts the files of a manifest present in the tree (leading slashes as in stamps)', () => {
    mkdirSync(join(root, 'lib'));
    writeFileSync(join(root, 'lib/libfoo.so'), '');
    expect(countPresentFiles(root, ['lib/libfoo.so', '/lib/libfoo.so', 'include/foo.h'])).toBe(2);
    expect(countPresentFiles(join(root, 'missing'), ['lib/libfoo.so'])).toBe(0);
  });

  it('counts distributions with a dist-info of any version, names normalised', () => {
    const site = join(root, 'venv/lib/python3.12/site-packages');
    mkdirSync(join(site, 'Foo_Bar-2.0.dist-info'), { recursive: true });
    mkdirSync(join(site, 'baz-1.0.egg-info'), { recursive: true });
    expect(countPresentDistributions(join(root, 'venv'), ['foo-bar', 'baz', 'qux'])).toBe(2);
    expect(countPresentDistributions(join(root, 'no-venv'), ['foo-bar'])).toBe(0);
    expect(countPresentDistributions(join(root, 'venv'), [])).toBe(0);
  });
});
