import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTempTree, removeTree } from '../testing/temp-tree';
import { hashPluginFiles, pluginHash } from './plugin-hash';

describe('hashPluginFiles: the whole plugin package the executors load', () => {
  let pkg: string;
  beforeEach(() => {
    pkg = makeTempTree({
      'package.json': '{"name":"nx-sage","version":"0.1.0"}',
      'executors.json': '{}',
      'assets/sage-dist-helpers.bash': 'sdh_make() { :; }\n',
      'dist/index.js': 'exports.x = 1;',
      'dist/graph/targets.js': 'graph',
      'dist/stage/build-package.js': 'build',
      'dist/swap/file-swap.js': 'swap',
      'dist/stage/build-package.d.ts': 'declare const x: 1;',
      'dist/stage/build-package.js.map': '{}',
      'dist/stage/thing.spec.js': 'test',
      'dist/testing/infer.js': 'helper',
      'src/executors/build/schema.json': '{"properties":{}}',
      'src/stage/build-package.ts': 'source (not loaded when installed from dist)',
    });
  });
  afterEach(() => removeTree(pkg));
  const hash = () => hashPluginFiles(pkg, join(pkg, 'dist'));

  it.each(['dist/stage/build-package.js', 'dist/swap/file-swap.js', 'dist/index.js', 'assets/sage-dist-helpers.bash', 'package.json', 'src/executors/build/schema.json'])(
    'changes when %s changes',
    (file) => {
      const before = hash();
      writeFileSync(join(pkg, file), 'changed');
      expect(hash()).not.toBe(before);
    },
  );

  it.each(['dist/stage/build-package.d.ts', 'dist/stage/build-package.js.map', 'dist/stage/thing.spec.js', 'dist/testing/infer.js', 'src/stage/build-package.ts'])(
    'ignores %s (not loaded, or a test)',
    (file) => {
      const before = hash();
      writeFileSync(join(pkg, file), 'changed');
      expect(hash()).toBe(before);
    },
  );

  it('a new code file counts; the same plugin elsewhere hashes alike', () => {
    const before = hash();
    const copy = mkdtempSync(join(tmpdir(), 'nx-sage-plugin-copy-'));
    cpSync(pkg, copy, { recursive: true });
    expect(hashPluginFiles(copy, join(copy, 'dist'))).toBe(before);
    writeFileSync(join(pkg, 'dist/stage/new-module.js'), 'new');
    expect(hash()).not.toBe(before);
    rmSync(copy, { recursive: true, force: true });
  });

  it('pluginHash() of this checkout is a 16-hex digest, computed once', () => {
    expect(pluginHash()).toMatch(/^[0-9a-f]{16}$/);
    expect(pluginHash()).toBe(pluginHash());
  });
});
