import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree, spkgFiles } from '../testing/temp-tree';
import { readSpkg } from './package';
import { readSageTree } from './tree';

const SHA256 = 'c'.repeat(64);

describe('readSpkg', () => {
  let root: string;
  afterEach(() => removeTree(root));

  it('reads a wheel package the way sage_bootstrap does', () => {
    root = makeTempTree({
      ...spkgFiles('pyparsing', {
        type: 'standard',
        'package-version.txt': '3.3.2\n',
        'checksums.ini': `tarball=pyparsing-VERSION-py3-none-any.whl\nsha256=${SHA256}\n`,
        dependencies: ' | pip $(PYTHON)\n\n----------\nAll lines of this file are ignored except the first.\n',
        'version_requirements.txt': 'pyparsing >=3.0\n',
      }),
    });
    const spkg = readSpkg(join(root, 'build/pkgs'), 'pyparsing');
    expect(spkg).toMatchObject({
      name: 'pyparsing',
      type: 'standard',
      source: 'wheel',
      trees: 'SAGE_VENV',
      version: '3.3.2',
      versionWithPatchlevel: '3.3.2',
      dependencies: '| pip $(PYTHON)',
      distributionName: 'pyparsing',
    });
    expect(spkg.tarballs[0].filename).toBe('pyparsing-3.3.2-py3-none-any.whl');
  });

  it.each([
    [{ 'requirements.txt': 'foo\n', 'checksums.ini': `tarball=f-VERSION.tar.gz\nsha256=${SHA256}` }, 'pip', 'SAGE_VENV'],
    [{ 'checksums.ini': `tarball=f-VERSION.tar.gz\nsha256=${SHA256}`, 'spkg-install.in': 'x' }, 'normal', 'SAGE_LOCAL'],
    [{ 'spkg-install.in': 'sdh_pip_install .', 'trees.txt': 'SAGE_DOCS # docs' }, 'script', 'SAGE_DOCS'],
    [{ 'spkg-install': '#!/bin/sh' }, 'script', 'SAGE_LOCAL'],
    [{}, 'none', 'SAGE_LOCAL'],
  ])('detects source and tree in Sage order (%j)', (files, source, trees) => {
    root = makeTempTree(spkgFiles('foo', { type: 'optional', 'package-version.txt': '1.0.p3', ...files }));
    const spkg = readSpkg(join(root, 'build/pkgs'), 'foo');
    expect([spkg.source, spkg.trees, spkg.patchlevel]).toEqual([source, trees, 3]);
  });

  it('follows real and textual symlinks for package-version.txt', () => {
    root = makeTempTree({
      'VERSION.txt': '10.10.beta4\n',
      ...spkgFiles('gcc', { type: 'optional', 'package-version.txt': '14.2.0' }),
      ...spkgFiles('gfortran', { type: 'optional', 'package-version.txt': '../gcc/package-version.txt' }),
      ...spkgFiles('sagelib', { type: 'standard' }),
    });
    symlinkSync('../../../VERSION.txt', join(root, 'build/pkgs/sagelib/package-version.txt'));
    const tree = readSageTree(root);
    expect(tree.errors).toEqual([]);
    expect(tree.packages.map((p) => [p.name, p.version])).toEqual([
      ['gcc', '14.2.0'],
      ['gfortran', '14.2.0'],
      ['sagelib', '10.10.beta4'],
    ]);
  });

  it('lists only directories that have a type file', () => {
    root = makeTempTree({ ...spkgFiles('gmp', { type: 'standard' }), 'build/pkgs/_python3.12/distros/debian.txt': 'python3' });
    expect(readSageTree(root).packages.map((p) => p.name)).toEqual(['gmp']);
  });

  it.each([
    ['an empty type file', { type: '  \n' }, 'EBADTYPE', 'the type file is empty'],
    ['an unknown type', { type: 'fancy' }, 'EBADTYPE', "unknown package type 'fancy'"],
  ])('reports %s with package and file', (_what, files, code, message) => {
    root = makeTempTree(spkgFiles('foo', files));
    const [error] = readSageTree(root).errors;
    expect(error).toMatchObject({ code, pkg: 'foo', file: join(root, 'build/pkgs/foo/type') });
    expect(error.message).toContain(message);
  });

  it('reports an unreadable type file', () => {
    root = makeTempTree(spkgFiles('foo', { 'package-version.txt': '1' }));
    // A directory where the file should be: unreadable even for root (chmod does not stop root).
    mkdirSync(join(root, 'build/pkgs/foo/type'));
    const [error] = readSageTree(root).errors;
    expect(error).toMatchObject({ code: 'EUNREADABLE', pkg: 'foo' });
    expect(error.message).toContain('cannot read the type file');
  });

  it.each([['PyFoo'], ['py-foo']])('rejects the package name %s', (name) => {
    root = makeTempTree(spkgFiles(name, { type: 'optional' }));
    const [error] = readSageTree(root).errors;
    expect(error).toMatchObject({ code: 'EBADNAME', pkg: name });
  });
});
