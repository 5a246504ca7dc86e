// Real (hostile) tarballs written byte by byte in a temp dir, extracted with the real extractor: nothing
// may appear outside the build directory, and the error names the entry.
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { extractArchive, TAR_EXTRACT_OPTIONS, UnsafeArchiveError } from './archive';
import { findEscapingLinks } from './extracted-links';

type Member = { path: string; type: 'File' | 'Directory' | 'SymbolicLink' | 'Link'; linkpath?: string; body?: string };

/** A ustar archive with exactly these members in this order (what `tar -c` can't be told to write). */
function writeTar(file: string, members: Member[]): void {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const body = Buffer.from(m.body ?? '');
    const header = new tar.Header({
      path: m.path,
      type: m.type,
      linkpath: m.linkpath,
      mode: m.type === 'Directory' ? 0o755 : 0o644,
      size: m.type === 'File' ? body.length : 0,
      mtime: new Date(1_700_000_000_000),
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (m.type === 'File') blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  writeFileSync(file, Buffer.concat(blocks));
}

const dir = (path: string): Member => ({ path, type: 'Directory' });
const file = (path: string, body = 'x'): Member => ({ path, type: 'File', body });
const link = (path: string, linkpath: string): Member => ({ path, type: 'SymbolicLink', linkpath });
const hard = (path: string, linkpath: string): Member => ({ path, type: 'Link', linkpath });

describe('extractArchive refuses archives whose links leave the build directory', () => {
  let root: string;
  let buildDir: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-sage-archive-'));
    buildDir = join(root, 'build/var/tmp/pkg-1.0');
    outside = join(root, 'outside');
    mkdirSync(buildDir, { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'secret');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const extract = (members: Member[]) => {
    const archive = join(root, 'pkg-1.0.tar');
    writeTar(archive, members);
    return extractArchive({ file: archive, dest: join(buildDir, 'src'), workDir: join(buildDir, '.nx-extract'), python: 'python3' });
  };
  /** Everything under root except the build directory and the archive is as it was. */
  const outsideUntouched = () => {
    expect(readdirSync(root).sort()).toEqual(['build', 'outside', 'pkg-1.0.tar']);
    expect(readdirSync(outside)).toEqual(['secret']);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('secret');
    expect(readdirSync(join(root, 'build/var/tmp'))).toEqual(['pkg-1.0']);
  };
  const refusal = async (members: Member[]) => {
    const error = await extract(members).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    expect(existsSync(join(buildDir, 'src'))).toBe(false);
    outsideUntouched();
    return (error as UnsafeArchiveError).message;
  };

  it('control: an ordinary archive with internal links and a hard link extracts', async () => {
    await extract([dir('pkg-1.0/'), file('pkg-1.0/configure', '#!/bin/sh\n'), dir('pkg-1.0/doc/'), link('pkg-1.0/doc/README', '../configure'), link('pkg-1.0/up', '..'), hard('pkg-1.0/copy', 'pkg-1.0/configure')]);
    expect(readFileSync(join(buildDir, 'src/doc/README'), 'utf8')).toBe('#!/bin/sh\n');
    expect(lstatSync(join(buildDir, 'src/copy')).nlink).toBe(2);
    outsideUntouched();
  });

  it("refuses `d/b -> ..` then `a -> d/b/../..`, naming the entry", async () => {
    const message = await refusal([dir('pkg-1.0/'), dir('pkg-1.0/d/'), link('pkg-1.0/d/b', '..'), link('pkg-1.0/a', 'd/b/../..'), file('pkg-1.0/f')]);
    expect(message).toMatch(/refusing to extract .*pkg-1\.0\.tar: 1 entry escapes/);
    expect(message).toContain('pkg-1.0/a: symlink resolves outside the archive (-> d/b/../..): climbs above the root through the symlink pkg-1.0/d/b');
  });

  it('refuses the same chain at the archive root (the issue\'s example)', async () => {
    expect(await refusal([dir('d/'), link('d/b', '..'), link('a', 'd/b/../..')])).toContain('    a: symlink resolves outside');
  });

  it('refuses a link then a file written through it, and writes nothing outside', async () => {
    const message = await refusal([dir('pkg-1.0/'), link('pkg-1.0/l', outside), file('pkg-1.0/l/evil', 'pwned'), link('pkg-1.0/m', '.'), file('pkg-1.0/m/x')]);
    expect(message).toContain(`pkg-1.0/l: symlink pointing outside the archive (-> ${outside})`);
    expect(message).toContain('pkg-1.0/l/evil: written through the symlink pkg-1.0/l');
    expect(message).toContain('pkg-1.0/m/x: written through the symlink pkg-1.0/m (-> .)');
  });

  it('refuses hard links through a link chain and hard links to links', async () => {
    const message = await refusal([dir('p/'), dir('p/d/'), link('p/d/b', '..'), link('p/a', 'd/b/../..'), hard('p/h', 'p/a/outside/secret'), hard('p/k', 'p/d/b')]);
    expect(message).toContain('p/h: hardlink to a file outside the archive (-> p/a/outside/secret) through the symlink');
    expect(message).toContain('p/k: hardlink to a symlink (-> p/d/b)');
  });

  it("second line: node-tar with the extractor's options alone refuses to write through a link", async () => {
    const archive = join(root, 'pkg-1.0.tar');
    writeTar(archive, [link('l', outside), file('l/evil', 'pwned')]);
    const cwd = join(buildDir, 'raw');
    mkdirSync(cwd);
    await expect(tar.extract({ ...TAR_EXTRACT_OPTIONS, file: archive, cwd })).rejects.toThrow();
    outsideUntouched();
  });
});

describe('findEscapingLinks checks what is really on disk', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-sage-links-'));
    mkdirSync(join(root, 'tree/d'), { recursive: true });
    writeFileSync(join(root, 'secret'), 's');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds a symlink chain that resolves outside, and a hard link shared with a file outside', () => {
    const tree = join(root, 'tree');
    symlinkSync('..', join(tree, 'd/b'));
    symlinkSync('d/b/../..', join(tree, 'a'));
    symlinkSync('d/b/d', join(tree, 'fine'));
    linkSync(join(root, 'secret'), join(tree, 'hard'));
    writeFileSync(join(tree, 'd/own'), 'x');
    linkSync(join(tree, 'd/own'), join(tree, 'own2'));
    expect(findEscapingLinks(tree)).toEqual([
      { path: 'a', reason: 'symlink resolves outside the build directory (-> d/b/../..): climbs above the root' },
      { path: 'hard', reason: 'hard link shared with 1 file(s) outside the build directory' },
    ]);
  });
});
