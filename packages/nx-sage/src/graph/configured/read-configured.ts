/**
 * The thin process side of configured/: asks GNU make for its data base of the configured Makefile
 * (`make -f - -pqrR`, the driver on stdin: nothing is built) and caches the parsed answer on disk keyed
 * by the content of configure's outputs, so make runs once per configuration, not once per Nx command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../process/run';
import { NodesCache } from '../nodes-cache';
import { configureOutputsHash, ConfigureError, configuredMakeVariables, parseShellAssignments, WITHOUT_CALLER_MAKE_FLAGS } from './configure-outputs';
import { configuredSageFromDatabase, driverMakefile, DRIVER_GOAL, type ConfiguredSage } from './configured-sage';
import { parseMakeDatabase } from './make-database';

// Bump when the driver or the reading of make's data base changes.
const FORMAT = 2;

/** configure's decisions for the configured checkout at `sageRoot` (absolute), from make or the cache. */
export async function readConfiguredSage(sageRoot: string, cacheDir: string): Promise<ConfiguredSage> {
  const key = `${FORMAT}:${sageRoot}:${configureOutputsHash(sageRoot)}`;
  const cache = new NodesCache<ConfiguredSage>(join(cacheDir, 'nx-sage-configured.json'));
  const cached = cache.get(key);
  if (cached) return cached;
  const configured = configuredSageFromDatabase(parseMakeDatabase(await makeDatabase(sageRoot)));
  cache.set(key, configured);
  cache.save();
  return configured;
}

/** The text of `make -p` for the configured Makefile, with the environment build/make/install gives it. */
export async function makeDatabase(sageRoot: string): Promise<string> {
  const envConfig = join(sageRoot, 'src/bin/sage-env-config');
  const sageLocal = parseShellAssignments(readFileSync(envConfig, 'utf8')).SAGE_LOCAL;
  if (!sageLocal) {
    throw new ConfigureError('EMAKEDB', envConfig, 'has no SAGE_LOCAL assignment', 'configure writes it: re-run ./configure');
  }
  const makefile = join(sageRoot, 'build/make/Makefile');
  const result = await run(
    'make',
    [
      '-f', '-', '-p', '-q', '-r', '-R', '--no-print-directory', DRIVER_GOAL,
      ...configuredMakeVariables(sageRoot, sageLocal), `SAGE_LOGS=${sageRoot}/logs/pkgs`,
    ],
    // No make flags or SAGE_CHECK from the caller's environment: the graph is configure's, not this shell's.
    { cwd: sageRoot, input: driverMakefile(makefile), reject: false, env: { ...WITHOUT_CALLER_MAKE_FLAGS, SAGE_CHECK: '', SAGE_CHECK_PACKAGES: '' } },
  );
  // -q: 0 = up to date, 1 = would remake the driver's goal; 2 = make failed to read the Makefile.
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new ConfigureError(
      'EMAKEDB',
      makefile,
      `GNU make could not read configure's Makefile (exit ${result.exitCode}):\n${result.output.split('\n').filter((l) => !l.startsWith('#') && l.includes('rror')).slice(0, 10).join('\n')}`,
      're-run ./configure; nx-sage needs GNU make on PATH',
    );
  }
  return result.output;
}
