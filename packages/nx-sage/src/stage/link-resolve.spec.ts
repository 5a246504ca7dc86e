import { resolveInTree, type NodeKind, type TreeLookup } from './link-resolve';

function tree(nodes: Record<string, NodeKind | { link: string }>): TreeLookup {
  return {
    kind: (path) => (path === '' ? 'directory' : typeof nodes[path] === 'object' ? 'symlink' : ((nodes[path] as NodeKind) ?? 'missing')),
    readlink: (path) => (nodes[path] as { link: string }).link,
  };
}

describe('resolveInTree (kernel-style resolution over an abstract tree)', () => {
  const t = tree({ d: 'directory', 'd/b': { link: '..' }, 'd/f': 'file', up: { link: '../x' }, abs: { link: '/etc' }, self: { link: 'self' } });

  it('follows links relative to their directory', () => {
    expect(resolveInTree(t, '', 'd/b/d/f')).toEqual({ inside: true, path: 'd/f', kind: 'file' });
    expect(resolveInTree(t, 'd', 'b')).toEqual({ inside: true, path: '', kind: 'directory' });
  });
  it('reports climbing above the root through a link, naming it', () => {
    expect(resolveInTree(t, '', 'd/b/..')).toEqual({ inside: false, reason: 'climbs above the root', via: ['d/b'] });
    expect(resolveInTree(t, '', 'up')).toEqual({ inside: false, reason: 'climbs above the root', via: ['up'] });
  });
  it('absolute targets and loops are outside', () => {
    expect(resolveInTree(t, '', 'abs/x').inside).toBe(false);
    expect(resolveInTree(t, '', 'self')).toMatchObject({ inside: false, reason: 'too many levels of symbolic links' });
  });
  it('does not follow a final link when asked (link(2), lstat)', () => {
    expect(resolveInTree(t, '', 'up', false)).toEqual({ inside: true, path: 'up', kind: 'symlink' });
  });
  it('takes a missing component as a directory: missing/../.. still leaves', () => {
    expect(resolveInTree(t, '', 'nothing/../..').inside).toBe(false);
    expect(resolveInTree(t, '', 'nothing/x')).toEqual({ inside: true, path: 'nothing/x', kind: 'missing' });
  });
});
