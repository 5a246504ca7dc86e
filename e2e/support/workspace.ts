import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnToFiles, type CapturedRun } from './spawn-to-files';

export const REPO_ROOT = resolve(__dirname, '../..');
export const SHARED = resolve(REPO_ROOT, '../shared');
export const SAGE_10_10 = join(SHARED, 'sage-10.10.beta4');

/** Nx without daemon, cloud or telemetry, so each run is a fresh process reading the real files. */
export const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: undefined, NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' };

export function assertPluginBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'packages/nx-sage/dist/index.js'))) {
    throw new Error('packages/nx-sage/dist is missing: run `npm run build` (npm test does it first)');
  }
}

/**
 * A real temporary Nx workspace: the given Sage tree copied in (or placed under `subdir`), nx.json with the
 * plugin, and node_modules linked to this repository's (nx + nx-sage compiled to dist).
 */
export function createWorkspace(opts: { sageTree?: string; subdir?: string; pluginOptions?: object; files?: Record<string, string> }): string {
  assertPluginBuilt();
  const root = mkdtempSync(join(tmpdir(), 'nx-sage-e2e-'));
  if (opts.sageTree) {
    const target = opts.subdir ? join(root, opts.subdir) : root;
    // verbatimSymlinks: keep Sage's relative links relative (Node would otherwise point them back into the source tree).
    cpSync(opts.sageTree, target, { recursive: true, dereference: false, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'u+w', target]);
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(
    join(root, 'nx.json'),
    JSON.stringify({ plugins: [{ plugin: 'nx-sage', options: opts.pluginOptions ?? {} }] }, null, 2),
  );
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\nlocal\nlogs\n');
  for (const [file, content] of Object.entries(opts.files ?? {})) writeFileSync(join(root, file), content);
  return root;
}

export type NxRun = CapturedRun;

export function runNx(cwd: string, args: string[], env: Record<string, string | undefined> = {}): NxRun {
  return spawnToFiles(join(cwd, 'node_modules/.bin/nx'), args, { cwd, env: { ...process.env, ...NX_ENV, ...env } });
}

export function removeWorkspace(root: string): void {
  if (root && root.startsWith(tmpdir())) rmSync(root, { recursive: true, force: true });
}
