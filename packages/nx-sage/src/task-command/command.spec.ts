import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { shellQuote, taskCommand, taskEntryPath, TASK_ENTRY } from './command';

describe('task command', () => {
  it('quotes words for sh: plain words as they are, anything else single-quoted', () => {
    expect(shellQuote('node_modules/nx-sage/dist/x.js')).toBe('node_modules/nx-sage/dist/x.js');
    expect(shellQuote('{"a":1}')).toBe(`'{"a":1}'`);
    expect(shellQuote("it's $HOME `x`")).toBe(`'it'\\''s $HOME \`x\`'`);
  });

  it('the shell hands the verb and the options to the entry exactly, whatever the paths hold', () => {
    const dir = mkdtempSync(join(tmpdir(), 'task-command-'));
    try {
      const printer = join(dir, 'print.js');
      writeFileSync(printer, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))');
      const options = { package: 'gmp', sageRoot: "we'ird $dir/`x` \"q\"", artifactsDir: 'a b/c' };
      const [verb, json] = JSON.parse(execFileSync('/bin/sh', ['-c', taskCommand(printer, 'build', options)], { encoding: 'utf8' }));
      expect(verb).toBe('build');
      expect(JSON.parse(json)).toEqual(options);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the entry is reached through node_modules/nx-sage when that is this plugin, else by a relative path', () => {
    const root = mkdtempSync(join(tmpdir(), 'task-entry-'));
    try {
      const plugin = join(root, 'elsewhere', 'nx-sage');
      mkdirSync(plugin, { recursive: true });
      const ws = join(root, 'ws');
      mkdirSync(join(ws, 'node_modules'), { recursive: true });
      expect(taskEntryPath(ws, plugin)).toBe(`../elsewhere/nx-sage/${TASK_ENTRY}`);
      symlinkSync(plugin, join(ws, 'node_modules', 'nx-sage'));
      expect(taskEntryPath(ws, plugin)).toBe(`node_modules/nx-sage/${TASK_ENTRY}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
