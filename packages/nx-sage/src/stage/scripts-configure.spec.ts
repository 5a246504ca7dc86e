import { makeTempTree, removeTree } from '../testing/temp-tree';
import type { SageLayout } from '../tree/paths';
import { helperMode } from './scripts';

describe('helperMode in a Sage checkout', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeTree));
  const layout = (files: Record<string, string>) => {
    const sageRoot = makeTempTree({ 'build/bin/sage-dist-helpers': '', ...files });
    dirs.push(sageRoot);
    return { sageRoot } as SageLayout;
  };

  it('says to run ./configure when the checkout was not configured (instead of failing to source its env files)', () => {
    expect(() => helperMode(layout({}))).toThrow(/not configured[\s\S]*run `\.\/configure`/);
  });

  it('sources the checkout\'s helpers and configure\'s env files once configured', () => {
    const mode = helperMode(layout({ 'build/make/Makefile': '', 'src/bin/sage-env-config': '' }));
    expect(mode.checkout).toBe(true);
    expect(mode.sources.map((f) => f.split('/').slice(-1)[0])).toEqual(['sage-dist-helpers', 'sage-src-env-config', 'sage-env-config', 'sage-env', 'sage-build-env-config', 'sage-build-env']);
  });
});
