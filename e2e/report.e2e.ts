/**
 * The end-of-run report through Nx's real task-execution hooks: a small workspace whose tasks record
 * facts with recordTaskFacts (as nx-sage's executors do) from child processes of nx run-many.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plain } from './support/sage-checkout';
import { assertPluginBuilt, REPO_ROOT, removeWorkspace, runNx } from './support/workspace';

const DIST = join(REPO_ROOT, 'packages/nx-sage/dist');

/** a depends on b depends on c; each `install` records a lock wait and an install outcome, then sleeps. */
function createHookWorkspace(): string {
  assertPluginBuilt();
  const root = mkdtempSync(join(tmpdir(), 'nx-sage-e2e-report-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  // Until src/index.ts exports the hooks, load them from dist through a local plugin file.
  writeFileSync(join(root, 'report-plugin.js'), `module.exports = { name: 'nx-sage-report-e2e', ...require(${JSON.stringify(join(DIST, 'report/hooks'))}) };\n`);
  writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins: ['./report-plugin.js'] }));
  const project = (name: string, deps: string[], waitMs: number, installed: string) => {
    const record = `require(${JSON.stringify(join(DIST, 'report/facts'))}).recordTaskFacts(process.cwd(), {project: '${name}', target: 'install', lockWaitMs: ${waitMs}, lockHolders: ['c:install (pid 1)'], installed: '${installed}'})`;
    mkdirSync(join(root, name));
    writeFileSync(
      join(root, name, 'project.json'),
      JSON.stringify({
        name,
        implicitDependencies: deps,
        targets: {
          install: { dependsOn: ['^install'], cache: false, command: `node -e ${JSON.stringify(record)} && sleep 0.3` },
          lint: { cache: false, command: 'true' },
        },
      }),
    );
  };
  project('c', [], 0, 'swapped');
  project('b', ['c'], 1200, 'swapped');
  project('a', ['b', 'c'], 300, 'noop');
  return root;
}

describe('run report (pre/postTasksExecution hooks)', () => {
  let ws: string;
  beforeAll(() => {
    ws = createHookWorkspace();
  });
  afterAll(() => removeWorkspace(ws));

  it('prints the report after nx run-many and writes the JSON into the workspace data', () => {
    const run = runNx(ws, ['run-many', '-t', 'install']);
    expect(run.status).toBe(0);
    const out = plain(run.stdout);
    expect(out).toMatch(/^nx-sage: 3 tasks in [\d.]+s: 3 ran, 0 restored from cache, 0 skipped$/m);
    expect(out).toMatch(/^ {2}installs: 2 swapped in, 0 built in place, 1 already installed$/m);
    expect(out).toMatch(/^ {2}tree lock: 1\.5s waited in 2 waits by 2 tasks; behind c:install \(pid 1\) 1\.5s$/m);
    expect(out).toMatch(/^ {2}critical path \([\d.]+s\): c:install \S+ → b:install \S+ → a:install \S+$/m);
    expect(out).toMatch(/^ {2}JSON report: \.nx\/workspace-data\/nx-sage-report\.json$/m);

    const report = JSON.parse(readFileSync(join(ws, '.nx/workspace-data/nx-sage-report.json'), 'utf8'));
    expect(report.counts).toEqual({ tasks: 3, built: 3, cached: 0, skipped: 0, failed: 0 });
    expect(report.criticalPath.tasks.map((t: { id: string }) => t.id)).toEqual(['c:install', 'b:install', 'a:install']);
    for (const task of report.tasks) expect(task.durationMs).toBeGreaterThanOrEqual(300);
    // The run's facts are gone once reported.
    expect(readdirSync(join(ws, '.nx/workspace-data/nx-sage-report/runs'))).toEqual([]);
  });

  it('writes the JSON where NX_SAGE_REPORT_FILE says', () => {
    const run = runNx(ws, ['run', 'c:install'], { NX_SAGE_REPORT_FILE: 'ci/nx-sage.json' });
    expect(run.status).toBe(0);
    expect(plain(run.stdout)).toMatch(/^ {2}JSON report: ci\/nx-sage\.json$/m);
    expect(JSON.parse(readFileSync(join(ws, 'ci/nx-sage.json'), 'utf8')).counts.tasks).toBe(1);
  });

  it('stays quiet for runs without nx-sage tasks', () => {
    const run = runNx(ws, ['run-many', '-t', 'lint'], { NX_SAGE_REPORT_FILE: 'ci/lint.json' });
    expect(run.status).toBe(0);
    expect(plain(run.stdout)).not.toMatch(/nx-sage:/);
    expect(existsSync(join(ws, 'ci/lint.json'))).toBe(false);
  });
});
