import type { SpkgTarball } from '../spkg/checksums';
import { chooseTarball, wheelTags } from './platform-tarball';

const t = (filename: string): SpkgTarball => ({ pattern: filename, filename });
// The first blocks of rpds_py 0.30.0's checksums.ini order (macOS first), plus its sdist.
const rpds = [
  'rpds_py-0.30.0-cp312-cp312-macosx_10_12_x86_64.whl',
  'rpds_py-0.30.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl',
  'rpds_py-0.30.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  'rpds_py-0.30.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  'rpds_py-0.30.0-cp312-cp312-musllinux_1_2_x86_64.whl',
  'rpds_py-0.30.0.tar.gz',
].map(t);
// Abridged sys_tags() of CPython 3.12 on glibc x86_64, best first.
const linux312 = ['cp312-cp312-manylinux_2_36_x86_64', 'cp312-cp312-manylinux_2_17_x86_64', 'cp312-cp312-manylinux2014_x86_64', 'cp312-abi3-manylinux_2_17_x86_64', 'py3-none-any'];

describe('platform wheels (sage_bootstrap find_tarball_for_platform)', () => {
  it('expands compressed tag sets', () => {
    expect(wheelTags('x-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toEqual(['cp312-cp312-manylinux_2_17_x86_64', 'cp312-cp312-manylinux2014_x86_64']);
    expect(wheelTags('x-1.0-1build-py2.py3-none-any.whl')).toEqual(['py2-none-any', 'py3-none-any']);
    expect(wheelTags('x-1.0.tar.gz')).toBeUndefined();
  });
  it("picks this machine's wheel, not the first block (a macOS wheel)", () => {
    expect(chooseTarball(rpds, linux312)?.filename).toBe('rpds_py-0.30.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
  });
  it('falls back to the source tarball when no wheel fits or the tags are unknown', () => {
    expect(chooseTarball(rpds, ['cp311-cp311-linux_riscv64'])?.filename).toBe('rpds_py-0.30.0.tar.gz');
    expect(chooseTarball(rpds, undefined)?.filename).toBe('rpds_py-0.30.0.tar.gz');
  });
  it('takes the only block as it is, and the first when nothing else fits', () => {
    expect(chooseTarball([t('pip-23.2.1-py3-none-any.whl')], [])?.filename).toBe('pip-23.2.1-py3-none-any.whl');
    expect(chooseTarball([t('a-1-cp39-cp39-win32.whl'), t('a-1-cp39-cp39-win_amd64.whl')], linux312)?.filename).toBe('a-1-cp39-cp39-win32.whl');
  });
});
