import type { PostTasksExecutionContext, ProjectGraph } from '@nx/devkit';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree } from '../testing/temp-tree';
import { formatDuration } from './format';
import { postTasksExecution, preTasksExecution, reportFilePath, writeRunReport } from './hooks';
import { readRunFacts, recordTaskFacts, RUN_ID_ENV, runFactsDir } from './facts';

const T0 = 1_700_000_000_000;

function result(id: string, status: string, start: number, end: number) {
  const [project, target] = id.split(':');
  return { task: { id, target: { project, target }, overrides: {}, outputs: [], cache: true, startTime: T0 + start, endTime: T0 + end }, status, code: status === 'failure' ? 1 : 0 };
}

const graph = {
  nodes: {
    gmp: { name: 'gmp', type: 'lib', data: { root: 'build/pkgs/gmp', targets: { build: { executor: 'nx-sage:build' }, install: { executor: 'nx-sage:install', dependsOn: ['build'] } } } },
    docs: { name: 'docs', type: 'lib', data: { root: 'docs', targets: { lint: { executor: 'nx:run-commands' } } } },
  },
  dependencies: { gmp: [], docs: [] },
} as unknown as ProjectGraph;

describe('run report hooks', () => {
  let root: string;
  const savedEnv = { ...process.env };
  beforeEach(() => {
    root = makeTempTree({});
    process.env.NX_WORKSPACE_DATA_DIRECTORY = 'wsdata';
    delete process.env.NX_SAGE_REPORT_FILE;
    delete process.env.NX_SAGE_REPORT;
  });
  afterEach(() => {
    process.env = { ...savedEnv };
    removeTree(root);
    jest.restoreAllMocks();
  });

  const context = (taskResults: Record<string, unknown>) =>
    ({ id: 'run1', workspaceRoot: root, nxJsonConfiguration: {}, argv: [], startTime: T0, endTime: T0 + 65_000, taskResults }) as unknown as PostTasksExecutionContext;

  it('writes the JSON report and a short text for runs with nx-sage tasks', () => {
    const ctx = context({
      'gmp:build': result('gmp:build', 'success', 0, 60_000),
      'gmp:install': result('gmp:install', 'success', 60_000, 64_000),
      'docs:lint': result('docs:lint', 'success', 0, 10),
    });
    const written = writeRunReport(ctx, [{ project: 'gmp', target: 'install', lockWaitMs: 2500, lockHolders: ['flint:install (pid 7)'], installed: 'swapped' }], graph);
    expect(written!.path).toBe(join(root, 'wsdata/nx-sage-report.json'));
    const json = JSON.parse(readFileSync(written!.path, 'utf8'));
    expect(json.counts).toEqual({ tasks: 2, built: 2, cached: 0, skipped: 0, failed: 0 });
    expect(json.criticalPath.tasks.map((t: { id: string }) => t.id)).toEqual(['gmp:build', 'gmp:install']);
    expect(written!.text).toBe(
      [
        'nx-sage: 2 tasks in 1m 05s: 2 ran, 0 restored from cache, 0 skipped',
        '  by target: build 1 ran/0 cached/0 skipped, install 1 ran/0 cached/0 skipped',
        '  installs: 1 swapped in, 0 built in place, 0 already installed',
        '  slowest: gmp:build 1m 00s, gmp:install 4.0s',
        '  tree lock: 2.5s waited in 1 wait by 1 task; behind flint:install (pid 7) 2.5s',
        '  critical path (1m 04s): gmp:build 1m 00s → gmp:install 4.0s',
        '  JSON report: wsdata/nx-sage-report.json',
      ].join('\n'),
    );
  });

  it('says nothing for runs without nx-sage tasks', () => {
    expect(writeRunReport(context({ 'docs:lint': result('docs:lint', 'success', 0, 10) }), [], graph)).toBeNull();
  });

  it('without a project graph, reports the tasks that recorded facts', () => {
    const written = writeRunReport(context({ 'x:install': result('x:install', 'local-cache', 0, 10), 'y:lint': result('y:lint', 'success', 0, 5) }), [{ project: 'x', target: 'install', installed: 'noop' }], null);
    expect(JSON.parse(readFileSync(written!.path, 'utf8')).counts).toEqual({ tasks: 1, built: 0, cached: 1, skipped: 0, failed: 0 });
  });

  it('honours NX_SAGE_REPORT_FILE, relative to the workspace root', () => {
    process.env.NX_SAGE_REPORT_FILE = 'ci/report.json';
    expect(reportFilePath(root)).toBe(join(root, 'ci/report.json'));
    process.env.NX_SAGE_REPORT_FILE = '/abs/report.json';
    expect(reportFilePath(root)).toBe('/abs/report.json');
  });

  it('pre hook sets the run id for executors and clears the run; post hook prints, writes and cleans up', async () => {
    recordTaskFacts(root, { project: 'gmp', target: 'install', installed: 'built' }, 'run1');
    await preTasksExecution({}, { id: 'run1', workspaceRoot: root, nxJsonConfiguration: {}, argv: [] });
    expect(process.env[RUN_ID_ENV]).toBe('run1');
    expect(readRunFacts(runFactsDir(root, 'run1'))).toEqual([]);
    recordTaskFacts(root, { project: 'gmp', target: 'install', installed: 'noop' });
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // No cached project graph in this temp workspace: the facts identify the nx-sage task.
    await postTasksExecution({}, context({ 'gmp:install': result('gmp:install', 'success', 0, 10) }));
    expect(out.mock.calls.map((c) => String(c[0])).join('')).toMatch(/nx-sage: 1 task in 1m 05s: 1 ran[\s\S]*0 swapped in, 0 built in place, 1 already installed/);
    expect(readRunFacts(runFactsDir(root, 'run1'))).toEqual([]);
  });

  it('NX_SAGE_REPORT=false turns the report off; the run id (which names the run memo) is still given, and its data removed', async () => {
    process.env.NX_SAGE_REPORT = 'false';
    delete process.env[RUN_ID_ENV];
    await preTasksExecution({}, { id: 'run2', workspaceRoot: root, nxJsonConfiguration: {}, argv: [] });
    expect(process.env[RUN_ID_ENV]).toBe('run2');
    mkdirSync(join(runFactsDir(root, 'run2'), 'memo'), { recursive: true });
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await postTasksExecution({}, { ...context({ 'gmp:install': result('gmp:install', 'success', 0, 10) }), id: 'run2' });
    expect(out).not.toHaveBeenCalled();
    expect(existsSync(runFactsDir(root, 'run2'))).toBe(false);
  });
});

describe('formatDuration', () => {
  it.each([
    [350, '350ms'],
    [4200, '4.2s'],
    [62_000, '1m 02s'],
    [2 * 3600_000 + 5 * 60_000, '2h 05m'],
  ])('%i ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
