import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffManifests, isSafeManifestPath, listTreeFiles, removalOrder } from './manifest';

describe('manifests', () => {
  it('diffs old and new manifests (leading slashes as Sage strips them)', () => {
    expect(diffManifests(['/lib/libfoo.so.1', 'include/foo.h', 'bin/old'], ['lib/libfoo.so.1', 'include/foo.h', 'bin/new'])).toEqual({
      removed: ['bin/old'],
      added: ['bin/new'],
      replaced: ['include/foo.h', 'lib/libfoo.so.1'],
    });
  });

  it('removes deepest paths first, like Sage uninstaller', () => {
    expect(removalOrder(['a', 'x/y/z', 'b/c', 'a/b'])).toEqual(['x/y/z', 'a/b', 'b/c', 'a']);
  });

  it('rejects entries that leave the tree', () => {
    expect(isSafeManifestPath('lib/x')).toBe(true);
    expect(isSafeManifestPath('/lib/x')).toBe(true);
    expect(isSafeManifestPath('../x')).toBe(false);
    expect(isSafeManifestPath('lib/../../x')).toBe(false);
    expect(isSafeManifestPath('')).toBe(false);
  });

  it('lists files and symlinks, not directories (find -type f -o -type l)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-sage-manifest-'));
    try {
      mkdirSync(join(dir, 'lib/pkgconfig'), { recursive: true });
      mkdirSync(join(dir, 'empty'));
      writeFileSync(join(dir, 'lib/libfoo.so.1'), '');
      symlinkSync('libfoo.so.1', join(dir, 'lib/libfoo.so'));
      writeFileSync(join(dir, 'lib/pkgconfig/foo.pc'), '');
      expect(listTreeFiles(dir)).toEqual(['lib/libfoo.so', 'lib/libfoo.so.1', 'lib/pkgconfig/foo.pc']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
