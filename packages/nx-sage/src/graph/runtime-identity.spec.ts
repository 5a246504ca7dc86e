// The runtime identity command, run for real with the machine's python3 (a `cc` wrapper on PATH stands
// for another compiler).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_SCRIPT_FILE, runtimeIdentityCommand } from './runtime-identity';

jest.setTimeout(120_000);
const PLUGIN_ROOT = join(__dirname, '..', '..');

describe('runtimeIdentityCommand', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nx-sage-identity-'));
    writeFileSync(join(dir, 'cc'), '#!/bin/sh\necho "cc (Other) 99.1.0"\n');
    chmodSync(join(dir, 'cc'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const identity = (env: Record<string, string | undefined> = {}) =>
    execFileSync('/bin/sh', ['-c', runtimeIdentityCommand('python3', '0123abcd', IDENTITY_SCRIPT_FILE)], { cwd: PLUGIN_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });

  it('names the script by a relative path (the same on every clone) and quotes it for the shell', () => {
    expect(runtimeIdentityCommand('python3', 'h', 'node_modules/nx-sage/assets/runtime-identity.py')).toBe('python3 node_modules/nx-sage/assets/runtime-identity.py h');
    expect(runtimeIdentityCommand('python3', 'h', "../odd dir/it's.py")).toBe(`python3 '../odd dir/it'\\''s.py' h`);
  });

  it('prints plugin, compilers, libc, OS and Python ABI; the same on a second run', () => {
    const out = identity();
    for (const line of [/^plugin 0123abcd$/m, /^CC \['cc'\] /m, /^CXX \['c\+\+'\] /m, /^FC /m, /^libc \S+/m, /^uname \S+ \S+ \S+$/m, /^os \S+ \S+$/m, /^python \//m, /^python-version 3\./m, /^python-abi \(/m]) {
      expect(out).toMatch(line);
    }
    expect(out).toMatch(/^python-abi .*cpython-3\d+/m);
    expect(identity()).toBe(out);
  });

  it('changes with the compiler: another cc first on PATH, or CC naming another one', () => {
    const base = identity();
    const wrapped = identity({ PATH: `${dir}:${process.env.PATH}` });
    expect(wrapped).not.toBe(base);
    expect(wrapped).toMatch(new RegExp(`^CC \\['cc'\\] ${join(dir, 'cc')} cc \\(Other\\) 99.1.0 exit=0$`, 'm'));
    expect(identity({ CC: join(dir, 'cc') })).toMatch(/^CC .*cc \(Other\) 99\.1\.0/m);
    expect(identity({ CC: 'no-such-compiler-nx-sage' })).toMatch(/^CC missing \['no-such-compiler-nx-sage'\]$/m);
  });
});
