import type { ProjectGraph } from '@nx/devkit';
import { tmpdir } from 'node:os';
import { buildPythons, inNxCommandGraph, machineIdentity, startMachineIdentity, type RunShell } from './machine-identity';

const graph = (targets: Record<string, { executor: string; options?: Record<string, unknown> }>[]): Pick<ProjectGraph, 'nodes'> => ({
  nodes: Object.fromEntries(targets.map((t, i) => [`p${i}`, { name: `p${i}`, type: 'lib', data: { root: `p${i}`, targets: t } }])),
});

describe('buildPythons', () => {
  it('collects the distinct pythons of nx-sage builds only, sorted', () => {
    const g = graph([
      { build: { executor: 'nx-sage:build', options: { python: '/opt/py3.12' } } },
      { build: { executor: 'nx-sage:build', options: { python: 'python3' } }, install: { executor: 'nx-sage:install', options: { python: 'other' } } },
      { build: { executor: 'nx-sage:build', options: { python: 'python3' } } },
      { build: { executor: 'nx:run-commands', options: { python: 'not-ours' } } },
    ]);
    expect(buildPythons(g, 'fallback')).toEqual(['/opt/py3.12', 'python3']);
  });

  it('falls back to the plugin option without a graph; a graph without builds needs no identity', () => {
    expect(buildPythons(null, 'python3')).toEqual(['python3']);
    expect(buildPythons(graph([{}]), 'python3.12')).toEqual([]);
  });
});

describe('machineIdentity', () => {
  const fake = (outputs: Record<string, string | Error>) => {
    const calls: string[] = [];
    const run: RunShell = async (command) => {
      calls.push(command);
      const python = command.split(' ')[0];
      const out = outputs[python];
      if (out instanceof Error) throw out;
      return out;
    };
    return { run, calls };
  };

  it('runs the identity script once per python, at the workspace root, and digests what it prints', async () => {
    const { run, calls } = fake({ python3: 'cc 13\n', '/opt/py': 'cc 12\n' });
    const id = await machineIdentity('/ws', ['/opt/py', 'python3'], () => {}, run);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(/^\/opt\/py \S*assets\/runtime-identity\.py [0-9a-f]{16}$/);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await machineIdentity('/ws', ['/opt/py', 'python3'], () => {}, fake({ python3: 'cc 13\n', '/opt/py': 'cc 12\n' }).run)).toBe(id);
    // Another compiler behind one of the pythons: another identity.
    expect(await machineIdentity('/ws', ['/opt/py', 'python3'], () => {}, fake({ python3: 'cc 14\n', '/opt/py': 'cc 12\n' }).run)).not.toBe(id);
  });

  it('counts a python that cannot print its identity with its error, and says so', async () => {
    const warnings: string[] = [];
    const id = await machineIdentity('/ws', ['python9'], (m) => warnings.push(m), fake({ python9: new Error('python9: not found') }).run);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(warnings).toEqual([expect.stringMatching(/could not read this machine's identity for builds with python9: python9: not found/)]);
    expect(id).not.toBe(await machineIdentity('/ws', ['python9'], () => {}, fake({ python9: '' }).run));
  });
});

describe('startMachineIdentity', () => {
  it('starts only inside the nx command computing its own graph (not in the daemon or a plugin worker, which outlive a run)', () => {
    expect(inNxCommandGraph({ NX_GRAPH_CREATION: true })).toBe(true);
    expect(inNxCommandGraph({})).toBe(false);
    expect(inNxCommandGraph({ NX_GRAPH_CREATION: true, NX_DAEMON: true })).toBe(false);
    expect(inNxCommandGraph({ NX_GRAPH_CREATION: true, NX_PLUGIN_WORKER: true })).toBe(false);
  });

  it('hands what it started to the next machineIdentity of that workspace and python, once', async () => {
    const ws = tmpdir();
    // `echo` for a python: the command prints the script path and the plugin hash.
    startMachineIdentity(ws, 'echo', { NX_GRAPH_CREATION: true });
    const never: RunShell = async () => {
      throw new Error('ran again');
    };
    const early = await machineIdentity(ws, ['echo'], () => {}, never);
    const expected = await machineIdentity(ws, ['echo'], () => {}, async (command) => `${command.split(' ').slice(1).join(' ')}\n`);
    expect(early).toBe(expected);
    // Used once: the next run asks again.
    const warnings: string[] = [];
    await machineIdentity(ws, ['echo'], (m) => warnings.push(m), never);
    expect(warnings).toEqual([expect.stringMatching(/ran again/)]);
  });

  it('does not hand over a start older than a run takes (another run of a long-lived process started it)', async () => {
    const ws = tmpdir();
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now - 60_000);
    startMachineIdentity(ws, 'echo', { NX_GRAPH_CREATION: true });
    clock.mockReturnValue(now);
    let ran = 0;
    await machineIdentity(ws, ['echo'], () => {}, async () => `${++ran}`);
    clock.mockRestore();
    expect(ran).toBe(1);
  });

  it('starts nothing outside the nx command', async () => {
    const ws = tmpdir();
    startMachineIdentity(ws, 'echo', {});
    let ran = 0;
    await machineIdentity(ws, ['echo'], () => {}, async () => `${++ran}`);
    expect(ran).toBe(1);
  });
});
