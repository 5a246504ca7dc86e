import type { TargetConfiguration } from '@nx/devkit';
import { posix } from 'node:path';
import { configureOutputFiles } from './configure-inputs';
import type { NormalizedOptions } from './options';
import { machineInputCommand } from './machine-identity';

type Inputs = NonNullable<TargetConfiguration['inputs']>;

/**
 * Environment variables that reach spkg scripts and can change what they produce. stage/env.ts derives
 * the scripts' environment from these (search paths get the tree prepended, flags get defaults), and
 * the scripts run with the rest of the executor's environment on top, so compiler-driver variables
 * (C_INCLUDE_PATH, PYTHONPATH, ...) count too. Left out on purpose: HOME, TMPDIR, SAGE_NUM_THREADS
 * (where and how fast, not what), SAGE_CHECK (runs tests; the artifact is the same).
 */
export const BUILD_ENV: readonly string[] = [
  // compilers and tools as configured
  'CC', 'CXX', 'FC', 'F77', 'F90', 'CPP', 'CXXCPP', 'AR', 'RANLIB', 'LD', 'NM',
  // flags
  'CFLAGS', 'CXXFLAGS', 'FCFLAGS', 'FFLAGS', 'LDFLAGS', 'CPPFLAGS', 'LIBS',
  // search paths (the scripts see the tree's directories first, then these)
  'PATH', 'PKG_CONFIG_PATH', 'PKG_CONFIG_LIBDIR', 'CPATH', 'C_INCLUDE_PATH', 'CPLUS_INCLUDE_PATH',
  'LIBRARY_PATH', 'LD_LIBRARY_PATH', 'ACLOCAL_PATH', 'PYTHONPATH', 'PYTHONHOME', 'CONFIG_SITE',
  // Sage's build switches, locale (messages and collation end up in generated files), reproducibility
  'SAGE_FAT_BINARY', 'SAGE_DEBUG', 'LANG', 'LC_ALL', 'SOURCE_DATE_EPOCH',
  // a manual switch to start a fresh cache generation
  'NX_SAGE_CACHE_SALT',
];

/**
 * The inputs of every build that describe the machine rather than the package: the machine identity
 * (plugin code hash, compilers, libc, OS, Python ABI: graph/runtime-identity.ts), read once per run
 * by the plugin's preTasksExecution hook (graph/machine-identity.ts) and echoed by a runtime command,
 * the environment, and configure's outputs (graph/configure-inputs.ts).
 */
export function identityInputs(sageRoot: string, options: NormalizedOptions, pluginHash: string, identityScript: string): Inputs {
  const configured = configureOutputFiles(options).map((file) => `{workspaceRoot}/${posix.normalize(posix.join(sageRoot, file))}`);
  return [
    ...configured,
    { runtime: machineInputCommand(options.python, pluginHash, identityScript) },
    ...BUILD_ENV.map((env) => ({ env })),
  ];
}
