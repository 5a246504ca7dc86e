import { findUnsafeEntries, normalizeEntryPath, singleTopDirectory, type ArchiveEntry } from './archive-entries';

const file = (path: string): ArchiveEntry => ({ path, type: 'file' });

describe('findUnsafeEntries', () => {
  it('accepts an ordinary source archive with internal links', () => {
    expect(
      findUnsafeEntries([
        { path: 'gmp-6.3.0/', type: 'directory' },
        file('gmp-6.3.0/configure'),
        { path: 'gmp-6.3.0/doc/link', type: 'symlink', linkpath: '../README' },
        { path: 'gmp-6.3.0/hard', type: 'hardlink', linkpath: 'gmp-6.3.0/configure' },
        { path: './gmp-6.3.0/./x', type: 'file' },
      ]),
    ).toEqual([]);
  });

  it.each<[string, ArchiveEntry, string]>([
    ['absolute path', file('/etc/passwd'), 'absolute path'],
    ['.. segment', file('pkg/../../evil'), "'..' in the path"],
    ['leading ..', file('../evil'), "'..' in the path"],
    ['windows drive', file('C:\\evil'), 'absolute path'],
    ['absolute symlink', { path: 'pkg/l', type: 'symlink', linkpath: '/etc' }, 'symlink pointing outside the archive (-> /etc)'],
    ['escaping symlink', { path: 'pkg/l', type: 'symlink', linkpath: '../../x' }, 'symlink resolves outside the archive (-> ../../x): climbs above the root'],
    ['escaping hardlink', { path: 'pkg/h', type: 'hardlink', linkpath: '../x' }, 'hardlink to a file outside the archive (-> ../x)'],
    ['device', { path: 'pkg/dev', type: 'other' }, 'device, fifo or other special file'],
  ])('refuses %s', (_title, entry, reason) => {
    expect(findUnsafeEntries([file('pkg/ok'), entry])).toEqual([{ path: entry.path, reason }]);
  });

  it('a symlink to the archive root itself is inside', () => {
    expect(findUnsafeEntries([{ path: 'pkg/up', type: 'symlink', linkpath: '..' }])).toEqual([]);
  });
});

describe('singleTopDirectory', () => {
  it('finds the one top directory (renamed to src)', () => {
    expect(singleTopDirectory([{ path: 'foo-1.0/', type: 'directory' }, file('foo-1.0/a'), file('./foo-1.0/b/c')])).toBe('foo-1.0');
  });
  it('is undefined for several top entries or a single file', () => {
    expect(singleTopDirectory([file('a/x'), file('b/y')])).toBeUndefined();
    expect(singleTopDirectory([file('README')])).toBeUndefined();
  });
  it('normalises member names', () => {
    expect(normalizeEntryPath('./a//b/')).toBe('a/b');
  });
});

describe('findUnsafeEntries follows links made earlier (and later) in the archive', () => {
  const dir = (path: string): ArchiveEntry => ({ path, type: 'directory' });
  const link = (path: string, linkpath: string): ArchiveEntry => ({ path, type: 'symlink', linkpath });
  const hard = (path: string, linkpath: string): ArchiveEntry => ({ path, type: 'hardlink', linkpath });
  const paths = (entries: ArchiveEntry[]) => findUnsafeEntries(entries).map((e) => e.path);

  it("refuses `d/b -> ..` then `a -> d/b/../..` (lexically '.', physically the parent)", () => {
    const unsafe = findUnsafeEntries([dir('d'), link('d/b', '..'), link('a', 'd/b/../..')]);
    expect(unsafe).toEqual([{ path: 'a', reason: 'symlink resolves outside the archive (-> d/b/../..): climbs above the root through the symlink d/b' }]);
  });

  it('judges links in the final tree: a later link changes what an earlier one resolves to', () => {
    expect(paths([link('a', 'd/b/..'), dir('d'), link('d/b', '..')])).toEqual(['a']);
  });

  it('refuses chains of links and loops', () => {
    expect(paths([link('p/one', '..'), link('p/two', 'one/..'), file('p/ok')])).toEqual(['p/two']);
    expect(paths([link('p/x', 'y'), link('p/y', 'x')])).toEqual(['p/x', 'p/y']);
  });

  it('refuses a member written through a link made earlier, even one pointing inside', () => {
    const unsafe = findUnsafeEntries([dir('p'), link('p/l', '.'), file('p/l/evil')]);
    expect(unsafe).toEqual([{ path: 'p/l/evil', reason: 'written through the symlink p/l (-> .) made earlier in the archive' }]);
  });

  it('refuses hard links through an escaping link, to links, to nothing; accepts one to an earlier file', () => {
    expect(paths([dir('d'), link('d/b', '..'), link('a', 'd/b/../..'), hard('h', 'a/etc/passwd')])).toEqual(['h', 'a']);
    expect(findUnsafeEntries([link('l', 'x'), file('x'), hard('h', 'l')])).toEqual([{ path: 'h', reason: 'hardlink to a symlink (-> l)' }]);
    expect(findUnsafeEntries([hard('h', 'later'), file('later')])).toEqual([{ path: 'h', reason: 'hardlink to no earlier file (-> later)' }]);
    expect(findUnsafeEntries([dir('p'), file('p/f'), link('p/d', '.'), hard('p/h', 'p/d/f')])).toEqual([]);
  });

  it('refuses a non-directory replacing a directory', () => {
    expect(paths([dir('p'), file('p/x'), link('p', '.')])).toEqual(['p']);
  });
});
