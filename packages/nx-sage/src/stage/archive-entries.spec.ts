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
    ['escaping symlink', { path: 'pkg/l', type: 'symlink', linkpath: '../../x' }, 'symlink pointing outside the archive (-> ../../x)'],
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
