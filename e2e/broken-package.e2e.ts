/**
 * One bad package never takes the workspace down (issue 15). The real-Python fixture tree
 * (tools/fixtures/python) plus:
 *  - `broken_type`: its `type` cannot be read: not text (bytes no UTF-8 decoder accepts). The tests run
 *    as root, for whom chmod 000 reads fine; a directory or dangling link named `type` is no file, so
 *    Nx never hands it to the plugin (no project at all, which is make's view too);
 *  - `broken_line`: standard, its dependencies line uses `$(shell ...)`, which nx-sage does not evaluate;
 *  - `needs_broken`: standard, depends on broken_line.
 * `nx show projects` and `nx graph` work; `nx run-many -t install` installs every other package (real
 * pip), fails the two broken packages with file:line and the construct, and does not run needs_broken.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plain } from './support/sage-checkout';
import { createWorkspace, removeWorkspace, REPO_ROOT, runNx } from './support/workspace';

const FIXTURES = join(REPO_ROOT, 'tools/fixtures/python/build-fixtures.js');
const GOOD = ['pip', 'setuptools', 'wheel', 'seedlib', 'seedplugin', 'seedapp', 'demoutil', 'democli'];

describe('a broken package in an otherwise good tree', () => {
  let ws: string;
  beforeAll(() => {
    ws = createWorkspace({});
    execFileSync(process.execPath, [FIXTURES, '--out', ws, '--quiet'], { stdio: 'pipe' });
    const pkg = (name: string) => join(ws, 'build/pkgs', name);
    mkdirSync(pkg('broken_type'));
    writeFileSync(join(pkg('broken_type'), 'type'), Buffer.from([0xff, 0xfe, 0x00, 0x73, 0x74, 0xc3, 0x28]));
    mkdirSync(pkg('broken_line'));
    writeFileSync(join(pkg('broken_line'), 'type'), 'standard\n');
    writeFileSync(join(pkg('broken_line'), 'dependencies'), 'seedlib $(shell echo pip) | $(PYTHON)\n');
    writeFileSync(join(pkg('broken_line'), 'spkg-install.in'), 'true\n');
    mkdirSync(pkg('needs_broken'));
    writeFileSync(join(pkg('needs_broken'), 'type'), 'standard\n');
    writeFileSync(join(pkg('needs_broken'), 'dependencies'), 'broken_line\n');
    writeFileSync(join(pkg('needs_broken'), 'spkg-install.in'), 'true\n');
  });
  afterAll(() => removeWorkspace(ws));

  it('nx show projects lists every package, the broken ones included', () => {
    const run = runNx(ws, ['show', 'projects', '--json']);
    expect(run.status).toBe(0);
    const projects = JSON.parse(run.stdout) as string[];
    expect(projects).toEqual(expect.arrayContaining([...GOOD, 'broken_type', 'broken_line', 'needs_broken', 'python3_venv']));
    // Inference names each problem once, with file and line.
    expect(plain(run.stderr)).toMatch(/build\/pkgs\/broken_line\/dependencies:1: package 'broken_line': .*\$\(shell echo pip\)/);
  });

  it('nx graph works; the dependent keeps its edge to the broken package and says it is broken', () => {
    const file = join(ws, 'graph-out.json');
    const run = runNx(ws, ['graph', `--file=${file}`]);
    expect(run.status).toBe(0);
    const graph = JSON.parse(readFileSync(file, 'utf8')).graph;
    expect(graph.dependencies.needs_broken.map((d: { target: string }) => d.target)).toEqual(['broken_line']);
    const show = JSON.parse(runNx(ws, ['show', 'project', 'needs_broken', '--json']).stdout);
    expect(show.metadata.sage.brokenDeps).toEqual(['broken_line']);
    expect(show.metadata.description).toMatch(/prerequisite broken_line is broken/);
    const broken = JSON.parse(runNx(ws, ['show', 'project', 'broken_type', '--json']).stdout);
    expect(broken.metadata.sage.error).toMatch(/build\/pkgs\/broken_type\/type: package 'broken_type': cannot read the type file/);
  });

  it('run-many -t install: the rest of the tree installs, the broken packages fail with file:line and the construct', () => {
    const run = runNx(ws, ['run-many', '-t', 'install', '--parallel=4', '--output-style=static']);
    const output = plain(run.stdout + run.stderr);
    expect(run.status).not.toBe(0);
    expect(output).toMatch(/cannot run broken_line:(build|install): package 'broken_line' is broken\n.*build\/pkgs\/broken_line\/dependencies:1: .*\$\(shell echo pip\)/);
    expect(output).toMatch(/cannot run broken_type:(build|install): package 'broken_type' is broken\n.*build\/pkgs\/broken_type\/type: .*cannot read the type file/);
    // Every good package was built and installed into the real venv (one Sage stamp each).
    const sage = join(ws, 'local/var/lib/sage');
    const venv = join(sage, readdirSync(sage).find((e) => e.startsWith('venv-python'))!);
    const stamps = readdirSync(join(venv, 'var/lib/sage/installed'));
    for (const pkg of GOOD) expect({ pkg, installed: stamps.some((s) => s.startsWith(`${pkg}-`)) }).toEqual({ pkg, installed: true });
    // The dependent of a broken package never ran.
    expect(stamps.some((s) => s.startsWith('needs_broken'))).toBe(false);
    const local = join(ws, 'local/var/lib/sage/installed');
    expect(existsSync(local) && readdirSync(local).some((s) => s.startsWith('needs_broken'))).toBe(false);
  });
});
