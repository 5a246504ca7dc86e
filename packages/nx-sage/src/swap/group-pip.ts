import { normalizeDistName } from './venv-state';

export const PIP = ['-m', 'pip', '--disable-pip-version-check', '--isolated'];

/** Our helpers' pip flags (sdh_actually_pip_install_wheel), for several requirement files at once. */
export function groupPipArgs(wheelsDirs: string[], requirementFiles: string[], uninstall: string[]) {
  return {
    uninstall: [...PIP, 'uninstall', '--yes', '--no-input', ...uninstall],
    install: [
      ...PIP,
      'install',
      '--no-index',
      ...[...new Set(wheelsDirs)].map((d) => `--find-links=${d}`),
      '--no-build-isolation',
      '--no-cache-dir',
      ...requirementFiles.flatMap((f) => ['-r', f]),
    ],
  };
}

export const unique = (names: string[]) => {
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = normalizeDistName(n);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

