import { availableParallelism } from 'node:os';
import { buildParallelism, runParallelism } from './parallelism';

describe('runParallelism (what Nx reads as --parallel)', () => {
  it('takes --parallel=N and --parallel N', () => {
    expect(runParallelism(['run-many', '-t', 'install', '--parallel=8'], {})).toBe(8);
    expect(runParallelism(['run-many', '--parallel', '4', '-t', 'install'], {})).toBe(4);
  });

  it('--parallel alone or =true: --maxParallel, NX_PARALLEL, else 3; =false: 1', () => {
    expect(runParallelism(['--parallel'], {})).toBe(3);
    expect(runParallelism(['--parallel', '-t', 'x'], {})).toBe(3);
    expect(runParallelism(['--parallel=true', '--maxParallel=6'], {})).toBe(6);
    expect(runParallelism(['--parallel'], { NX_PARALLEL: '5' })).toBe(5);
    expect(runParallelism([], { NX_PARALLEL: '5' })).toBe(5);
    expect(runParallelism(['--parallel=false'], { NX_PARALLEL: '5' })).toBe(1);
  });

  it('--no-parallel is 1; --maxParallel alone counts; what follows -- is not ours', () => {
    expect(runParallelism(['--no-parallel'], {})).toBe(1);
    expect(runParallelism(['--maxParallel=5'], {})).toBe(5);
    expect(runParallelism(['-t', 'install', '--', '--parallel=9'], {})).toBe(3);
  });

  it('falls back to nx.json, then to Nx default 3; N% of the cores', () => {
    expect(runParallelism([], {}, { parallel: 7 })).toBe(7);
    expect(runParallelism(['--parallel=2'], {}, { parallel: 7 })).toBe(2);
    expect(runParallelism([], {})).toBe(3);
    expect(runParallelism(['--parallel=100%'], {})).toBe(availableParallelism());
  });

  it('the batch reads what the hook found, else 3', () => {
    expect(buildParallelism({ NX_SAGE_PARALLEL: '8' })).toBe(8);
    expect(buildParallelism({ NX_SAGE_PARALLEL: 'x' })).toBe(3);
    expect(buildParallelism({})).toBe(3);
  });
});
