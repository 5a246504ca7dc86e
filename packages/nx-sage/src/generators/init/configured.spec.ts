import { readJson } from '@nx/devkit';
import { FsTree } from 'nx/src/devkit-internals';
import { makeTempTree, removeTree } from '../../testing/temp-tree';
import { initGenerator } from './generator';

// A real directory: configure's outputs are gitignored build products, read from disk.
describe('init generator on a Sage checkout with Sage\'s tooling', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeTree));
  const checkout = (files: Record<string, string>) => {
    const dir = makeTempTree({ 'nx.json': '{}\n', 'configure.ac': '', 'build/bin/sage-spkg': '', 'build/pkgs/gmp/type': 'standard\n', ...files });
    dirs.push(dir);
    return new FsTree(dir, false);
  };

  it('writes no plugin options on a configured checkout: configure\'s outputs are read instead', async () => {
    const tree = checkout({ 'build/make/Makefile': '# configured\n', 'src/bin/sage-env-config': 'export SAGE_LOCAL="/x/local"\n' });
    await initGenerator(tree, {});
    expect(readJson(tree, 'nx.json').plugins).toEqual([{ plugin: 'nx-sage', options: {} }]);
  });

  it('refuses a checkout that has build/bin but was not configured, saying to run ./configure', async () => {
    const tree = checkout({});
    await expect(initGenerator(tree, {})).rejects.toThrow(/not configured[\s\S]*run `\.\/configure`/);
    expect(tree.listChanges()).toEqual([]);
  });
});
