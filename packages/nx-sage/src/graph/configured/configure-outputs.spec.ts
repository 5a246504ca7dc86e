import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempTree, removeTree } from '../../testing/temp-tree';
import {
  configureOutputsHash,
  isConfigured,
  needsConfigure,
  newerThanConfigure,
  parseShellAssignments,
  staleConfigureError,
  unconfiguredError,
} from './configure-outputs';

describe('configure outputs', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeTree));
  const tree = (files: Record<string, string>) => {
    const dir = makeTempTree(files);
    dirs.push(dir);
    return dir;
  };
  const checkout = {
    'configure.ac': '',
    'build/bin/sage-spkg': '',
    'build/pkgs/gmp/type': 'standard\n',
    'build/pkgs/gmp/package-version.txt': '6.3.0\n',
    'build/pkgs/gmp/dependencies': '| xz\n',
  };
  const configured = { ...checkout, 'build/make/Makefile': 'x\n', 'src/bin/sage-env-config': 'export SAGE_LOCAL="/opt/sage"\n', 'build/bin/sage-build-env-config': '' };

  it('a checkout with Sage\'s tooling but no configure output needs ./configure, and the error says so', () => {
    const dir = tree(checkout);
    expect(isConfigured(dir)).toBe(false);
    expect(needsConfigure(dir)).toBe(true);
    expect(unconfiguredError(dir).message).toMatch(/run `\.\/configure`/);
    expect(unconfiguredError(dir).message).toContain(join(dir, 'build/make/Makefile'));
    // Trees without Sage's tooling (fixtures, the metadata-only tree) need nothing.
    expect(needsConfigure(tree({ 'build/pkgs/gmp/type': 'standard\n' }))).toBe(false);
  });

  it('a configured checkout is current until a package-version.txt or dependencies* file is newer than its Makefile', () => {
    const dir = tree(configured);
    expect(isConfigured(dir)).toBe(true);
    const old = new Date(Date.now() - 3600_000);
    for (const f of ['configure.ac', 'build/pkgs/gmp/type', 'build/pkgs/gmp/package-version.txt', 'build/pkgs/gmp/dependencies']) utimesSync(join(dir, f), old, old);
    expect(newerThanConfigure(dir)).toBeNull();
    const later = new Date(Date.now() + 3600_000);
    utimesSync(join(dir, 'build/pkgs/gmp/dependencies'), later, later);
    expect(newerThanConfigure(dir)).toBe('build/pkgs/gmp/dependencies');
    const message = staleConfigureError(dir, 'build/pkgs/gmp/dependencies').message;
    expect(message).toContain(join(dir, 'build/pkgs/gmp/dependencies'));
    expect(message).toMatch(/make build\/make\/Makefile/);
  });

  it('hashes the content of configure\'s three outputs', () => {
    const a = tree(configured);
    const b = tree({ ...configured, 'build/bin/sage-build-env-config': 'CONFIGURED_CFLAGS="-O3"\n' });
    expect(configureOutputsHash(a)).not.toBe(configureOutputsHash(b));
    expect(configureOutputsHash(a)).toBe(configureOutputsHash(tree(configured)));
  });

  it('reads sage-env-config\'s assignments', () => {
    const text = '# comment\nexport SAGE_ENV_CONFIG_SOURCED=1\nexport SAGE_LOCAL="/tmp/x/local"\nCONFIGURED_CC="gcc"\nSAGE_ARCHFLAGS="unset"\nif [ -z "$X" ]; then\n  X=1\nfi\n';
    expect(parseShellAssignments(text)).toMatchObject({ SAGE_LOCAL: '/tmp/x/local', CONFIGURED_CC: 'gcc', SAGE_ENV_CONFIG_SOURCED: '1', X: '1' });
  });
});
