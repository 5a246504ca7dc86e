/**
 * Install batching on real Python + pip (tools/fixtures/python), through real `nx run-many`:
 * install is a preferBatch executor, so Nx hands the install tasks that are ready together to one
 * batch process; pure wheel installs of a batch share one exclusive section and one pip call.
 *  - a full install works and is consistent (pip check, one stamp per package);
 *  - with the builds cached and the tree deleted, installs that become ready together go through
 *    one pip call (the log says so) and the result is the same;
 *  - one package whose wheel pip rejects fails alone: the other packages of its batch install,
 *    the broken one keeps its previous version (files, stamp and distribution).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, removeWorkspace, REPO_ROOT, runNx, type NxRun } from './support/workspace';

const FIXTURES = join(REPO_ROOT, 'tools/fixtures/python/build-fixtures.js');
const PYTHON_PKGS = ['pip', 'setuptools', 'wheel', 'seedlib', 'seedplugin', 'seedapp', 'demoutil', 'democli'];

describe('batched install on real pip', () => {
  let ws: string;
  const nx = (...args: string[]): NxRun => runNx(ws, [...args, '--output-style=static']);
  const venv = () => {
    const dir = join(ws, 'local/var/lib/sage');
    return join(dir, readdirSync(dir).find((e) => e.startsWith('venv-python'))!);
  };
  const python = (...args: string[]) => execFileSync(join(venv(), 'bin/python'), args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const pipVersions = () =>
    new Map((JSON.parse(python('-m', 'pip', 'list', '--isolated', '--format=json')) as { name: string; version: string }[]).map((d) => [d.name.toLowerCase(), d.version]));
  const stamps = (pkg: string) => readdirSync(join(venv(), 'var/lib/sage/installed')).filter((s) => s.startsWith(`${pkg}-`));
  const expectConsistent = () => {
    expect(python('-m', 'pip', 'check', '--isolated').trim()).toBe('No broken requirements found.');
    for (const pkg of PYTHON_PKGS) expect({ pkg, stamps: stamps(pkg).length }).toEqual({ pkg, stamps: 1 });
  };

  beforeAll(() => {
    ws = createWorkspace({});
    execFileSync(process.execPath, [FIXTURES, '--out', ws, '--quiet'], { stdio: 'pipe' });
  });
  afterAll(() => removeWorkspace(ws));

  it('nx run-many -t install works with the batch executor; pip check is clean', () => {
    // Batches are the default (executors/install/batch-mode.ts); said here so the test keeps its meaning.
    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=8', '--output-style=static'], { NX_SAGE_INSTALL_BATCH: 'always' });
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/Successfully ran target install/);
    expect(run.status).toBe(0);
    expect(output).toMatch(/batch of \d+\)/); // the batch implementation ran the installs
    expectConsistent();
  });

  it('with cached builds and a deleted tree, ready installs share one pip call; same result', () => {
    rmSync(join(ws, 'local'), { recursive: true, force: true });
    const run = nx('run-many', '-t', 'install', '--parallel=8');
    const output = run.stdout + run.stderr;
    expect(run.status).toBe(0);
    expect(output).toMatch(/one pip call for [2-9] packages/);
    expect(output).not.toMatch(/combined pip install failed/);
    expectConsistent();
    // A second run is all no-ops.
    const again = nx('run-many', '-t', 'install', '--parallel=8');
    expect(again.status).toBe(0);
    expect(again.stdout).not.toMatch(/one pip call/);
    expect(again.stdout).toMatch(/nothing to do/);
  });

  it('a wheel pip rejects fails alone; the rest of its batch installs, the broken package keeps its previous version', () => {
    // wheel 0.38.4 -> 0.38.4.p0 with an upstream file that is not a zip (checksums updated: download and
    // build accept it, only pip refuses it); setuptools and seedlib get a patchlevel bump (reinstall).
    const upstream = join(ws, 'upstream/wheel-0.38.4-py3-none-any.whl');
    writeFileSync(upstream, 'this is not a zip file\n');
    const sha256 = createHash('sha256').update(readFileSync(upstream)).digest('hex');
    const sha1 = createHash('sha1').update(readFileSync(upstream)).digest('hex');
    const checksums = join(ws, 'build/pkgs/wheel/checksums.ini');
    writeFileSync(checksums, readFileSync(checksums, 'utf8').replace(/^sha256=.*$/m, `sha256=${sha256}`).replace(/^sha1=.*$/m, `sha1=${sha1}`));
    execFileSync(process.execPath, [FIXTURES, 'bump', ws, 'wheel', 'setuptools', 'seedlib'], { stdio: 'pipe' });
    const built = nx('run-many', '-t', 'build', '--projects=wheel,setuptools,seedlib', '--exclude-task-dependencies');
    expect(built.status).toBe(0);

    // Exactly these three installs, ready together: one batch.
    const run = nx('run-many', '-t', 'install', '--projects=wheel,setuptools,seedlib', '--exclude-task-dependencies');
    const output = run.stdout + run.stderr;
    expect(run.status).not.toBe(0);
    expect(output).toMatch(/batch of 3\)/);
    expect(output).toMatch(/one pip call for 3 packages/);
    expect(output).toMatch(/combined pip install failed/);
    expect(output).toMatch(/install of 'wheel' failed/);
    expect(output).not.toMatch(/install of 'setuptools' failed/);
    expect(output).not.toMatch(/install of 'seedlib' failed/);

    expect(stamps('setuptools')).toEqual(['setuptools-66.1.1.p0']);
    expect(stamps('seedlib')).toEqual(['seedlib-1.2.0.p0']);
    expect(stamps('wheel')).toEqual(['wheel-0.38.4']); // rolled back
    const versions = pipVersions();
    expect(versions.get('wheel')).toBe('0.38.4');
    expect(versions.get('setuptools')).toBe('66.1.1');
    expect(versions.get('seedlib')).toBe('1.2.0');
    expect(existsSync(join(venv(), 'var/lib/sage/wheels/wheel-0.38.4-py3-none-any.whl'))).toBe(true);
    expect(python('-m', 'pip', 'check', '--isolated').trim()).toBe('No broken requirements found.');
  });
});
