import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree } from '../testing/temp-tree';
import { clearRunFacts, mergeFacts, readRunFacts, recordTaskFacts, reportDataDir, RUN_ID_ENV, runFactsDir } from './facts';

describe('task facts', () => {
  let root: string;
  const savedEnv = { ...process.env };
  beforeEach(() => {
    root = makeTempTree({});
    // Relative to the workspace root, so Nx trusts it.
    process.env.NX_WORKSPACE_DATA_DIRECTORY = 'wsdata';
  });
  afterEach(() => {
    process.env = { ...savedEnv };
    removeTree(root);
  });

  it('lives under Nx\'s workspace data directory, one directory per run', () => {
    expect(reportDataDir(root)).toBe(join(root, 'wsdata/nx-sage-report'));
    expect(runFactsDir(root, 'run/1')).toBe(join(root, 'wsdata/nx-sage-report/runs/run%2F1'));
  });

  it('records under the run id from NX_SAGE_RUN_ID, merging repeated calls for one task', () => {
    process.env[RUN_ID_ENV] = 'r1';
    expect(recordTaskFacts(root, { project: 'gmp', target: 'install', lockWaitMs: 100, lockHolders: ['a'] })).toBe(true);
    expect(recordTaskFacts(root, { project: 'gmp', target: 'install', lockWaitMs: 50, lockHolders: ['b', 'a'], installed: 'swapped' })).toBe(true);
    expect(recordTaskFacts(root, { project: 'sage.lib', target: 'build', installed: 'built' })).toBe(true);
    const facts = readRunFacts(runFactsDir(root, 'r1')).sort((x, y) => x.project.localeCompare(y.project));
    expect(facts).toEqual([
      { project: 'gmp', target: 'install', lockWaitMs: 150, lockHolders: ['a', 'b'], installed: 'swapped' },
      { project: 'sage.lib', target: 'build', installed: 'built' },
    ]);
    expect(readdirSync(runFactsDir(root, 'r1')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('records nothing outside a run (no NX_SAGE_RUN_ID) and never throws', () => {
    delete process.env[RUN_ID_ENV];
    expect(recordTaskFacts(root, { project: 'gmp', target: 'install' })).toBe(false);
    expect(existsSync(reportDataDir(root))).toBe(false);
    writeFileSync(join(root, 'wsdata'), 'a file where a directory should be');
    expect(recordTaskFacts(root, { project: 'gmp', target: 'install' }, 'r1')).toBe(false);
  });

  it('skips unreadable fact files', () => {
    const dir = runFactsDir(root, 'r1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'half.json'), '{"project": "gm');
    writeFileSync(join(dir, 'other.json'), '{"x": 1}');
    recordTaskFacts(root, { project: 'gmp', target: 'build' }, 'r1');
    expect(readRunFacts(dir)).toEqual([{ project: 'gmp', target: 'build' }]);
    expect(readRunFacts(join(root, 'missing'))).toEqual([]);
  });

  it('clears the run\'s own facts and stale runs, but not other live runs', () => {
    for (const run of ['mine', 'live', 'stale']) recordTaskFacts(root, { project: 'gmp', target: 'build' }, run);
    const old = (Date.now() - 48 * 3600_000) / 1000;
    utimesSync(runFactsDir(root, 'stale'), old, old);
    clearRunFacts(root, 'mine');
    expect(readdirSync(join(reportDataDir(root), 'runs'))).toEqual(['live']);
  });

  it('merges: waits add up, holders are unioned, the last installed wins', () => {
    expect(mergeFacts(null, { project: 'p', target: 't', lockWaitMs: 1 })).toEqual({ project: 'p', target: 't', lockWaitMs: 1 });
    expect(mergeFacts({ project: 'p', target: 't', installed: 'noop' }, { project: 'p', target: 't' })).toEqual({ project: 'p', target: 't', installed: 'noop' });
    expect(mergeFacts({ project: 'p', target: 't', installed: 'noop' }, { project: 'p', target: 't', installed: 'built' }).installed).toBe('built');
    // An install of this run is not hidden by the confirmation that follows it.
    expect(mergeFacts({ project: 'p', target: 't', installed: 'swapped' }, { project: 'p', target: 't', installed: 'noop' }).installed).toBe('swapped');
  });
});
