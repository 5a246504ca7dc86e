import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree } from '../testing/temp-tree';
import { isRelocatable, rewriteTreePath, TREE_PLACEHOLDER } from './relocate';

describe('relocatable artifacts', () => {
  it('are the ones holding only stored wheels and requirement files', () => {
    expect(isRelocatable(['var/lib/sage/wheels/a-1-py3-none-any.whl', 'var/lib/sage/scripts/a/spkg-requirements.txt'])).toBe(true);
    expect(isRelocatable(['var/lib/sage/wheels/a.whl', 'lib/liba.so'])).toBe(false);
    expect(isRelocatable([])).toBe(false);
  });

  it('rewrite the tree path in requirement files both ways', () => {
    const req = 'var/lib/sage/scripts/a/spkg-requirements.txt';
    const root = makeTempTree({ [req]: 'a @ file:///old/tree/var/lib/sage/wheels/a-1-py3-none-any.whl\n' });
    try {
      rewriteTreePath(root, [req], '/old/tree', TREE_PLACEHOLDER);
      expect(readFileSync(join(root, req), 'utf8')).toBe(`a @ file://${TREE_PLACEHOLDER}/var/lib/sage/wheels/a-1-py3-none-any.whl\n`);
      rewriteTreePath(root, [req], TREE_PLACEHOLDER, '/new/place');
      expect(readFileSync(join(root, req), 'utf8')).toBe('a @ file:///new/place/var/lib/sage/wheels/a-1-py3-none-any.whl\n');
    } finally {
      removeTree(root);
    }
  });
});
