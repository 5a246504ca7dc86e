import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcFilePrerequisites } from '../graph/targets';
import { ensurePcFiles, missingPcFiles, pcFilesMakeArgs } from './pc-files';

describe('configure\'s PCFILES', () => {
  it('are the absolute .pc prerequisites of a package, not FORCE, Sage sources or stamps', () => {
    const deps = ['FORCE', '/SAGE_SRC/sage/x.pxd', '/r/local/lib/pkgconfig/gsl.pc', '/r/local/lib/pkgconfig/blas.pc', '/r/local/var/lib/sage/installed/x-1'];
    expect(pcFilePrerequisites(deps)).toEqual(['/r/local/lib/pkgconfig/gsl.pc', '/r/local/lib/pkgconfig/blas.pc']);
    expect(pcFilePrerequisites(['FORCE'])).toEqual([]);
  });

  it('asks the configured Makefile for the missing files only, with the trees make gets from build/make/install', () => {
    expect(missingPcFiles(['/a.pc', '/b.pc'], (f) => f === '/a.pc')).toEqual(['/b.pc']);
    expect(pcFilesMakeArgs('/r', '/r/local', ['/r/local/lib/pkgconfig/gsl.pc'])).toEqual([
      '-f', '/r/build/make/Makefile', '--no-print-directory',
      'SAGE_ROOT=/r', 'SAGE_SRC=/r/src', 'SAGE_LOCAL=/r/local', 'SAGE_PKGCONFIG=/r/local/lib/pkgconfig',
      '/r/local/lib/pkgconfig/gsl.pc',
    ]);
  });

  describe('written by real make from a Makefile shaped like configure\'s', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'nx-sage-pc-'));
      mkdirSync(join(root, 'build/make'), { recursive: true });
      mkdirSync(join(root, 'system'));
      writeFileSync(join(root, 'system/gsl.pc'), 'Name: gsl\n');
      // As build/pkgs/gsl/spkg-configure.m4 writes it for a system GSL: remove, then link the system's file.
      writeFileSync(
        join(root, 'build/make/Makefile'),
        `LN = ln\n$(SAGE_PKGCONFIG)/gsl.pc:\n\t-rm -f $@\n\tmkdir -p $(@D) && $(LN) -sf ${root}/system/gsl.pc $@\n$(SAGE_PKGCONFIG)/broken.pc:\n\tfalse\n`,
      );
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));
    const local = () => join(root, 'local');
    const pc = (name: string) => join(local(), 'lib/pkgconfig', name);

    it('writes a missing file as make would, and leaves present ones alone', async () => {
      const lines: string[] = [];
      const input = { sageRoot: root, sageLocal: local(), files: [pc('gsl.pc')], log: (l: string) => lines.push(l) };
      expect(await ensurePcFiles(input)).toEqual([pc('gsl.pc')]);
      expect(lstatSync(pc('gsl.pc')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(pc('gsl.pc'))).toBe(join(root, 'system/gsl.pc'));
      expect(lines).toEqual(['pkg-config stand-ins (configure\'s PCFILES): make gsl.pc']);
      // Present: make is not asked again (a Makefile that fails would show it).
      writeFileSync(join(root, 'build/make/Makefile'), 'x:\n\tfalse\n');
      expect(await ensurePcFiles(input)).toEqual([]);
    });

    it('fails with make\'s output, the Makefile and what to do', async () => {
      const input = { sageRoot: root, sageLocal: local(), files: [pc('broken.pc')], log: () => undefined };
      await expect(ensurePcFiles(input)).rejects.toThrow(/pkg-config files .*broken\.pc \(exit 2\) from .*build\/make\/Makefile:[\s\S]*false[\s\S]*re-run \.\/configure/);
      expect(existsSync(pc('broken.pc'))).toBe(false);
    });
  });
});
