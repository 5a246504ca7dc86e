/**
 * Issue 7: the published package works for a Sage developer. `npm pack` of packages/nx-sage is installed
 * the way a user without package.json would (Nx's `.nx/installation` mode: `nx init`, the plugin in
 * nx.json's `installation.plugins`, the `./nx` wrapper installs both) into a fresh Sage 10.10.beta4
 * checkout with the demo packages added. The compiled JS from the tarball must be what runs: the
 * checkout has no node_modules and nothing is linked to this repository. The tests run in order and
 * share one checkout: they read as one session of a user.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBareSageCheckout, nxInitDotNx, NX_VERSION, packPlugin, readLoadProbe, runWrapper, userEnv, writeLoadProbe, type PackedPlugin } from './support/packed';
import { plain } from './support/sage-checkout';
import { REPO_ROOT, removeWorkspace, SAGE_10_10, type NxRun } from './support/workspace';

const FIXTURES = join(REPO_ROOT, 'tools/fixtures/python/build-fixtures.js');
/** The demo packages that are standard (demo_pip_req is optional and stays out). */
const DEMO = ['pip', 'setuptools', 'wheel', 'seedlib', 'seedplugin', 'seedapp', 'demoutil', 'democli'];
const out = (run: NxRun) => plain(`${run.stdout}\n${run.stderr}`);
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('the packed plugin in a Sage checkout without package.json (issue 7)', () => {
  let scratch: string; // tarball, demo fixtures, load probe
  let ws: string;
  let packed: PackedPlugin;
  let probe: { script: string; out: string };
  let installed: string;
  const at = (...p: string[]) => join(ws, ...p);
  const started = Date.now();
  const env = () => userEnv({ NODE_OPTIONS: `--require ${probe.script}`, NX_SAGE_PROBE_OUT: probe.out });
  const nx = (...args: string[]) => runWrapper(ws, args, env());

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-sage-packed-scratch-'));
    packed = packPlugin(scratch);
    const demo = join(scratch, 'demo');
    execFileSync('node', [FIXTURES, '--out', demo, '--quiet']);
    ws = createBareSageCheckout(SAGE_10_10, [demo]);
    probe = writeLoadProbe(scratch);
    installed = at('.nx/installation/node_modules/nx-sage');
  });
  afterAll(() => {
    console.log(`packed-plugin e2e: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
    removeWorkspace(ws);
    removeWorkspace(scratch);
  });

  it('the tarball holds the compiled plugin, everything executors.json and generators.json name, and no sources or specs', () => {
    const files = new Set(packed.files);
    const pkg = readJson(join(REPO_ROOT, 'packages/nx-sage/package.json'));
    expect(files.has('package.json')).toBe(true);
    expect(files.has(pkg.main)).toBe(true);
    expect(files.has(pkg.types)).toBe(true);
    expect(files.has('assets/sage-dist-helpers.bash')).toBe(true);
    const needed: string[] = [];
    const withJs = (p: string) => (p.endsWith('.js') ? p : `${p}.js`);
    for (const e of Object.values(readJson(join(REPO_ROOT, 'packages/nx-sage', pkg.executors)).executors) as any[]) {
      needed.push(withJs(e.implementation), e.schema);
    }
    for (const g of Object.values(readJson(join(REPO_ROOT, 'packages/nx-sage', pkg.generators)).generators) as any[]) {
      needed.push(withJs(g.factory), g.schema);
    }
    expect(needed.map((p) => p.replace(/^\.\//, '')).filter((p) => !files.has(p))).toEqual([]);
    // Shipped: compiled JS, declarations, maps, schemas, the helper script, READMEs. Never TS sources or tests.
    expect(packed.files.filter((f) => /\.spec\.|(^|\/)testing\/|__fixtures__|(?<!\.d)\.ts$/.test(f))).toEqual([]);
    console.log(`packed ${packed.files.length} files into ${packed.tarball}`);
  });

  it('nx init sets up the .nx/installation mode in the checkout (no package.json, no node_modules)', () => {
    expect(NX_VERSION).toBe('24.0.6');
    expect(existsSync(at('package.json'))).toBe(false);
    expect(existsSync(at('node_modules'))).toBe(false);
    const t = Date.now();
    const run = nxInitDotNx(ws, userEnv());
    console.log(`nx init (.nx/installation, installs nx ${NX_VERSION} from the registry): ${((Date.now() - t) / 1000).toFixed(1)} s`);
    expect(run.status).toBe(0);
    expect(existsSync(at('nx'))).toBe(true);
    expect(existsSync(at('.nx/nxw.js'))).toBe(true);
    expect(readJson(at('nx.json')).installation).toEqual({ version: NX_VERSION });
    expect(readJson(at('.nx/installation/node_modules/nx/package.json')).version).toBe(NX_VERSION);
    expect(existsSync(at('package.json'))).toBe(false);
  });

  it('the plugin added to installation.plugins is installed from the tarball by the ./nx wrapper, and nx finds its executors and generators there', () => {
    // What `nx add nx-sage@<version>` writes into nx.json in this mode (it resolves the version with `npm
    // view`, so it cannot take a local tarball): the wrapper then runs `npm i` in .nx/installation.
    const nxJson = readJson(at('nx.json'));
    nxJson.installation.plugins = { 'nx-sage': `file:${packed.tarball}` };
    writeFileSync(at('nx.json'), JSON.stringify(nxJson, null, 2) + '\n');
    const t = Date.now();
    const run = nx('list', 'nx-sage');
    console.log(`./nx wrapper installing the tarball: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    expect(run.status).toBe(0);
    // A copy of the tarball's contents, not a link into this repository.
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(realpathSync(installed)).toBe(installed);
    expect(readJson(join(installed, 'package.json')).version).toBe(packed.version);
    expect(existsSync(join(installed, 'src/index.ts'))).toBe(false);
    // Its runtime dependencies and the @nx/devkit peer came along.
    for (const dep of ['proper-lockfile', 'signal-exit', 'tar', '@nx/devkit']) {
      expect(existsSync(at('.nx/installation/node_modules', dep, 'package.json'))).toBe(true);
    }
    const text = out(run);
    expect(text).toMatch(/Path: \.nx\/installation\/node_modules\/nx-sage/);
    for (const name of ['init', 'spkg', 'download', 'build', 'install', 'uninstall', 'check']) {
      expect(text).toMatch(new RegExp(`^${name} : `, 'm'));
    }
  });

  it('nx g nx-sage:init runs the generator from the installation and registers the plugin', () => {
    const run = nx('g', 'nx-sage:init');
    expect(run.status).toBe(0);
    expect(out(run)).toMatch(/^UPDATE nx\.json$/m);
    expect(out(run)).toMatch(/nx run-many -t install/);
    const nxJson = readJson(at('nx.json'));
    expect(nxJson.plugins).toEqual([{ plugin: 'nx-sage', options: expect.objectContaining({ sageLocal: 'local' }) }]);
    expect(nxJson.installation.plugins).toEqual({ 'nx-sage': `file:${packed.tarball}` });
    // The spkg generator resolves too (dry run: nothing written).
    const spkg = nx('g', 'nx-sage:spkg', 'hello_packed', '--source=script', '--dry-run');
    expect(spkg.status).toBe(0);
    expect(out(spkg)).toMatch(/CREATE build\/pkgs\/hello_packed\//);
    expect(existsSync(at('build/pkgs/hello_packed'))).toBe(false);
  });

  it('the project graph has the Sage packages with nx-sage executors', () => {
    const run = nx('show', 'project', 'seedapp', '--json');
    expect(run.status).toBe(0);
    const project = JSON.parse(run.stdout);
    expect(project.targets.build.executor).toBe('nx-sage:build');
    expect(project.targets.build.options.package).toBe('seedapp');
    expect(project.targets.install.executor).toBe('nx-sage:install');
    expect(project.metadata.sage.version).toBe('3.0.9');
  });

  it('nx run-many -t install builds the demo packages and their dependencies; the venv passes pip check', () => {
    const t = Date.now();
    const run = nx('run-many', '-t', 'install', '-p', ...DEMO, '--output-style=stream');
    console.log(`run-many -t install of ${DEMO.length} demo packages: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (run.status !== 0) console.log(out(run).slice(-8000));
    expect(run.status).toBe(0);
    const text = out(run);
    expect(text).toMatch(new RegExp(`Successfully ran target install for ${DEMO.length} projects`));
    expect(text).toMatch(/nx-sage: \d+ tasks in .*: \d+ ran/);
    expect(existsSync(at('.nx/workspace-data/nx-sage-report.json'))).toBe(true);
    const venvs = readdirSync(at('local/var/lib/sage')).filter((d) => d.startsWith('venv-python'));
    expect(venvs).toHaveLength(1);
    const venv = at('local/var/lib/sage', venvs[0]);
    const stamps = readdirSync(join(venv, 'var/lib/sage/installed'));
    for (const pkg of DEMO) expect(stamps.some((s) => s.startsWith(`${pkg}-`))).toBe(true);
    expect(stamps.some((s) => s.startsWith('demo_pip_req'))).toBe(false);
    for (const pkg of DEMO) expect(existsSync(at('logs/pkgs', stamps.find((s) => s.startsWith(`${pkg}-`))! + '.log'))).toBe(true);
    expect(execFileSync(join(venv, 'bin/python3'), ['-m', 'pip', 'check'], { encoding: 'utf8' })).toMatch(/No broken requirements found/);
    expect(execFileSync(join(venv, 'bin/democli'), { encoding: 'utf8' }).length).toBeGreaterThan(0);
  });

  it('every plugin file that Nx loaded came from the tarball installation, none from this repository', () => {
    const loaded = readLoadProbe(probe.out);
    const fromRepo = loaded.filter((f) => f.startsWith(REPO_ROOT + '/'));
    expect(fromRepo).toEqual([]);
    const fromInstall = loaded.filter((f) => f.startsWith(installed + '/')).map((f) => f.slice(installed.length + 1));
    expect(loaded.filter((f) => !f.startsWith(installed + '/'))).toEqual([]);
    // The graph plugin, the generators and the executors that ran, all compiled JS from dist/.
    expect(fromInstall).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/generators/init/generator.js',
        'dist/generators/spkg/generator.js',
        'dist/stage/venv.js',
        'dist/stage/upstream.js',
        'dist/executors/build/executor.js',
      ]),
    );
    // install prefers Nx's batch mode: its batch implementation (or the single one) ran from the tarball.
    expect(fromInstall.some((f) => f === 'dist/executors/install/batch.js' || f === 'dist/executors/install/executor.js')).toBe(true);
    // Compiled JS from dist/, or a dependency installed with the tarball (signal-exit 4 sits under nx-sage/node_modules).
    expect(fromInstall.filter((f) => !f.startsWith('dist/') && !f.startsWith('node_modules/'))).toEqual([]);
  });
});
