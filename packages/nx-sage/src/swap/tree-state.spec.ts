import { cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree } from '../testing/temp-tree';
import { collectTreeState, formatTreeState, treeState } from './tree-state';

const STAMPS = 'local/var/lib/sage/installed';
const VENV = 'local/var/lib/sage/venv-python3.12';

describe('treeState', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeTree));

  const tree = () => {
    const dir = makeTempTree({
      [`${STAMPS}/gmp-6.3.0`]: '{"nx_sage":{"artifact_hash":"a"}}\n',
      [`${STAMPS}/flint-3.1`]: '{}\n',
      [`${VENV}/var/lib/sage/installed/pip-25.0`]: '{}\n',
      [`${VENV}/lib/python3.12/site-packages/pip-25.0.dist-info/METADATA`]: 'Name: pip\n',
    });
    dirs.push(dir);
    return dir;
  };
  const state = (dir: string, venv?: string) => treeState(join(dir, 'local'), venv && join(dir, venv));

  it('is the same while nothing changes', () => {
    const dir = tree();
    expect(state(dir)).toMatch(/^nx-sage tree state [0-9a-f]{32}$/);
    expect(state(dir)).toBe(state(dir));
  });

  it.each([
    ['a stamp added', (d: string) => writeFileSync(join(d, STAMPS, 'mpfr-4.2'), '{}\n')],
    ['a stamp removed (uninstall)', (d: string) => rmSync(join(d, STAMPS, 'flint-3.1'))],
    ['a stamp replaced by rename (reinstall, same name)', (d: string) => {
      writeFileSync(join(d, STAMPS, '.tmp'), '{"nx_sage":{"artifact_hash":"b"}}\n');
      renameSync(join(d, STAMPS, '.tmp'), join(d, STAMPS, 'gmp-6.3.0'));
    }],
    ['a swap journal left behind', (d: string) => {
      mkdirSync(join(d, 'local/var/lib/sage/nx-journal'), { recursive: true });
      writeFileSync(join(d, 'local/var/lib/sage/nx-journal/gmp.json'), '{}\n');
    }],
    ['a venv stamp removed', (d: string) => rmSync(join(d, VENV, 'var/lib/sage/installed/pip-25.0'))],
    ['a distribution removed from the venv by hand (pip uninstall)', (d: string) => rmSync(join(d, VENV, 'lib/python3.12/site-packages/pip-25.0.dist-info'), { recursive: true })],
  ])('changes with %s', (_what, change) => {
    const dir = tree();
    const before = state(dir);
    change(dir);
    expect(state(dir)).not.toBe(before);
  });

  it('sees a default venv deleted, and the same venv deleted again after a run made it anew', () => {
    const dir = tree();
    const before = state(dir);
    rmSync(join(dir, VENV), { recursive: true });
    const deleted = state(dir);
    expect(deleted).not.toBe(before);
    mkdirSync(join(dir, VENV, 'var/lib/sage/installed'), { recursive: true });
    rmSync(join(dir, VENV), { recursive: true });
    expect(state(dir)).not.toBe(deleted);
  });

  it('never repeats for a named SAGE_VENV without stamps (deleted or not made yet)', () => {
    const dir = tree();
    rmSync(join(dir, VENV), { recursive: true });
    const first = state(dir, VENV);
    expect(first).toMatch(/^nx-sage tree state unknown /);
    expect(state(dir, VENV)).not.toBe(first);
  });

  it('counts the site-packages of SAGE_LOCAL when SAGE_VENV is SAGE_LOCAL', () => {
    const dir = makeTempTree({ [`${STAMPS}/pip-25.0`]: '{}\n', 'local/lib/python3.12/site-packages/pip-25.0.dist-info/METADATA': 'Name: pip\n' });
    dirs.push(dir);
    const before = state(dir, 'local');
    rmSync(join(dir, 'local/lib/python3.12/site-packages/pip-25.0.dist-info'), { recursive: true });
    expect(state(dir, 'local')).not.toBe(before);
  });

  it('finds the default venvs itself, and reads an explicit SAGE_VENV', () => {
    const dir = tree();
    const before = [state(dir), state(dir, VENV)];
    rmSync(join(dir, VENV, 'lib/python3.12/site-packages/pip-25.0.dist-info'), { recursive: true });
    expect(state(dir)).not.toBe(before[0]);
    expect(state(dir, VENV)).not.toBe(before[1]);
  });

  it('tells a tree restored with the same content (new directories) from the one it replaces; a content digest would not', () => {
    const dir = tree();
    const before = collectTreeState(join(dir, 'local'));
    const copy = join(dir, 'copy');
    cpSync(join(dir, 'local'), copy, { recursive: true, preserveTimestamps: true });
    rmSync(join(dir, 'local'), { recursive: true });
    renameSync(copy, join(dir, 'local'));
    const after = collectTreeState(join(dir, 'local'));
    if (typeof before === 'string' || typeof after === 'string') throw new Error('no stamps');
    // Control: names and sizes (what a content digest sees) are the same...
    const names = (entries: typeof before) => entries.map((e) => `${e.path} ${e.stat.split(':').pop()}`);
    expect(names(after)).toEqual(names(before));
    // ...the state is not.
    expect(formatTreeState('h', after)).not.toBe(formatTreeState('h', before));
  });

  it('never repeats for a tree without stamps yet (deleted or new): nothing can be skipped', () => {
    const dir = tree();
    rmSync(join(dir, 'local'), { recursive: true });
    const first = state(dir);
    expect(first).toMatch(/^nx-sage tree state unknown \(no .*installed yet\) [0-9a-f]{16}$/);
    expect(state(dir)).not.toBe(first);
  });

  it('formatTreeState is pure: the host and every entry count', () => {
    const entries = [{ path: '/t/var/lib/sage/installed', stat: '1:2:3:4' }];
    expect(formatTreeState('h', entries)).toBe(formatTreeState('h', [...entries]));
    expect(formatTreeState('other', entries)).not.toBe(formatTreeState('h', entries));
    expect(formatTreeState('h', [{ ...entries[0], stat: '1:2:3:5' }])).not.toBe(formatTreeState('h', entries));
  });
});
