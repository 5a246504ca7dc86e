/**
 * Issue 14: a build restored from a cache is the build this machine would make. Three clones of one
 * small tree share one remote cache (tools/remote-cache/server.js), with the SAME environment (PATH
 * string included): only what the runtime identity sees differs.
 *  - clone A builds and uploads;
 *  - clone B has a `cc` first on PATH that reports another compiler: it gets no hit, builds everything;
 *  - clone C is configured like A: every build is a remote hit.
 * With the Nx daemon on (it keeps its task hasher between runs), a compiler change between two runs is
 * still seen. Then the build engine: changing one file of the plugin's dist that only the build executor loads
 * changes the hash of every build (Nx's own hasher, e2e/support/nx-hash-probe.js), and undoing it
 * restores them.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startCacheServer, type CacheServer } from './support/remote-cache';
import { createWorkspace, NX_ENV, removeWorkspace, REPO_ROOT, runNx } from './support/workspace';

const TOKEN = 'rw-token-identity';
const PROBE = join(REPO_ROOT, 'e2e/support/nx-hash-probe.js');
const DEPS_TRAILER = '\n----------\nAll lines of this file are ignored except the first.\n';

/** Three script packages (no upstream file, no compiler needed): beta needs alpha. */
function tree(): Record<string, string> {
  const pkg = (name: string, deps: string) => ({
    [`build/pkgs/${name}/type`]: 'standard\n',
    [`build/pkgs/${name}/dependencies`]: `${deps}\n${DEPS_TRAILER}`,
    [`build/pkgs/${name}/spkg-install.in`]: `mkdir -p out\necho "${name} ($PKG_NAME)" > out/${name}.txt\nsdh_install out/${name}.txt "$SAGE_LOCAL/share/${name}"\n`,
    [`build/pkgs/${name}/SPKG.rst`]: `${name}: identity fixture\n`,
  });
  return { ...pkg('alpha', ''), ...pkg('beta', 'alpha'), ...pkg('gamma', '') };
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), content);
  }
}

const BUILDS = ['alpha', 'beta', 'gamma'];

describe('the remote cache shares a build only between machines it is valid on', () => {
  let dir: string;
  let server: CacheServer;
  let toolBin: string;
  const clones: string[] = [];
  // One PATH string for every clone: a directory of tools first, then the machine's PATH.
  const env = () => ({
    PATH: `${toolBin}${delimiter}${process.env.PATH}`,
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN,
  });
  const clone = () => {
    const ws = createWorkspace({});
    writeFiles(ws, tree());
    clones.push(ws);
    return ws;
  };
  const build = (ws: string) => {
    const run = runNx(ws, ['run-many', '-t', 'build', '--parallel=3', '--output-style=static'], { ...env(), NX_CACHE_DIRECTORY: join(ws, '.nx/cache') });
    const output = run.stdout + run.stderr;
    expect({ status: run.status, output }).toMatchObject({ status: 0 });
    return Object.fromEntries(BUILDS.map((pkg) => [pkg, /\[remote cache\]/.test(output.split('\n').find((l) => new RegExp(`nx run ${pkg}:build`).test(l)) ?? '') ? 'remote' : 'built']));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nx-sage-identity-'));
    toolBin = join(dir, 'toolbin');
    mkdirSync(toolBin);
    server = await startCacheServer({ dir: join(dir, 'store'), token: TOKEN });
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    for (const ws of clones) removeWorkspace(ws);
  }, 60_000);

  it('clone A builds everything and uploads it', () => {
    expect(build(clone())).toEqual({ alpha: 'built', beta: 'built', gamma: 'built' });
    expect(server.requests().filter((r) => r.method === 'PUT' && r.status === 200).length).toBe(BUILDS.length);
  });

  it('clone B, whose cc reports another compiler (same env, same PATH string), gets no cross hit', () => {
    writeFileSync(join(toolBin, 'cc'), '#!/bin/sh\necho "cc (Other Vendor) 99.1.0"\n');
    chmodSync(join(toolBin, 'cc'), 0o755);
    const before = server.requests().length;
    expect(build(clone())).toEqual({ alpha: 'built', beta: 'built', gamma: 'built' });
    const gets = server.requests().slice(before).filter((r) => r.method === 'GET');
    expect(gets.filter((r) => r.status === 200)).toEqual([]);
    rmSync(join(toolBin, 'cc'));
  });

  it('clone C, configured like A, gets every build from the remote cache', () => {
    expect(build(clone())).toEqual({ alpha: 'remote', beta: 'remote', gamma: 'remote' });
  });

  it('with the Nx daemon on, a compiler change between two runs is seen: the daemon keeps no stale runtime identity', () => {
    const ws = clones[2]; // clone C: its local cache holds all three builds
    const daemonEnv = { ...env(), NX_DAEMON: 'true', NX_CACHE_DIRECTORY: join(ws, '.nx/cache') };
    const served = () => {
      const run = runNx(ws, ['run-many', '-t', 'build', '--parallel=3', '--output-style=static'], daemonEnv);
      const output = run.stdout + run.stderr;
      expect({ status: run.status, output }).toMatchObject({ status: 0 });
      return Object.fromEntries(BUILDS.map((pkg) => [pkg, /\[(local|remote) cache\]/.test(output.split('\n').find((l) => new RegExp(`nx run ${pkg}:build`).test(l)) ?? '') ? 'cached' : 'built']));
    };
    const cached = { alpha: 'cached', beta: 'cached', gamma: 'cached' };
    try {
      expect(served()).toEqual(cached);
      // A compiler no clone has used (clone B's builds are in the remote cache under its identity).
      writeFileSync(join(toolBin, 'cc'), '#!/bin/sh\necho "cc (Third Vendor) 77.0.1"\n');
      chmodSync(join(toolBin, 'cc'), 0o755);
      expect(served()).toEqual({ alpha: 'built', beta: 'built', gamma: 'built' });
      rmSync(join(toolBin, 'cc'));
      expect(served()).toEqual(cached);
      // The runs were hashed by the daemon (the point of this test), not in-process.
      expect(readFileSync(join(ws, '.nx/workspace-data/d/daemon.log'), 'utf8')).toMatch(/HASH_TASKS/);
    } finally {
      rmSync(join(toolBin, 'cc'), { force: true });
      runNx(ws, ['daemon', '--stop'], daemonEnv);
    }
  });

  it('changing one file of the build engine changes every build hash; undoing it restores them', () => {
    // A workspace whose nx-sage is a private copy of the compiled plugin (inside its node_modules, so
    // that @nx/devkit resolves), so the plugin's dist can be edited without touching the repository.
    const ws = clone();
    const source = join(REPO_ROOT, 'packages/nx-sage');
    rmSync(join(ws, 'node_modules'));
    mkdirSync(join(ws, 'node_modules'));
    const repoModules = join(REPO_ROOT, 'node_modules');
    for (const name of readdirSync(repoModules)) {
      if (name !== 'nx-sage') symlinkSync(join(repoModules, name), join(ws, 'node_modules', name));
    }
    const plugin = join(ws, 'node_modules/nx-sage');
    for (const entry of ['package.json', 'executors.json', 'generators.json', 'assets', 'dist', 'src']) cpSync(join(source, entry), join(plugin, entry), { recursive: true });
    symlinkSync(join(source, 'node_modules'), join(plugin, 'node_modules'));

    const hashes = () =>
      (JSON.parse(execFileSync(process.execPath, [PROBE, 'hash', 'build'], { cwd: ws, env: { ...process.env, ...NX_ENV, ...env() } as NodeJS.ProcessEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as { hashes: Record<string, string> }).hashes;
    const before = hashes();
    expect(Object.keys(before).sort()).toEqual(BUILDS.map((pkg) => `${pkg}:build`));

    // stage/archive.js is loaded only by builds (extraction), never by graph inference.
    const engineFile = join(plugin, 'dist/stage/archive.js');
    const original = readFileSync(engineFile);
    appendFileSync(engineFile, '\n// an engine change\n');
    const changed = hashes();
    for (const id of Object.keys(before)) expect({ id, changed: changed[id] !== before[id] }).toEqual({ id, changed: true });

    writeFileSync(engineFile, original);
    expect(hashes()).toEqual(before);
  });
});
