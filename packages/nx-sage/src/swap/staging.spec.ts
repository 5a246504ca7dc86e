import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLocalProcess } from '../lock/host';
import { makeTempTree, removeTree } from '../testing/temp-tree';
import { collectStaleStaging, createStaging, isStaleStaging, OWNER_FILE, removeStaging, type StagingOwner } from './staging';

describe('per-attempt staging', () => {
  let root: string;
  beforeEach(() => (root = makeTempTree({})));
  afterEach(() => removeTree(root));
  const local = getLocalProcess();

  it('gives every attempt its own directory with an owner record; removing one leaves the other', () => {
    const a = createStaging(root, 'gmp');
    const b = createStaging(root, 'gmp');
    expect(a).not.toBe(b);
    const owner = JSON.parse(readFileSync(join(a, OWNER_FILE), 'utf8')) as StagingOwner;
    expect(owner).toMatchObject({ pid: process.pid, hostKey: local.hostKey, pkg: 'gmp' });
    removeStaging(a);
    expect(existsSync(b)).toBe(true);
  });

  it('collects staging of dead local owners only', () => {
    const live = createStaging(root, 'gmp');
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const dead = join(root, `gmp.${deadPid}.abcdef`);
    mkdirSync(dead);
    writeFileSync(join(dead, OWNER_FILE), JSON.stringify({ pid: deadPid, pidStart: '', hostKey: local.hostKey, host: local.host, since: 0, pkg: 'gmp' }));
    const foreign = join(root, 'gmp.77.abcdef');
    mkdirSync(foreign);
    writeFileSync(join(foreign, OWNER_FILE), JSON.stringify({ pid: 77, pidStart: '', hostKey: 'f0f0f0f0f0f0', host: 'other', since: 0, pkg: 'gmp' }));
    collectStaleStaging(root);
    expect(readdirSync(root).sort()).toEqual([live.split('/').pop(), 'gmp.77.abcdef'].sort());
  });

  it('judges foreign owners by age only (a week)', () => {
    const foreign: StagingOwner = { pid: 1, pidStart: '', hostKey: 'f0f0f0f0f0f0', host: 'other', since: 0, pkg: 'x' };
    const now = Date.now();
    expect(isStaleStaging(foreign, now - 3600_000, now, local)).toBe(false);
    expect(isStaleStaging(foreign, now - 8 * 24 * 3600_000, now, local)).toBe(true);
  });
});
