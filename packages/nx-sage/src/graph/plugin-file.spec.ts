import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { echoEnvOr, pluginFilePath, shellQuote } from './plugin-file';

describe('plugin files', () => {
  it('quotes words for sh: plain words as they are, anything else single-quoted', () => {
    expect(shellQuote('node_modules/nx-sage/dist/x.js')).toBe('node_modules/nx-sage/dist/x.js');
    expect(shellQuote('{"a":1}')).toBe(`'{"a":1}'`);
    expect(shellQuote("it's $HOME `x`")).toBe(`'it'\\''s $HOME \`x\`'`);
  });

  it('names a plugin file through node_modules/nx-sage when that is this plugin, else by a relative path', () => {
    const root = mkdtempSync(join(tmpdir(), 'plugin-file-'));
    try {
      const plugin = join(root, 'elsewhere', 'nx-sage');
      mkdirSync(plugin, { recursive: true });
      const ws = join(root, 'ws');
      mkdirSync(join(ws, 'node_modules'), { recursive: true });
      expect(pluginFilePath(ws, 'assets/x.py', plugin)).toBe('../elsewhere/nx-sage/assets/x.py');
      symlinkSync(plugin, join(ws, 'node_modules', 'nx-sage'));
      expect(pluginFilePath(ws, 'assets/x.py', plugin)).toBe('node_modules/nx-sage/assets/x.py');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('echoEnvOr', () => {
  const sh = (command: string, env: Record<string, string> = {}) =>
    require('node:child_process').execSync(command, { encoding: 'utf8', shell: '/bin/sh', env: { ...process.env, ...env } });

  it('prints what the hook set, else runs the fallback', () => {
    const command = echoEnvOr('NX_SAGE_TEST_VALUE', '"got $NX_SAGE_TEST_VALUE"', 'echo computed');
    expect(command).toBe('[ -n "$NX_SAGE_TEST_VALUE" ] && echo "got $NX_SAGE_TEST_VALUE" || echo computed');
    expect(sh(command, { NX_SAGE_TEST_VALUE: 'x' })).toBe('got x\n');
    expect(sh(command, { NX_SAGE_TEST_VALUE: '' })).toBe('computed\n');
  });
});
