import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTimesFile, expectedSeconds, kindOf, PRIOR_SECONDS, readBuildTimes, recordBuildTimes, SAGE_LIBRARY } from './estimates';
import { installsInRun } from './installs-in-run';

describe('build time estimates', () => {
  it('a measured build time wins; otherwise the prior of the kind', () => {
    expect(kindOf({ source: 'normal', trees: 'SAGE_LOCAL' })).toBe('native');
    expect(kindOf({ source: 'normal', trees: 'SAGE_VENV' })).toBe('python');
    expect(kindOf({ source: 'wheel', trees: 'SAGE_VENV' })).toBe('wheel');
    expect(kindOf({ source: 'none' })).toBe('none');
    expect(expectedSeconds({ package: 'flint', source: 'normal', trees: 'SAGE_LOCAL' }, {})).toBe(PRIOR_SECONDS.native);
    expect(expectedSeconds({ package: 'flint', source: 'normal', trees: 'SAGE_LOCAL' }, { flint: 8.4 })).toBe(8.4);
    expect(expectedSeconds(undefined, { flint: 8.4 })).toBe(0);
  });

  it("Sage's library is expected to be the longest build until it was measured", () => {
    const sagelib = { package: 'sagelib', source: 'script', trees: 'SAGE_VENV' };
    expect(expectedSeconds(sagelib, {})).toBe(SAGE_LIBRARY.seconds);
    expect(SAGE_LIBRARY.seconds).toBeGreaterThan(5 * Math.max(...Object.values(PRIOR_SECONDS)));
    expect(expectedSeconds(sagelib, { sagelib: 36.5 })).toBe(36.5);
  });

  it('records measurements over the earlier ones; a broken file reads as none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'build-times-'));
    try {
      const file = buildTimesFile(dir);
      expect(readBuildTimes(file)).toEqual({});
      recordBuildTimes(file, { gmp: 2, flint: 8 });
      recordBuildTimes(file, { flint: 9 });
      expect(readBuildTimes(file)).toEqual({ gmp: 2, flint: 9 });
      writeFileSync(file, '{half');
      expect(readBuildTimes(file)).toEqual({});
      expect(readFileSync(file, 'utf8')).toBe('{half');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('installsInRun', () => {
  it('finds the packages whose nx-sage install task is in the run, under any target name', () => {
    const graph = {
      nodes: {
        gmp: { data: { targets: { build: { executor: 'nx-sage:build' }, setup: { executor: 'nx-sage:install', options: { package: 'gmp' } } } } },
        info: { data: { targets: { install: { executor: 'nx:noop' } } } },
        mpfr: { data: { targets: { build: { executor: 'nx-sage:build' }, setup: { executor: 'nx-sage:install', options: { package: 'mpfr' } } } } },
      },
    } as never;
    const task = (project: string, target: string) => ({ id: `${project}:${target}`, target: { project, target }, overrides: {}, outputs: [] });
    const runTasks = { 'gmp:build': task('gmp', 'build'), 'gmp:setup': task('gmp', 'setup'), 'info:install': task('info', 'install'), 'mpfr:build': task('mpfr', 'build') } as never;
    const found = installsInRun(runTasks, graph);
    expect([...found.keys()]).toEqual(['gmp']);
    expect(found.get('gmp')).toEqual({ target: 'setup', options: { package: 'gmp' } });
  });
});
