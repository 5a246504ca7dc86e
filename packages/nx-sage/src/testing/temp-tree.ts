import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Creates a temporary directory from a `{relativePath: content}` map; returns its path. */
export function makeTempTree(files: Record<string, string>, prefix = 'nx-sage-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeTree(root, files);
  return root;
}

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** A minimal package directory: `{ 'build/pkgs/<name>/type': type, ... }`. */
export function spkgFiles(name: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([file, content]) => [`build/pkgs/${name}/${file}`, content]));
}
