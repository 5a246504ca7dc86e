/**
 * The published form of nx-sage: `npm pack` of packages/nx-sage, installed the way a Sage developer would
 * in a checkout without package.json (Nx's `.nx/installation` mode), and a probe that records which
 * plugin files the Node processes of Nx actually load.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from './sage-checkout';
import { spawnToFiles } from './spawn-to-files';
import { assertPluginBuilt, NX_ENV, REPO_ROOT, type NxRun } from './workspace';

export const PLUGIN_DIR = join(REPO_ROOT, 'packages/nx-sage');
/** The nx the repository is developed against; the installation mode installs exactly this version. */
export const NX_VERSION: string = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/nx/package.json'), 'utf8')).version;

export interface PackedPlugin {
  /** Absolute path of nx-sage-<version>.tgz. */
  tarball: string;
  /** Paths inside the package (without the `package/` prefix). */
  files: string[];
  version: string;
}

/** `npm pack` of the compiled plugin (run `npm run build` first) into `dest`, as npm would publish it. */
export function packPlugin(dest: string): PackedPlugin {
  assertPluginBuilt();
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: PLUGIN_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(json.slice(json.indexOf('[')));
  return { tarball: join(dest, info.filename), files: info.files.map((f: { path: string }) => f.path).sort(), version: info.version };
}

/**
 * A Sage-layout checkout without package.json: `sageTree` copied (without any `.nx` it carries), the
 * packages of each overlay tree replacing same-named ones (the whole directory, as a developer's own
 * package would), their upstream files added, everything committed to a fresh git repository.
 */
export function createBareSageCheckout(sageTree: string, overlays: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-sage-packed-'));
  cpSync(sageTree, root, { recursive: true, dereference: false, verbatimSymlinks: true, filter: (src) => !src.split('/').includes('.nx') });
  for (const overlay of overlays) {
    for (const pkg of readdirSync(join(overlay, 'build/pkgs'))) {
      rmSync(join(root, 'build/pkgs', pkg), { recursive: true, force: true });
      cpSync(join(overlay, 'build/pkgs', pkg), join(root, 'build/pkgs', pkg), { recursive: true });
    }
    cpSync(join(overlay, 'upstream'), join(root, 'upstream'), { recursive: true });
  }
  execFileSync('chmod', ['-R', 'u+w', root]);
  // Sage's own .gitignore lines for what its build writes.
  writeFileSync(join(root, '.gitignore'), '/local\n/logs\n/upstream\n');
  git(root, 'init', '-q', '-b', 'develop');
  git(root, 'add', '-A');
  git(root, '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-q', '-m', 'Sage checkout');
  return root;
}

/**
 * Node preload that appends every loaded .js file of an nx-sage package or of this repository to
 * `$NX_SAGE_PROBE_OUT` (one `<pid> <path>` line each), in every Node process that inherits NODE_OPTIONS:
 * the nx wrapper, plugin workers, forked executors.
 */
export function writeLoadProbe(dir: string): { script: string; out: string } {
  const script = join(dir, 'load-probe.js');
  const out = join(dir, 'load-probe.out');
  writeFileSync(
    script,
    `'use strict';
const fs = require('fs');
const Module = require('module');
const out = process.env.NX_SAGE_PROBE_OUT;
const watched = (f) => f.includes('/nx-sage/') || f.startsWith(${JSON.stringify(REPO_ROOT + '/')});
const load = Module._extensions['.js'];
Module._extensions['.js'] = function (m, filename) {
  if (out && watched(filename)) fs.appendFileSync(out, process.pid + ' ' + filename + '\\n');
  return load.call(this, m, filename);
};
`,
  );
  writeFileSync(out, '');
  return { script, out };
}

export function readLoadProbe(out: string): string[] {
  return [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean).map((line) => line.slice(line.indexOf(' ') + 1)))].sort();
}

/** The environment of a Sage developer's shell: Nx without daemon/cloud, no Node module paths leaking in. */
export function userEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...NX_ENV, ...extra };
  for (const key of ['NODE_PATH', 'NX_WRAPPER_SKIP_INSTALL', 'NX_WORKSPACE_ROOT_PATH', 'npm_config_prefix']) delete env[key];
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

/** Runs the checkout's own `./nx` wrapper (which syncs `.nx/installation` with nx.json first). */
export function runWrapper(cwd: string, args: string[], env: NodeJS.ProcessEnv): NxRun {
  return spawnToFiles(join(cwd, 'nx'), args, { cwd, env });
}

/**
 * `nx init` in `.nx/installation` mode, as `npx nx@<NX_VERSION> init` would run it: this repository's nx
 * binary is that version, so only the wrapper scripts and nx.json come from it; the wrapper then installs
 * nx from the registry into `.nx/installation`.
 */
export function nxInitDotNx(cwd: string, env: NodeJS.ProcessEnv): NxRun {
  return spawnToFiles(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/nx/dist/bin/nx.js'), 'init', '--useDotNxInstallation', '--interactive=false', '--nxCloud=false'],
    { cwd, env },
  );
}
