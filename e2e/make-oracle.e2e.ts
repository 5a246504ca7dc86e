/**
 * Issue 11, scripts side: make is the oracle. Two copies of the configured Sage 10.10.beta4 checkout get
 * the same reachable upstream files (tools/fixtures/oracle/build-upstream.js: pip, setuptools, wheel,
 * packaging, pyproject_hooks, python_build as wheels; decorator as an sdist built by Sage's own
 * spkg-install.in; cliquer as a native autotools library with a preinst and a postinst) and the same
 * edits of package-version.txt/checksums.ini. Sage's own `make <them>` runs in one copy,
 * `nx run-many -t install -p <them>` in the other: stamps (minus times and nx-sage's key), installed
 * file manifests, `pip list` and what the pre/post-install scripts saw must be identical. Then each
 * tool runs in the other's tree and must build nothing (adoption both ways).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configuredCheckout, copyConfiguredCheckout } from './support/configured-checkout';
import { assertPluginBuilt, REPO_ROOT, removeWorkspace, runNx } from './support/workspace';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildOracleUpstream, applyOracleUpstream } = require('../tools/fixtures/oracle/build-upstream.js');

const PACKAGES = ['pip', 'setuptools', 'wheel', 'packaging', 'pyproject_hooks', 'python_build', 'decorator', 'cliquer'];
// A closed port: a file that is not in upstream/ fails at once instead of waiting on the network.
const OFFLINE = { SAGE_SERVER: 'http://127.0.0.1:9/', MAKE: 'make -j2', V: '0' };

interface Stamp {
  name: string;
  json?: Record<string, unknown>;
}

function stamps(root: string): Stamp[] {
  const out: Stamp[] = [];
  const local = join(root, 'local');
  const trees = [local, ...readdirSync(join(local, 'var/lib/sage')).filter((d) => d.startsWith('venv-')).map((d) => join(local, 'var/lib/sage', d))];
  for (const tree of trees) {
    const dir = join(tree, 'var/lib/sage/installed');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, name), 'utf8');
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined; // the venv stamp and .dummy are empty files (touch)
      }
      out.push({ name: `${tree === local ? 'SAGE_LOCAL' : 'SAGE_VENV'}/${name}`, json });
    }
  }
  return out;
}

/** A stamp as make would compare it: without the install time and nx-sage's own key; manifest sorted. */
function comparable(s: Stamp): Stamp {
  if (!s.json) return s;
  const { install_date: _date, nx_sage: _ours, files, ...rest } = s.json;
  return { name: s.name, json: { ...rest, files: [...((files as string[]) ?? [])].sort() } };
}

function pipList(root: string): unknown {
  const sage = join(root, 'local/var/lib/sage');
  const venv = readdirSync(sage).find((d) => d.startsWith('venv-'))!;
  const r = spawnSync(join(sage, venv, 'bin/python3'), ['-m', 'pip', 'list', '--isolated', '--format=json', '--disable-pip-version-check'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function make(root: string, args: string[]) {
  const t = Date.now();
  const r = spawnSync('make', args, { cwd: root, env: { ...process.env, ...OFFLINE }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, seconds: (Date.now() - t) / 1000 };
}

/** make, without blocking: the make build and the other copy's re-configure run side by side. */
function makeAsync(root: string, args: string[]): Promise<{ status: number | null; output: string; seconds: number }> {
  const t = Date.now();
  return new Promise((resolve) => {
    const child = spawn('make', args, { cwd: root, env: { ...process.env, ...OFFLINE } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (status) => resolve({ status, output, seconds: (Date.now() - t) / 1000 }));
  });
}

function mtimes(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of stamps(root)) {
    const [tree, name] = s.name.split('/');
    const dir = tree === 'SAGE_LOCAL' ? join(root, 'local') : join(root, 'local/var/lib/sage', readdirSync(join(root, 'local/var/lib/sage')).find((d) => d.startsWith('venv-'))!);
    out[s.name] = statSync(join(dir, 'var/lib/sage/installed', name)).mtimeMs;
  }
  return out;
}

describe('make is the oracle: the same packages built by make and by nx-sage (issue 11)', () => {
  let byMake: string;
  let byNx: string;
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

  beforeAll(async () => {
    assertPluginBuilt();
    const { python } = configuredCheckout();
    const upstream = buildOracleUpstream({ cache: join(REPO_ROOT, 'tmp/fixtures/oracle'), python });
    byMake = copyConfiguredCheckout('nx-sage-oracle-make-');
    byNx = copyConfiguredCheckout('nx-sage-oracle-nx-');
    for (const root of [byMake, byNx]) applyOracleUpstream(root, upstream);

    // make re-runs configure itself (the edits are newer than its output); the nx copy gets the same
    // through Sage's own rule, meanwhile.
    const [m, reconf] = await Promise.all([makeAsync(byMake, PACKAGES), makeAsync(byNx, ['build/make/Makefile'])]);
    console.log(`make ${PACKAGES.join(' ')} (with its re-configure): ${m.seconds.toFixed(0)} s (load ${load()})`);
    if (m.status !== 0) throw new Error(`Sage's make failed:\n${m.output.slice(-6000)}`);
    if (reconf.status !== 0) throw new Error(reconf.output.slice(-4000));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(byNx, 'node_modules'));
    writeFileSync(join(byNx, 'nx.json'), JSON.stringify({ plugins: [{ plugin: 'nx-sage', options: { python } }] }));
    const t = Date.now();
    const n = runNx(byNx, ['run-many', '-t', 'install', '-p', ...PACKAGES, '--parallel=2'], OFFLINE);
    console.log(`nx run-many -t install: ${((Date.now() - t) / 1000).toFixed(0)} s (load ${load()})`);
    if (n.status !== 0) throw new Error(`nx-sage failed:\n${(n.stdout + n.stderr).slice(-8000)}`);
    // Sage's make of eight packages with its re-configure: minutes (jest's testTimeout is global, not per project).
  }, 2_400_000);
  afterAll(() => {
    removeWorkspace(byMake);
    removeWorkspace(byNx);
  });

  it('writes the same stamps, with the same fields and the same file manifests', () => {
    const fromMake = stamps(byMake).map(comparable);
    const fromNx = stamps(byNx).map(comparable);
    expect(fromMake.map((s) => s.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^SAGE_VENV\/python3_venv-3\.\d+-/), 'SAGE_LOCAL/cliquer-1.23.p1']));
    expect(fromNx).toEqual(fromMake);
    // nx-sage's own key is there, and only there.
    expect(stamps(byNx).find((s) => s.name === 'SAGE_LOCAL/cliquer-1.23.p1')?.json?.nx_sage).toBeDefined();
  });

  it('installs the same Python distributions (pip list)', () => {
    expect(pipList(byNx)).toEqual(pipList(byMake));
  });

  it("runs cliquer's preinst before its build and its postinst after the install, as sage-spkg", () => {
    const seen = (root: string) => readFileSync(join(root, 'local/share/cliquer-order.txt'), 'utf8');
    expect(seen(byMake)).toBe('preinst: 0 libcliq files\npostinst: 3\n');
    expect(seen(byNx)).toBe(seen(byMake));
  });

  it('adopts the tree make built: nx-sage builds and installs nothing there', () => {
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(byMake, 'node_modules'));
    writeFileSync(join(byMake, 'nx.json'), JSON.stringify({ plugins: [{ plugin: 'nx-sage', options: { python: configuredCheckout().python } }] }));
    const before = mtimes(byMake);
    // static: the tasks' own lines (what ran, what was adopted) are printed, not folded away.
    const run = runNx(byMake, ['run-many', '-t', 'install', '-p', ...PACKAGES, '--parallel=2', '--output-style=static'], OFFLINE);
    const out = run.stdout + run.stderr;
    if (run.status !== 0) throw new Error(out.slice(-6000));
    expect(out).not.toMatch(/running spkg-/);
    expect(out).toMatch(/installed by Sage's make \(adopted/);
    expect(mtimes(byMake)).toEqual(before);
  });

  it('make sees what nx-sage installed as up to date: it runs no sage-spkg', () => {
    const before = mtimes(byNx);
    const again = make(byNx, PACKAGES);
    if (again.status !== 0) throw new Error(again.output.slice(-4000));
    expect(again.output).not.toMatch(/sage-spkg|Installing|Finished installing/);
    expect(mtimes(byNx)).toEqual(before);
  });

  it("Sage's own uninstaller removes what nx-sage installed (make <pkg>-uninstall: stamp manifest + installed spkg-piprm)", () => {
    const un = make(byNx, ['decorator-uninstall', 'cliquer-uninstall']);
    if (un.status !== 0) throw new Error(un.output.slice(-4000));
    const names = stamps(byNx).map((s) => s.name);
    expect(names).not.toContain('SAGE_LOCAL/cliquer-1.23.p1');
    expect(names.some((n) => /\/decorator-/.test(n))).toBe(false);
    expect(existsSync(join(byNx, 'local/bin/cliqcount'))).toBe(false);
    expect((pipList(byNx) as { name: string }[]).map((d) => d.name)).not.toContain('decorator');
  });
});
