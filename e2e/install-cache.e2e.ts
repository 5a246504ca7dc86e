/**
 * Issue 12: a no-op run starts no install. An install is cached by its build's inputs plus the install
 * state of the tree (swap/tree-state.ts), so Nx skips it only when the tree is exactly as an earlier run
 * left it after installing or checking the same artifact. Every way the tree changes makes the installs
 * run again: an uninstall, a deleted tree; a file deleted by hand under an unchanged stamp is what make
 * does not see either, and `--skip-nx-cache` checks it.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, removeWorkspace, runNx } from './support/workspace';

const DEPS_TRAILER = '\n----------\nAll lines of this file are ignored except the first.\n';
const PACKAGES = ['alpha', 'beta', 'gamma'];

/** Three script packages (no upstream file, no compiler): beta needs alpha. */
function tree(): Record<string, string> {
  const pkg = (name: string, deps: string) => ({
    [`build/pkgs/${name}/type`]: 'standard\n',
    [`build/pkgs/${name}/dependencies`]: `${deps}\n${DEPS_TRAILER}`,
    [`build/pkgs/${name}/spkg-install.in`]: `mkdir -p out\necho "${name}" > out/${name}.txt\nsdh_install out/${name}.txt "$SAGE_LOCAL/share/${name}"\n`,
    [`build/pkgs/${name}/SPKG.rst`]: `${name}: install cache fixture\n`,
  });
  return { ...pkg('alpha', ''), ...pkg('beta', 'alpha'), ...pkg('gamma', '') };
}

// Both ways Nx loads the plugin: in a worker per plugin (Nx's default), and inside nx, as init sets it up
// (.env: NX_ISOLATE_PLUGINS=false; the machine identity then starts while Nx computes the graph).
describe.each([
  ['plugins in workers', 'true'],
  ['plugins inside nx', 'false'],
])('a no-op run starts no install; any change to the tree makes them run again (%s)', (_mode, isolate) => {
  let ws: string;
  const nxEnv = { NX_ISOLATE_PLUGINS: isolate };
  const installed = (pkg: string) => existsSync(join(ws, 'local/share', pkg, `${pkg}.txt`));
  /** How each install ended in this run: 'cached' (Nx skipped it) or 'ran'. */
  const install = (...extra: string[]) => {
    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=3', '--output-style=static', ...extra], nxEnv);
    const output = run.stdout + run.stderr;
    expect({ status: run.status, output }).toMatchObject({ status: 0 });
    const line = (pkg: string) => output.split('\n').find((l) => new RegExp(`nx run ${pkg}:install`).test(l)) ?? '';
    return {
      output,
      installs: Object.fromEntries(PACKAGES.map((pkg) => [pkg, /\[(local cache|existing outputs match the cache, left as is)\]/.test(line(pkg)) ? 'cached' : 'ran'])),
    };
  };
  const all = (state: string) => Object.fromEntries(PACKAGES.map((pkg) => [pkg, state]));

  beforeAll(() => {
    ws = createWorkspace({});
    for (const [file, content] of Object.entries(tree())) {
      mkdirSync(join(ws, file, '..'), { recursive: true });
      writeFileSync(join(ws, file), content);
    }
  });
  afterAll(() => removeWorkspace(ws));

  it('the first run installs; the next one checks (the tree changed since the first began); the third skips every install', () => {
    expect(install().installs).toEqual(all('ran'));
    for (const pkg of PACKAGES) expect(installed(pkg)).toBe(true);
    const second = install();
    expect(second.installs).toEqual(all('ran'));
    expect(second.output).toMatch(/nothing to do/);
    expect(install().installs).toEqual(all('cached'));
  });

  it('an uninstall changes the tree: every install runs, the uninstalled package comes back; checked once more, then all skip', () => {
    expect(runNx(ws, ['run', 'alpha:uninstall', '--output-style=static'], nxEnv).status).toBe(0);
    expect(installed('alpha')).toBe(false);
    expect(install().installs).toEqual(all('ran'));
    expect(installed('alpha')).toBe(true);
    // That run changed the tree (alpha's new stamp) after Nx hashed its installs: the next run checks.
    expect(install().installs).toEqual(all('ran'));
    expect(install().installs).toEqual(all('cached'));
  });

  it('a file deleted by hand under an unchanged stamp is not seen by a skipped install (nor by make); --skip-nx-cache repairs it', () => {
    rmSync(join(ws, 'local/share/gamma/gamma.txt'));
    expect(install().installs).toEqual(all('cached'));
    expect(installed('gamma')).toBe(false);
    expect(install('--skip-nx-cache').installs).toEqual(all('ran'));
    expect(installed('gamma')).toBe(true);
  });

  it('a deleted tree is never up to date, though it looks like the empty tree of the first run: everything is installed again', () => {
    // --skip-nx-cache rebuilt the artifacts without storing them: the next run restores the cached ones
    // (another artifact: reinstalled), the one after checks that state, then installs are skipped.
    let runs = 0;
    while (runs < 4 && JSON.stringify(install().installs) !== JSON.stringify(all('cached'))) runs++;
    expect(runs).toBeLessThan(4);
    rmSync(join(ws, 'local'), { recursive: true, force: true });
    expect(install().installs).toEqual(all('ran'));
    for (const pkg of PACKAGES) expect(installed(pkg)).toBe(true);
  });
});
