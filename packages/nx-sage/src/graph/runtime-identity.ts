/**
 * The machine a build runs on, as one Nx `runtime` input: Nx runs a runtime command once per run and
 * reuses its output for every task that names the same command, so 273 builds cost one Python start
 * (plus one `--version` per compiler). Two machines share a cached build only when this prints the
 * same text on both.
 *
 * What it prints, one line each:
 *  - the plugin's code hash (so no second runtime command is needed for it);
 *  - the compilers as configured: CC / CXX / FC (default cc, c++, gfortran), their argv, resolved
 *    path and full `--version` output (a missing one prints `missing`, which is an identity too);
 *  - libc (glibc's version through confstr, else platform.libc_ver()), `uname -sr`, the machine,
 *    and /etc/os-release's ID and VERSION_ID;
 *  - the Python the venv is created from: sys.executable and its real path, base prefix, version,
 *    ABI flags, SOABI, EXT_SUFFIX and the platform tag.
 *
 * The script is passed inline to `python -c` inside double quotes, so it uses no double quote, `$`,
 * backquote or backslash (the shell would rewrite them); a unit test checks that. The command names
 * no absolute path of this machine: two clones of one checkout get the same command string.
 */
export const IDENTITY_SCRIPT = [
  'import os, platform, shlex, shutil, subprocess, sys, sysconfig',
  'def tool(var, default):',
  '    argv = shlex.split(os.environ.get(var) or default)',
  '    path = shutil.which(argv[0]) if argv else None',
  '    if not path:',
  "        return var + ' missing ' + repr(argv)",
  '    try:',
  "        out = subprocess.run(argv + ['--version'], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)",
  "        version = (out.stdout.strip() or out.stderr.strip()) + ' exit=' + str(out.returncode)",
  '    except Exception as error:',
  "        version = 'failed ' + type(error).__name__",
  "    return var + ' ' + repr(argv) + ' ' + os.path.realpath(path) + ' ' + version",
  'def libc():',
  '    try:',
  "        return os.confstr('CS_GNU_LIBC_VERSION') or 'none'",
  '    except (ValueError, OSError, AttributeError):',
  "        return ' '.join(platform.libc_ver()) or 'none'",
  'def os_release():',
  '    fields = {}',
  "    for name in ('/etc/os-release', '/usr/lib/os-release'):",
  '        if os.path.exists(name):',
  "            for line in open(name, encoding='utf-8', errors='replace'):",
  "                key, sep, value = line.strip().partition('=')",
  "                if sep and key in ('ID', 'VERSION_ID'):",
  '                    fields[key] = value.strip(chr(34) + chr(39))',
  '            break',
  "    return fields.get('ID', '?') + ' ' + fields.get('VERSION_ID', '?')",
  'u = os.uname()',
  'cv = sysconfig.get_config_var',
  'print(chr(10).join([',
  "    'plugin ' + sys.argv[1],",
  "    tool('CC', 'cc'), tool('CXX', 'c++'), tool('FC', 'gfortran'),",
  "    'libc ' + libc(), 'uname ' + u.sysname + ' ' + u.release + ' ' + platform.machine(), 'os ' + os_release(),",
  "    'python ' + sys.executable + ' ' + os.path.realpath(sys.executable) + ' ' + sys.base_prefix,",
  "    'python-version ' + sys.version.replace(chr(10), ' '),",
  "    'python-abi ' + repr((getattr(sys, 'abiflags', ''), cv('SOABI'), cv('EXT_SUFFIX'), sysconfig.get_platform()))]))",
].join('\n');

/** The runtime command whose output identifies this machine's toolchain for `python` and the plugin. */
export function runtimeIdentityCommand(python: string, pluginHash: string): string {
  return `${python} -c "${IDENTITY_SCRIPT}" ${pluginHash}`;
}
