import type { Tree } from '@nx/devkit';
import { readJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { FsTree } from 'nx/src/devkit-internals';
import { makeTempTree, removeTree } from '../../testing/temp-tree';
import { initGenerator } from './generator';
import { addEnvSettings } from './lib/update-env-file';
import { addIgnoreEntries } from './lib/update-ignore-files';

/** A Sage checkout after `nx init`: nx.json, Sage's .gitignore, no package.json. */
function createSageCheckout(nxJson: object = {}): Tree {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  tree.delete('package.json');
  tree.delete('tsconfig.base.json');
  tree.write('nx.json', JSON.stringify(nxJson, null, 2) + '\n');
  tree.write('.gitignore', '## Sage\n/dist\n/local\n/logs\n/upstream\n/sagemath.egg-info\n');
  tree.write('build/pkgs/gmp/type', 'standard\n');
  return tree;
}

/** The tree's files as {path: content}, to compare whole states. */
function snapshot(tree: Tree): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = dir ? `${dir}/${child}` : child;
      if (tree.isFile(path)) files[path] = tree.read(path, 'utf-8')!;
      else walk(path);
    }
  };
  walk('');
  return files;
}

/** The tree's state written to a real directory, opened as a fresh FsTree: its listChanges() starts empty. */
function reopenOnDisk(tree: Tree, dirs: string[]): Tree {
  const dir = makeTempTree(snapshot(tree));
  dirs.push(dir);
  return new FsTree(dir, false);
}

describe('init generator', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeTree));

  it('registers the plugin with its defaults and sets parallel and namedInputs, keeping other plugins', async () => {
    const tree = createSageCheckout({ installation: { version: '24.0.6' }, plugins: ['@nx/js/typescript'] });
    await initGenerator(tree, {});
    const nxJson = readJson(tree, 'nx.json');
    expect(nxJson).toEqual({
      installation: { version: '24.0.6' },
      plugins: ['@nx/js/typescript', { plugin: 'nx-sage', options: { python: 'python3', sageLocal: 'local', distfiles: 'upstream' } }],
      parallel: 4,
      namedInputs: { sagePackage: ['{projectRoot}/**/*'] },
    });
    expect(tree.exists('package.json')).toBe(false);
  });

  it('keeps the user\'s own nx-sage entry and settings', async () => {
    const mine = { plugins: [{ plugin: 'nx-sage', options: { enable: ['latte_int'] } }], parallel: 12, namedInputs: { sagePackage: ['{projectRoot}/type'] } };
    const tree = createSageCheckout(mine);
    await initGenerator(tree, { parallel: 2 });
    expect(readJson(tree, 'nx.json')).toEqual(mine);
  });

  it('writes nx.json when there is none, and cacheDirectory only when asked', async () => {
    const tree = createSageCheckout();
    tree.delete('nx.json');
    await initGenerator(tree, { cacheDirectory: '/var/cache/nx-sage', parallel: 8 });
    expect(readJson(tree, 'nx.json')).toMatchObject({ parallel: 8, cacheDirectory: '/var/cache/nx-sage' });
  });

  it('adds only the ignore entries Sage\'s .gitignore lacks, and all of them to .nxignore', async () => {
    const tree = createSageCheckout();
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe(
      '## Sage\n/dist\n/local\n/logs\n/upstream\n/sagemath.egg-info\n\n# nx-sage: written by the Sage build and by Nx\n/.nx/cache/\n/.nx/workspace-data/\n',
    );
    expect(tree.read('.nxignore', 'utf-8')).toBe('# nx-sage: written by the Sage build and by Nx\n/local/\n/logs/\n/upstream/\n');
  });

  it('anchors the entries under --sageRoot', async () => {
    const tree = createSageCheckout();
    tree.write('.gitignore', '.nx\n');
    await initGenerator(tree, { sageRoot: 'sage' });
    expect(tree.read('.gitignore', 'utf-8')).toBe('.nx\n\n# nx-sage: written by the Sage build and by Nx\n/sage/local/\n/sage/logs/\n/sage/upstream/\n');
  });

  it('leaves ignore files alone with --skipIgnoreFiles', async () => {
    const tree = createSageCheckout();
    await initGenerator(tree, { skipIgnoreFiles: true });
    expect(tree.exists('.nxignore')).toBe(false);
    expect(tree.read('.gitignore', 'utf-8')).toBe('## Sage\n/dist\n/local\n/logs\n/upstream\n/sagemath.egg-info\n');
  });

  it('turns plugin isolation off in .env, keeps a value the user set, and leaves it with --keepPluginIsolation', async () => {
    const fresh = createSageCheckout();
    await initGenerator(fresh, {});
    expect(fresh.read('.env', 'utf-8')).toMatch(/^NX_ISOLATE_PLUGINS=false$/m);
    const chosen = createSageCheckout();
    chosen.write('.env', 'FOO=1\nNX_ISOLATE_PLUGINS=true\n');
    await initGenerator(chosen, {});
    expect(chosen.read('.env', 'utf-8')).toBe('FOO=1\nNX_ISOLATE_PLUGINS=true\n');
    const kept = createSageCheckout();
    await initGenerator(kept, { keepPluginIsolation: true });
    expect(kept.exists('.env')).toBe(false);
  });

  it.each([
    ['a Sage checkout', () => createSageCheckout()],
    ['an nx.json from nx init (installation, no package.json)', () => createSageCheckout({ installation: { version: '24.0.6', plugins: { 'nx-sage': '0.1.0' } } })],
    ['a workspace with no ignore files', () => { const t = createSageCheckout(); t.delete('.gitignore'); return t; }],
  ])('is idempotent in %s: a second run changes nothing', async (_what, make) => {
    const first = make();
    await initGenerator(first, {});
    const second = reopenOnDisk(first, dirs);
    expect(second.listChanges()).toEqual([]);
    await initGenerator(second, {});
    expect(second.listChanges()).toEqual([]);
    expect(snapshot(second)).toEqual(snapshot(first));
  });
});

describe('addEnvSettings', () => {
  it('appends what is missing under a header, after a final newline', () => {
    expect(addEnvSettings(null)).toBe('# nx-sage: plugins load inside the nx process (no worker per plugin)\nNX_ISOLATE_PLUGINS=false\n');
    expect(addEnvSettings('A=1', { B: '2' })).toBe('A=1\n\n# nx-sage: plugins load inside the nx process (no worker per plugin)\nB=2\n');
  });

  it.each(['NX_ISOLATE_PLUGINS=true', 'export NX_ISOLATE_PLUGINS=1', '  NX_ISOLATE_PLUGINS = false'])('counts %j as set', (line) => {
    expect(addEnvSettings(`${line}\n`)).toBeNull();
  });

  it('does not count a comment or a longer name', () => {
    expect(addEnvSettings('# NX_ISOLATE_PLUGINS=true\nNX_ISOLATE_PLUGINS_X=1\n')).toMatch(/\nNX_ISOLATE_PLUGINS=false\n$/);
  });
});

describe('addIgnoreEntries', () => {
  it.each([
    ['/local', true],
    ['local', true],
    ['local/', true],
    ['/local/*', true],
    ['**/local', true],
    ['# /local', false],
    ['!local', false],
    ['/locale', false],
  ])('treats the line %j as covering /local/: %s', (line, covered) => {
    const next = addIgnoreEntries(`${line}\n`, ['/local/']);
    expect(next === null).toBe(covered);
  });

  it('creates a file, and ends a file without a final newline before appending', () => {
    expect(addIgnoreEntries(null, ['/logs/'])).toBe('# nx-sage: written by the Sage build and by Nx\n/logs/\n');
    expect(addIgnoreEntries('foo', ['/logs/'])).toBe('foo\n\n# nx-sage: written by the Sage build and by Nx\n/logs/\n');
  });

  it('counts a parent directory as covering: .nx covers .nx/cache', () => {
    expect(addIgnoreEntries('/.nx\n', ['/.nx/cache/', '/.nx/workspace-data/'])).toBeNull();
  });
});
