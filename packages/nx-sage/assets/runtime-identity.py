# The machine a build runs on, as one Nx runtime input (graph/runtime-identity.ts): the plugin code hash
# (argv[1]), the compilers as configured, libc, OS and the Python the venv is created from. One line each.
# Nx runs it once per run and reuses the output for every build naming the same command.
import os, platform, shlex, shutil, subprocess, sys, sysconfig
def tool(var, default):
    argv = shlex.split(os.environ.get(var) or default)
    path = shutil.which(argv[0]) if argv else None
    if not path:
        return var + ' missing ' + repr(argv)
    try:
        out = subprocess.run(argv + ['--version'], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        version = (out.stdout.strip() or out.stderr.strip()) + ' exit=' + str(out.returncode)
    except Exception as error:
        version = 'failed ' + type(error).__name__
    return var + ' ' + repr(argv) + ' ' + os.path.realpath(path) + ' ' + version
def libc():
    try:
        return os.confstr('CS_GNU_LIBC_VERSION') or 'none'
    except (ValueError, OSError, AttributeError):
        return ' '.join(platform.libc_ver()) or 'none'
def os_release():
    fields = {}
    for name in ('/etc/os-release', '/usr/lib/os-release'):
        if os.path.exists(name):
            for line in open(name, encoding='utf-8', errors='replace'):
                key, sep, value = line.strip().partition('=')
                if sep and key in ('ID', 'VERSION_ID'):
                    fields[key] = value.strip(chr(34) + chr(39))
            break
    return fields.get('ID', '?') + ' ' + fields.get('VERSION_ID', '?')
u = os.uname()
cv = sysconfig.get_config_var
print(chr(10).join([
    'plugin ' + sys.argv[1],
    tool('CC', 'cc'), tool('CXX', 'c++'), tool('FC', 'gfortran'),
    'libc ' + libc(), 'uname ' + u.sysname + ' ' + u.release + ' ' + platform.machine(), 'os ' + os_release(),
    'python ' + sys.executable + ' ' + os.path.realpath(sys.executable) + ' ' + sys.base_prefix,
    'python-version ' + sys.version.replace(chr(10), ' '),
    'python-abi ' + repr((getattr(sys, 'abiflags', ''), cv('SOABI'), cv('EXT_SUFFIX'), sysconfig.get_platform()))]))
