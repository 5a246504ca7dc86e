import type { NormalizedSpkgOptions } from './normalize-options';

// Bodies of spkg-install.in (bash without shebang; sage-spkg wraps them with Sage's environment).
const AUTOTOOLS = 'cd src\nsdh_configure\nsdh_make\nsdh_make_install\n';
const PYTHON_SDIST = 'cd src\nsdh_pip_install .\n';

function scriptStub(name: string): string {
  return [
    `# spkg-install.in of ${name}, a script package: bash run by sage-spkg inside Sage's environment`,
    '# (sage-dist-helpers, SAGE_LOCAL, SAGE_DESTDIR, ...). There is no upstream tarball. Install into',
    '# "$SAGE_DESTDIR$SAGE_LOCAL" (sdh_install, sdh_make_install) so the files reach the manifest,',
    '# then replace the two lines below.',
    `echo >&2 "Error: build/pkgs/${name}/spkg-install.in is a stub; write the install steps."`,
    'exit 1',
    '',
  ].join('\n');
}

/**
 * The spkg-install.in a new package starts with, or null when it needs none: wheels (sage-spkg writes
 * `sdh_store_and_pip_install_wheel .` itself), pip packages (`pip install -r requirements.txt`) and
 * packages without source.
 */
export function buildInstallScript(options: Pick<NormalizedSpkgOptions, 'name' | 'source' | 'python'>): string | null {
  switch (options.source) {
    case 'normal':
      return options.python ? PYTHON_SDIST : AUTOTOOLS;
    case 'script':
      return scriptStub(options.name);
    default:
      return null;
  }
}
