import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FileSwap } from './file-swap';

describe('FileSwap', () => {
  let root: string;
  let tree: string;
  let staged: string;
  const write = (base: string, rel: string, text: string) => {
    mkdirSync(dirname(join(base, rel)), { recursive: true });
    writeFileSync(join(base, rel), text);
  };
  const read = (rel: string) => (existsSync(join(tree, rel)) ? readFileSync(join(tree, rel), 'utf8') : null);
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-sage-swap-'));
    tree = join(root, 'tree');
    staged = join(root, 'staged');
    write(tree, 'lib/libfoo.so.1', 'old lib');
    write(tree, 'share/foo/old.txt', 'old only');
    write(tree, 'share/other/keep.txt', 'other package');
    write(staged, 'lib/libfoo.so.1', 'new lib');
    write(staged, 'include/foo.h', 'new header');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const swapAll = () => {
    const swap = new FileSwap(tree, join(root, 'backup'));
    swap.remove('share/foo/old.txt');
    swap.put('lib/libfoo.so.1', join(staged, 'lib/libfoo.so.1'));
    swap.put('include/foo.h', join(staged, 'include/foo.h'));
    return swap;
  };

  it('commit: new files in, old-only files and their empty directories gone, others untouched', () => {
    swapAll().commit();
    expect(read('lib/libfoo.so.1')).toBe('new lib');
    expect(read('include/foo.h')).toBe('new header');
    expect(existsSync(join(tree, 'share/foo'))).toBe(false);
    expect(read('share/other/keep.txt')).toBe('other package');
    expect(existsSync(join(root, 'backup'))).toBe(false);
  });

  it('rollback: the tree is exactly as before', () => {
    swapAll().rollback();
    expect(read('lib/libfoo.so.1')).toBe('old lib');
    expect(read('share/foo/old.txt')).toBe('old only');
    expect(existsSync(join(tree, 'include'))).toBe(false);
    expect(read('share/other/keep.txt')).toBe('other package');
  });
});
