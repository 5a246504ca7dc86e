/**
 * Remote cache (issue 6): Nx's self-hosted cache protocol against our server (tools/remote-cache), then
 * two clones of the real-Python fixture tree: clone A builds everything and uploads; clone B — another
 * directory, an empty local cache, the same PATH string and compilers (the build hash names both) but
 * tripwires for make, gcc, ld, ... — installs everything from the remote cache without building, and its
 * venv is consistent (pip check).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_COMPILERS, pathWithoutBuildTools, startCacheServer, type CacheServer } from './support/remote-cache';
import { createWorkspace, removeWorkspace, REPO_ROOT, runNx, type NxRun } from './support/workspace';

const FIXTURES = join(REPO_ROOT, 'tools/fixtures/python/build-fixtures.js');
const TOKEN = 'rw-token-e2e';
const READ_TOKEN = 'ro-token-e2e';

describe('tools/remote-cache/server.js speaks Nx\'s self-hosted cache protocol', () => {
  let dir: string;
  let server: CacheServer;
  const call = (method: string, hash: string, token?: string, body?: Buffer) =>
    fetch(`${server.url}/v1/cache/${hash}`, { method, body, headers: token ? { Authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nx-sage-cache-'));
    server = await startCacheServer({ dir: join(dir, 'store'), token: TOKEN, readToken: READ_TOKEN });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('404 on a miss, 200 on PUT, 409 on a second PUT, 200 with the same bytes on GET', async () => {
    const body = Buffer.from('not really a tar.gz, the server does not look inside');
    expect((await call('GET', '1234', TOKEN)).status).toBe(404);
    expect((await call('PUT', '1234', TOKEN, body)).status).toBe(200);
    expect((await call('PUT', '1234', TOKEN, Buffer.from('other'))).status).toBe(409);
    const got = await call('GET', '1234', TOKEN);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(body);
  });

  it('401 without or with a wrong bearer token; 403 on PUT with the read-only token', async () => {
    expect((await call('GET', '1234')).status).toBe(401);
    expect((await call('GET', '1234', 'wrong')).status).toBe(401);
    expect((await call('PUT', '5678', 'wrong', Buffer.from('x'))).status).toBe(401);
    expect((await call('GET', '1234', READ_TOKEN)).status).toBe(200);
    expect((await call('PUT', '5678', READ_TOKEN, Buffer.from('x'))).status).toBe(403);
    expect((await call('GET', '5678', TOKEN)).status).toBe(404);
  });

  it('rejects hashes that are not plain names', async () => {
    expect((await fetch(`${server.url}/v1/cache/..%2Fescape`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(400);
    expect((await fetch(`${server.url}/v1/cache/a/b`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('concurrent PUTs of one hash store exactly one complete entry', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024, i + 1));
    const statuses = (await Promise.all(bodies.map((b) => call('PUT', 'race', TOKEN, b)))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const stored = Buffer.from(await (await call('GET', 'race', TOKEN)).arrayBuffer());
    expect(bodies.some((b) => b.equals(stored))).toBe(true);
    expect(readdirSync(join(dir, 'store/.tmp'))).toEqual([]);
  });
});

describe('two clones of the real-Python fixture tree share builds through the remote cache', () => {
  let dir: string;
  let server: CacheServer;
  let wsA: string;
  let wsB: string;
  // Both clones run with ONE PATH string (PATH is a build input): <dir>/tools/bin, all real tools for A;
  // for B the same directory with tripwires for every build tool but the compilers of the runtime
  // identity (cc, c++, gfortran: B must have A's compilers for A's builds to be valid on it).
  let toolsPath: string;
  let tripped: () => string[];
  const remoteEnv = () => ({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN });
  const install = (ws: string, env: Record<string, string>): NxRun =>
    runNx(ws, ['run-many', '-t', 'install', '--parallel=4', '--output-style=static'], { ...remoteEnv(), NX_CACHE_DIRECTORY: join(ws, '.nx/cache'), ...env });
  const buildTasks = (ws: string) =>
    (JSON.parse(runNx(ws, ['show', 'projects', '--with-target=build', '--json']).stdout.trim().split('\n').pop()!) as string[]).sort();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nx-sage-remote-'));
    server = await startCacheServer({ dir: join(dir, 'store'), token: TOKEN });
    wsA = createWorkspace({});
    execFileSync(process.execPath, [FIXTURES, '--out', wsA, '--quiet'], { stdio: 'pipe' });
  }, 300_000);
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    removeWorkspace(wsA);
    removeWorkspace(wsB);
  });

  it('clone A builds everything and uploads every build to the remote cache', () => {
    toolsPath = pathWithoutBuildTools(join(dir, 'tools'), { tripwires: false }).PATH;
    const run = install(wsA, { PATH: toolsPath });
    expect(run.stdout + run.stderr).toMatch(/Successfully ran target install/);
    expect(run.status).toBe(0);
    const puts = server.requests().filter((r) => r.method === 'PUT');
    expect(puts.length).toBeGreaterThanOrEqual(buildTasks(wsA).length);
    expect(puts.every((r) => r.status === 200)).toBe(true);
  });

  it('clone B (other path, empty local cache, no compilers/make) installs everything from the remote cache', () => {
    // A second checkout: the sources only — no local/, logs/, .nx/ (so no local cache, no tree), and no
    // upstream/ either: a build served by the cache needs no upstream file.
    wsB = createWorkspace({});
    cpSync(wsA, wsB, {
      recursive: true,
      filter: (src) => !/\/(local|logs|upstream|\.nx|node_modules)(\/|$)/.test(src.slice(wsA.length)),
    });
    expect(existsSync(join(wsB, 'local'))).toBe(false);
    expect(existsSync(join(wsA, 'upstream'))).toBe(true);
    expect(existsSync(join(wsB, 'upstream'))).toBe(false);
    const tools = pathWithoutBuildTools(join(dir, 'tools'), { keep: IDENTITY_COMPILERS });
    expect(tools.PATH).toBe(toolsPath);
    tripped = tools.tripped;
    // The tripwire is live: a build tool call through this PATH is recorded.
    expect(() => execFileSync('make', ['--version'], { env: { PATH: tools.PATH }, stdio: 'pipe' })).toThrow();
    expect(tools.tripped()).toEqual(['make --version']);
    execFileSync('sh', ['-c', `: > '${join(dir, 'tools/tripwire.log')}'`]);

    const getsBefore = server.requests().filter((r) => r.method === 'GET').length;
    const run = install(wsB, { PATH: tools.PATH });
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/Successfully ran target install/);
    expect(run.status).toBe(0);

    // Every build came from the remote cache: Nx marks each such task, nothing was built.
    const builds = buildTasks(wsB);
    for (const pkg of builds) expect({ pkg, line: new RegExp(`nx run ${pkg}:build.*\\[remote cache\\]`).test(output) }).toEqual({ pkg, line: true });
    expect(tools.tripped()).toEqual([]);
    expect(existsSync(join(wsB, 'local/var/tmp/sage/build'))).toBe(false); // no build directory was made
    expect(existsSync(join(wsB, 'upstream'))).toBe(false); // and no upstream file was needed or fetched
    const gets = server.requests().filter((r) => r.method === 'GET').slice(getsBefore);
    expect(gets.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(builds.length);
    expect(gets.filter((r) => r.status === 404)).toEqual([]);

    // The venv works and is consistent.
    const venv = findVenv(wsB);
    const python = (...args: string[]) => execFileSync(join(venv, 'bin/python'), args, { encoding: 'utf8', env: { PATH: tools.PATH } });
    expect(python('-m', 'pip', 'check', '--isolated').trim()).toBe('No broken requirements found.');
    const listed = (JSON.parse(python('-m', 'pip', 'list', '--isolated', '--format=json')) as Array<{ name: string }>).map((d) => d.name.toLowerCase());
    expect(listed).toEqual(expect.arrayContaining(['pip', 'setuptools', 'wheel', 'seedlib', 'seedplugin', 'seedapp', 'demoutil', 'democli']));
    expect(python('-c', 'import seedlib, seedplugin, seedapp, demoutil, democli; print("ok")').trim()).toBe('ok');
  });

  it('clone B: a second run builds and uploads nothing', () => {
    const before = server.requests().length;
    const run = install(wsB, { PATH: toolsPath });
    expect(run.status).toBe(0);
    expect(server.requests().slice(before).filter((r) => r.method === 'PUT')).toEqual([]);
    expect(run.stdout).not.toMatch(/nx run \w+:build\s*$/m); // every build line carries a cache tag
    expect(tripped()).toEqual([]);
  });
});

function findVenv(root: string): string {
  const dir = join(root, 'local/var/lib/sage');
  const name = readdirSync(dir).find((entry) => entry.startsWith('venv-python'));
  if (!name) throw new Error(`no venv under ${dir}: ${readFileSync(join(root, 'nx.json'), 'utf8')}`);
  return join(dir, name);
}
