import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertPluginBuilt, REPO_ROOT } from './workspace';


/**
 * A Sage checkout as `nx init` leaves it in a non-JS repository: the tree (without any `.nx` left in the
 * source), no package.json, the given nx.json, node_modules linked to this repository's, and a git
 * repository with everything committed, so `git status` shows exactly what later commands change.
 */
export function createSageCheckout(opts: { sageTree: string; nxJson?: object; gitignore?: string }): string {
  assertPluginBuilt();
  const root = mkdtempSync(join(tmpdir(), 'nx-sage-e2e-'));
  cpSync(opts.sageTree, root, { recursive: true, dereference: false, verbatimSymlinks: true, filter: (src) => !src.split('/').includes('.nx') });
  execFileSync('chmod', ['-R', 'u+w', root]);
  writeFileSync(join(root, 'nx.json'), JSON.stringify(opts.nxJson ?? {}));
  if (opts.gitignore !== undefined) writeFileSync(join(root, '.gitignore'), opts.gitignore);
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-q', '-m', 'Sage checkout');
  // After the commit: node_modules is a link to this repository's, never part of the checkout.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, '.git/info/exclude'), 'node_modules\n');
  return root;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

/** `git status` plus a hash of every changed or untracked file's content: equal iff the checkout is unchanged. */
export function checkoutState(cwd: string): string {
  const status = git(cwd, 'status', '--porcelain', '--untracked-files=all');
  const files = status
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3));
  const hashes = files.map((file) => `${file} ${createHash('sha256').update(readFileSync(join(cwd, file))).digest('hex')}`);
  return [status, ...hashes].join('\n');
}

/** Nx colours its output even when piped; tests match the plain text. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
