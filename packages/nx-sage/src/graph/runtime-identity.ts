import { shellQuote } from './plugin-file';

/**
 * The machine a build runs on, as one Nx `runtime` input: Nx runs a runtime command once per run and
 * reuses its output for every task that names the same command, so 273 builds cost one Python start
 * (plus one `--version` per compiler). Two machines share a cached build only when this prints the
 * same text on both.
 *
 * What it prints, one line each (the script: assets/runtime-identity.py, covered by the plugin hash):
 *  - the plugin's code hash (so no second runtime command is needed for it);
 *  - the compilers as configured: CC / CXX / FC (default cc, c++, gfortran), their argv, resolved
 *    path and full `--version` output (a missing one prints `missing`, which is an identity too);
 *  - libc (glibc's version through confstr, else platform.libc_ver()), `uname -sr`, the machine,
 *    and /etc/os-release's ID and VERSION_ID;
 *  - the Python the venv is created from: sys.executable and its real path, base prefix, version,
 *    ABI flags, SOABI, EXT_SUFFIX and the platform tag.
 *
 * The script is a file, named by a workspace-relative path (plugin-file.ts pluginFilePath), so
 * two clones of one checkout get the same command string. It used to be inline (`python -c "..."`):
 * 1.9 KB in every build target, a quarter of the project graph that every forked task process parses.
 */
export const IDENTITY_SCRIPT_FILE = 'assets/runtime-identity.py';

/** The runtime command whose output identifies this machine's toolchain for `python` and the plugin. */
export function runtimeIdentityCommand(python: string, pluginHash: string, scriptPath: string): string {
  return `${python} ${shellQuote(scriptPath)} ${pluginHash}`;
}
