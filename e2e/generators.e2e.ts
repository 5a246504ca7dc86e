/** nx g nx-sage:init and nx g nx-sage:spkg in a real Sage 10.10.beta4 checkout without package.json. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkoutState, createSageCheckout, git, plain } from './support/sage-checkout';
import { removeWorkspace, runNx, SAGE_10_10 } from './support/workspace';

// Sage's own .gitignore already ignores its build directories (anchored, without the trailing slash).
const SAGE_GITIGNORE = '/dist\n/local\n/logs\n/upstream\n';

describe('nx-sage generators in a Sage checkout', () => {
  let ws: string;
  let upstreamDir: string;
  beforeAll(() => {
    ws = createSageCheckout({ sageTree: SAGE_10_10, nxJson: {}, gitignore: SAGE_GITIGNORE });
    upstreamDir = mkdtempSync(join(tmpdir(), 'nx-sage-upstream-'));
  });
  afterAll(() => {
    removeWorkspace(ws);
    removeWorkspace(upstreamDir);
  });

  it('init registers the plugin, ignores what the build writes, and says what to run next', () => {
    expect(existsSync(join(ws, 'package.json'))).toBe(false);
    const run = runNx(ws, ['g', 'nx-sage:init']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(plain(run.stdout)).toMatch(/^UPDATE nx.json$/m);
    expect(run.stdout).toMatch(/nx run-many -t install/);
    const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
    expect(nxJson.plugins).toEqual([{ plugin: 'nx-sage', options: expect.objectContaining({ sageLocal: 'local' }) }]);
    expect(nxJson.parallel).toBe(4);
    // Sage's lines already cover local/logs/upstream: only Nx's own data is added.
    expect(readFileSync(join(ws, '.gitignore'), 'utf8')).toBe(`${SAGE_GITIGNORE}\n# nx-sage: written by the Sage build and by Nx\n/.nx/cache/\n/.nx/workspace-data/\n`);
    expect(readFileSync(join(ws, '.nxignore'), 'utf8')).toMatch(/^\/local\/\n\/logs\/\n\/upstream\/\n$/m);
    // Plugins load inside nx (one process, not a worker per plugin): read by Nx from .env.
    expect(readFileSync(join(ws, '.env'), 'utf8')).toMatch(/^NX_ISOLATE_PLUGINS=false$/m);
    expect(git(ws, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).sort()).toEqual([' M .gitignore', ' M nx.json', '?? .env', '?? .nxignore']);
  });

  it('init run a second time changes nothing', () => {
    const before = checkoutState(ws);
    const run = runNx(ws, ['g', 'nx-sage:init']);
    expect(run.status).toBe(0);
    expect(plain(run.stdout)).toMatch(/Generating nx-sage:init/);
    expect(plain(run.stdout)).not.toMatch(/^(CREATE|UPDATE|DELETE) /m);
    expect(checkoutState(ws)).toBe(before);
  });

  it('nx show projects then finds the 437 packages and the venv node', () => {
    const run = runNx(ws, ['show', 'projects', '--json']);
    expect(run.status).toBe(0);
    const projects = JSON.parse(run.stdout) as string[];
    expect(projects).toHaveLength(438);
    expect(projects).toEqual(expect.arrayContaining(['gmp', 'sagelib', 'python3_venv']));
  });

  it('spkg creates a package from an upstream tarball that nx show project then shows', () => {
    const tarball = join(upstreamDir, 'foo_bar-2.5.1.tar.gz');
    writeFileSync(tarball, 'pretend tarball\n');
    const run = runNx(ws, ['g', 'nx-sage:spkg', 'foo_bar', '--source=normal', `--upstreamFile=${tarball}`, '--dependencies=gmp mpfr', '--description=Foo bars']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(plain(run.stdout)).toMatch(/^CREATE build\/pkgs\/foo_bar\/checksums.ini$/m);
    expect(readFileSync(join(ws, 'build/pkgs/foo_bar/checksums.ini'), 'utf8')).toMatch(/^tarball=foo_bar-VERSION.tar.gz\nsha1=[0-9a-f]{40}\nsha256=[0-9a-f]{64}\n$/);
    expect(existsSync(join(ws, 'upstream/foo_bar-2.5.1.tar.gz'))).toBe(true);

    const show = runNx(ws, ['show', 'project', 'foo_bar', '--json']);
    expect(show.status).toBe(0);
    const project = JSON.parse(show.stdout);
    expect(project.root).toBe('build/pkgs/foo_bar');
    expect(project.metadata.sage).toMatchObject({ source: 'normal', trees: 'SAGE_LOCAL', version: '2.5.1', tarball: 'foo_bar-2.5.1.tar.gz', deps: ['gmp', 'mpfr'], type: 'optional' });
    const projects = JSON.parse(runNx(ws, ['show', 'projects', '--json']).stdout) as string[];
    expect(projects).toHaveLength(439);
  });

  it('spkg refuses a bad name and an existing package, and says what to do', () => {
    const bad = runNx(ws, ['g', 'nx-sage:spkg', 'Foo-Bar', '--source=script']);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/rename it to 'foo_bar'/);
    const exists = runNx(ws, ['g', 'nx-sage:spkg', 'gmp', '--source=script']);
    expect(exists.status).not.toBe(0);
    expect(exists.stdout + exists.stderr).toMatch(/build\/pkgs\/gmp already exists/);
    expect(git(ws, 'status', '--porcelain', 'build/pkgs/gmp')).toBe('');
  });
});
