import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readSpkg } from '../../spkg/package';
import { makeTempTree, removeTree, writeTree } from '../../testing/temp-tree';
import { GeneratorError } from '../errors';
import { spkgGenerator } from './generator';
import { suggestPackageName } from './lib/validate-name';
import type { SpkgGeneratorSchema } from './schema';

const TARBALL = Buffer.from('not really a tarball, but checksums do not care\n');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A Sage-like workspace without package.json: nx.json, and two existing packages. */
function createSageTree(): Tree {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  tree.delete('package.json');
  tree.delete('tsconfig.base.json');
  tree.write('nx.json', '{}\n');
  tree.write('build/pkgs/gmp/type', 'standard\n');
  tree.write('build/pkgs/mpfr/type', 'standard\n');
  return tree;
}

/** Copies what the generator wrote under build/pkgs to a real directory, so readSpkg can read it. */
function writeToDisk(tree: Tree, dir: string): void {
  const files: Record<string, string> = {};
  for (const change of tree.listChanges()) {
    if (change.type !== 'DELETE' && change.path.startsWith('build/pkgs/')) files[change.path] = change.content!.toString();
  }
  writeTree(dir, files);
}

function expectGeneratorError(run: () => Promise<unknown>, code: string, message: RegExp) {
  return expect(run()).rejects.toEqual(expect.objectContaining({ name: 'GeneratorError', code, message: expect.stringMatching(message) }));
}

describe('spkg generator', () => {
  let tree: Tree;
  let upstreamDir: string;
  beforeEach(() => {
    tree = createSageTree();
    upstreamDir = makeTempTree({});
    for (const file of ['foo_bar-1.2.3.tar.gz', 'foo_bar-1.2.3-py3-none-any.whl', 'foo_bar-1.2.3-cp312-cp312-linux_x86_64.whl']) {
      writeFileSync(join(upstreamDir, file), TARBALL);
    }
  });
  afterEach(() => removeTree(upstreamDir));
  const upstream = (file: string) => join(upstreamDir, file);
  const read = (file: string) => tree.read(`build/pkgs/foo_bar/${file}`, 'utf-8');

  it('creates an autotools package from an upstream tarball, with the version written back as VERSION', async () => {
    await spkgGenerator(tree, {
      name: 'foo_bar',
      upstreamFile: upstream('foo_bar-1.2.3.tar.gz'),
      upstreamUrl: 'https://example.org/releases/1.2.3/foo_bar-1.2.3.tar.gz',
      dependencies: 'gmp, mpfr',
      description: 'foo_bar is a library for fast foo.',
    });
    expect(tree.children('build/pkgs/foo_bar').sort()).toEqual(['SPKG.rst', 'checksums.ini', 'dependencies', 'package-version.txt', 'spkg-install.in', 'type']);
    expect(read('type')).toBe('optional\n');
    expect(read('package-version.txt')).toBe('1.2.3\n');
    expect(read('checksums.ini')).toBe(
      [
        'tarball=foo_bar-VERSION.tar.gz',
        `sha1=${createHash('sha1').update(TARBALL).digest('hex')}`,
        `sha256=${sha256(TARBALL)}`,
        'upstream_url=https://example.org/releases/VERSION/foo_bar-VERSION.tar.gz',
        '',
      ].join('\n'),
    );
    expect(read('dependencies')).toBe('gmp mpfr\n\n----------\nAll lines of this file are ignored except the first.\n');
    expect(read('spkg-install.in')).toBe('cd src\nsdh_configure\nsdh_make\nsdh_make_install\n');
    expect(read('SPKG.rst')).toMatch(/^foo_bar: Library for fast foo\n={29}\n\nDescription\n-----------\n\nLibrary for fast foo\n/);
    // The tarball is put where the download target looks first.
    expect(tree.read('upstream/foo_bar-1.2.3.tar.gz')).toEqual(TARBALL);
  });

  it('puts the upstream copy in the plugin\'s distfiles directory, or nowhere with --copyToDistfiles=false', async () => {
    tree.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'nx-sage', options: { distfiles: 'dist/files' } }] }));
    await spkgGenerator(tree, { name: 'foo_bar', upstreamFile: upstream('foo_bar-1.2.3.tar.gz') });
    expect(tree.exists('dist/files/foo_bar-1.2.3.tar.gz')).toBe(true);
    await spkgGenerator(tree, { name: 'other', version: '1.2.3', upstreamFile: upstream('foo_bar-1.2.3.tar.gz'), copyToDistfiles: false });
    expect(tree.children('dist/files')).toEqual(['foo_bar-1.2.3.tar.gz']);
  });

  it('writes a Python sdist package (--pypi): pip install from src, version_requirements.txt, toolchain order-only deps', async () => {
    await spkgGenerator(tree, { name: 'foo_bar', pypi: true, distribution: 'Foo-Bar', upstreamFile: upstream('foo_bar-1.2.3.tar.gz'), dependencies: 'gmp' });
    expect(read('spkg-install.in')).toBe('cd src\nsdh_pip_install .\n');
    expect(read('version_requirements.txt')).toBe('Foo-Bar\n');
    expect(read('dependencies')!.split('\n')[0]).toBe('gmp | $(PYTHON_TOOLCHAIN) $(PYTHON)');
  });

  it('writes a wheel package without spkg-install.in (sage-spkg generates it)', async () => {
    await spkgGenerator(tree, { name: 'foo_bar', upstreamFile: upstream('foo_bar-1.2.3-py3-none-any.whl') });
    expect(tree.children('build/pkgs/foo_bar').sort()).toEqual(['SPKG.rst', 'checksums.ini', 'dependencies', 'package-version.txt', 'type', 'version_requirements.txt']);
    expect(read('checksums.ini')).toMatch(/^tarball=foo_bar-VERSION-py3-none-any.whl\n/);
    expect(read('dependencies')!.split('\n')[0]).toBe('| pip $(PYTHON)');
  });

  it('writes a pip package: requirements.txt, no checksums.ini, no install script', async () => {
    await spkgGenerator(tree, { name: 'foo_bar', source: 'pip', version: '2.0' });
    expect(tree.children('build/pkgs/foo_bar').sort()).toEqual(['SPKG.rst', 'dependencies', 'package-version.txt', 'requirements.txt', 'type']);
    expect(read('requirements.txt')).toBe('foo_bar ==2.0\n');
  });

  it('writes a script package with a stub that fails until written, and a none package with only metadata', async () => {
    await spkgGenerator(tree, { name: 'foo_bar', source: 'script' });
    expect(read('spkg-install.in')).toMatch(/stub[\s\S]*exit 1\n$/);
    await spkgGenerator(tree, { name: 'only_system', type: 'experimental' });
    expect(tree.children('build/pkgs/only_system').sort()).toEqual(['SPKG.rst', 'type']);
    expect(tree.read('build/pkgs/only_system/type', 'utf-8')).toBe('experimental\n');
  });

  it.each<[string, SpkgGeneratorSchema, string, string, string, string | undefined]>([
    ['autotools', { name: 'foo_bar', upstreamFile: 'U/foo_bar-1.2.3.tar.gz' }, 'normal', 'SAGE_LOCAL', '1.2.3', undefined],
    ['python sdist', { name: 'foo_bar', pypi: true, upstreamFile: 'U/foo_bar-1.2.3.tar.gz', version: '1.2.3.p1' }, 'normal', 'SAGE_VENV', '1.2.3', 'foo_bar'],
    ['wheel', { name: 'foo_bar', upstreamFile: 'U/foo_bar-1.2.3-py3-none-any.whl' }, 'wheel', 'SAGE_VENV', '1.2.3', 'foo_bar'],
    ['pip', { name: 'foo_bar', source: 'pip', distribution: 'foo-bar' }, 'pip', 'SAGE_VENV', 'none', 'foo-bar'],
    ['script', { name: 'foo_bar', source: 'script', version: '0.1' }, 'script', 'SAGE_LOCAL', '0.1', undefined],
    ['none', { name: 'foo_bar' }, 'none', 'SAGE_LOCAL', 'none', undefined],
  ])('a %s package reads back with readSpkg with its source, tree and tarball', async (_kind, schema, source, trees, version, distribution) => {
    const root = makeTempTree({});
    try {
      const file = schema.upstreamFile?.replace('U/', `${upstreamDir}/`);
      await spkgGenerator(tree, { ...schema, ...(file ? { upstreamFile: file } : {}), dependencies: 'gmp' });
      writeToDisk(tree, root);
      const spkg = readSpkg(join(root, 'build/pkgs'), 'foo_bar');
      expect(spkg).toMatchObject({ name: 'foo_bar', type: 'optional', source, trees, version, distributionName: distribution });
      expect(spkg.dependencies.split('|')[0].trim()).toBe('gmp');
      if (file) {
        expect(spkg.tarballs).toHaveLength(1);
        expect(spkg.tarballs[0]).toMatchObject({ filename: file.split('/').pop(), sha256: sha256(TARBALL) });
      } else {
        expect(spkg.tarballs).toEqual([]);
      }
    } finally {
      removeTree(root);
    }
  });

  it.each([
    ['FooBar', 'foobar', /must be lower case/],
    ['foo-bar', 'foo_bar', /must not contain dashes/],
    ['foo.bar', 'foo_bar', /only contain a-z, 0-9 and "_"/],
    ['foo bar', 'foo_bar', /may only contain/],
    ['Py-Foo.Bar', 'py_foo_bar', /lower case/],
  ])('refuses the name %j and says to rename it to %j', async (name, suggestion, problem) => {
    await expectGeneratorError(() => spkgGenerator(tree, { name }), 'EBADNAME', problem);
    await expectGeneratorError(() => spkgGenerator(tree, { name }), 'EBADNAME', new RegExp(`rename it to '${suggestion}'`));
    expect(suggestPackageName(name)).toBe(suggestion);
    expect(tree.listChanges().filter((c) => c.path.startsWith('build/'))).toEqual([
      expect.objectContaining({ path: 'build/pkgs/gmp/type' }),
      expect.objectContaining({ path: 'build/pkgs/mpfr/type' }),
    ]);
  });

  it('refuses an empty name', async () => {
    await expectGeneratorError(() => spkgGenerator(tree, { name: '' }), 'EBADNAME', /invalid package name ''/);
  });

  it('never overwrites an existing package', async () => {
    await expectGeneratorError(() => spkgGenerator(tree, { name: 'gmp', source: 'script' }), 'EEXISTS', /build\/pkgs\/gmp already exists/);
    expect(tree.read('build/pkgs/gmp/type', 'utf-8')).toBe('standard\n');
    expect(tree.children('build/pkgs/gmp')).toEqual(['type']);
  });

  it.each<[string, SpkgGeneratorSchema, string, RegExp]>([
    ['an unknown dependency', { name: 'foo_bar', source: 'script', dependencies: 'gmp nosuch' }, 'EUNKNOWNDEP', /unknown dependency 'nosuch'/],
    ['two bars in the dependencies', { name: 'foo_bar', source: 'script', dependencies: 'gmp | mpfr | gmp' }, 'EBADOPTION', /more than one '\|'/],
    ['a normal package without upstream file', { name: 'foo_bar', source: 'normal' }, 'ENOUPSTREAM', /needs an upstream file/],
    ['a missing upstream file', { name: 'foo_bar', upstreamFile: '/nonexistent/foo-1.0.tar.gz' }, 'ENOUPSTREAM', /cannot read upstream file/],
    ['a version not in the file name', { name: 'foo_bar', upstreamFile: 'U/foo_bar-1.2.3.tar.gz', version: '9.9' }, 'EBADOPTION', /does not contain the version '9.9'/],
    ['a platform wheel', { name: 'foo_bar', upstreamFile: 'U/foo_bar-1.2.3-cp312-cp312-linux_x86_64.whl' }, 'EBADOPTION', /not a platform-independent wheel/],
    ['an upstream file for a pip package', { name: 'foo_bar', source: 'pip', upstreamFile: 'U/foo_bar-1.2.3.tar.gz' }, 'EBADOPTION', /a pip package has no upstream file/],
    ['an unknown type', { name: 'foo_bar', type: 'base' as never }, 'EBADOPTION', /--type=base is not one of standard, optional, experimental/],
    ['a missing Sage root', { name: 'foo_bar', sageRoot: 'sage' }, 'EBADOPTION', /no sage\/build\/pkgs/],
  ])('refuses %s, writing nothing', async (_what, schema, code, message) => {
    const before = tree.listChanges().length;
    const file = schema.upstreamFile?.replace('U/', `${upstreamDir}/`);
    await expectGeneratorError(() => spkgGenerator(tree, { ...schema, ...(file ? { upstreamFile: file } : {}) }), code, message);
    expect(tree.listChanges()).toHaveLength(before);
  });

  it('works under a --sageRoot and reads relative upstream files from the workspace root', async () => {
    tree.write('sage/build/pkgs/gmp/type', 'standard\n');
    const file = relative(tree.root, upstream('foo_bar-1.2.3.tar.gz'));
    await spkgGenerator(tree, { name: 'foo_bar', sageRoot: 'sage', upstreamFile: file, dependencies: 'gmp' });
    expect(tree.read('sage/build/pkgs/foo_bar/checksums.ini', 'utf-8')).toMatch(/^tarball=foo_bar-VERSION.tar.gz\n/);
    expect(tree.exists('sage/upstream/foo_bar-1.2.3.tar.gz')).toBe(true);
  });

  it('is a GeneratorError class callers can check', () => {
    expect(new GeneratorError('EBADNAME', 'x', 'y').message).toBe('x\n  → y');
  });
});
