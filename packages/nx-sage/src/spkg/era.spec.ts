import { detectWheelInstallRule } from './era';
import { readSpkg } from './package';
import { makeTempTree, removeTree, spkgFiles } from '../testing/temp-tree';
import { join } from 'node:path';

// sage-spkg's `*.whl)` branch, written for this test in the shape of the two eras of build/bin/sage-spkg.
const OLDER = `
    case "$PKG_SRC" in
    *.whl)
        mkdir -p dist
        cp "$PKG_SRC" dist/
        echo "sdh_store_and_pip_install_wheel ." > spkg-install.in
        ;;
    *)
        sage-uncompress-spkg -d src "$PKG_SRC"
`;
const CURRENT = `
    case "$PKG_SRC" in
    *.whl)
        mkdir -p dist
        cp "$PKG_SRC" dist/
        if [ ! -f spkg-install.in ]; then
            echo "sdh_store_and_pip_install_wheel ." > spkg-install.in
        fi
        ;;
`;

describe('era differences detected from the tree', () => {
  it('wheel tarballs: older sage-spkg always writes the pip install script, 10.10 only when there is none', () => {
    expect(detectWheelInstallRule(OLDER)).toBe('always');
    expect(detectWheelInstallRule(CURRENT)).toBe('if-missing');
    // No sage-spkg in the tree (the flattened metadata folder): 10.10's rule.
    expect(detectWheelInstallRule(null)).toBe('if-missing');
  });

  it('install-requires.txt (before 2024) marks a Python package like version_requirements.txt', () => {
    const root = makeTempTree({
      ...spkgFiles('pyparsing', { type: 'standard', 'package-version.txt': '3.0.9', 'install-requires.txt': 'pyparsing >=3.0\n' }),
      ...spkgFiles('newer', { type: 'standard', 'package-version.txt': '1', 'version_requirements.txt': 'newer\n' }),
      ...spkgFiles('native', { type: 'standard', 'package-version.txt': '1' }),
    });
    try {
      const pkgs = join(root, 'build/pkgs');
      expect(readSpkg(pkgs, 'pyparsing')).toMatchObject({ trees: 'SAGE_VENV', distributionName: 'pyparsing' });
      expect(readSpkg(pkgs, 'newer')).toMatchObject({ trees: 'SAGE_VENV', distributionName: 'newer' });
      expect(readSpkg(pkgs, 'native').trees).toBe('SAGE_LOCAL');
    } finally {
      removeTree(root);
    }
  });
});
