import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../process/run';
import type { PackageLogger } from '../tree/logger';
import type { SageLayout } from '../tree/paths';
import { isConfigured, unconfiguredError } from '../graph/configured/configure-outputs';
import { renderScriptWrapper } from './script-wrapper';

/** Our own helper library, used for trees that are not a Sage checkout. */
export const OWN_HELPERS = join(__dirname, '..', '..', 'assets', 'sage-dist-helpers.bash');

/** The files sage-spkg's wrapper sources in a real checkout, in its order. */
export function checkoutHelperFiles(sageRoot: string): string[] {
  return [
    join(sageRoot, 'build', 'bin', 'sage-dist-helpers'),
    join(sageRoot, 'src', 'bin', 'sage-src-env-config'),
    join(sageRoot, 'src', 'bin', 'sage-env-config'),
    join(sageRoot, 'src', 'bin', 'sage-env'),
    join(sageRoot, 'build', 'bin', 'sage-build-env-config'),
    join(sageRoot, 'build', 'bin', 'sage-build-env'),
  ];
}

export interface HelperMode {
  /** A real Sage checkout: its helpers and env scripts are sourced, as sage-spkg does. */
  checkout: boolean;
  sources: string[];
  /** `set -e` for bodies: only with our own helpers (Sage's are written for scripts without it). */
  errexit: boolean;
}

export function helperMode(layout: SageLayout): HelperMode {
  const checkout = existsSync(join(layout.sageRoot, 'build', 'bin', 'sage-dist-helpers'));
  // A checkout's scripts source configure's outputs: say to run ./configure, not "failed to source ...".
  if (checkout && !isConfigured(layout.sageRoot)) throw unconfiguredError(layout.sageRoot);
  return checkout
    ? { checkout, sources: checkoutHelperFiles(layout.sageRoot), errexit: false }
    : { checkout, sources: [OWN_HELPERS], errexit: true };
}

/** Variables that only make sense while a build is staging (not in installed scripts). */
const STAGING_ONLY = ['SAGE_DESTDIR', 'SAGE_DESTDIR_LOCAL'];

export interface WriteScriptInput {
  file: string;
  body: string;
  env: Record<string, string>;
  mode: HelperMode;
  dir: string;
  fallbackDir?: string;
  /** Installed/run-later scripts: drop the staging variables. */
  installed?: boolean;
}

export function writeWrappedScript(input: WriteScriptInput): void {
  const exports = { ...input.env };
  if (input.installed) for (const name of STAGING_ONLY) delete exports[name];
  mkdirSync(join(input.file, '..'), { recursive: true });
  writeFileSync(
    input.file,
    renderScriptWrapper({
      body: input.body,
      exports,
      sources: input.mode.sources,
      dir: input.dir,
      fallbackDir: input.fallbackDir,
      errexit: input.mode.errexit,
    }),
  );
  chmodSync(input.file, 0o755);
}

export interface RunScriptInput {
  script: string;
  cwd: string;
  env: Record<string, string>;
  logger: PackageLogger;
  signal?: AbortSignal;
}

/** Runs a wrapped script with bash (never through a shell string); resolves to the exit code. */
export async function runScript(input: RunScriptInput): Promise<number> {
  const result = await run('bash', [input.script], {
    cwd: input.cwd,
    env: input.env,
    signal: input.signal,
    onLine: input.logger.line,
    reject: false,
  });
  if (result.isCanceled) return 130;
  return result.exitCode ?? 1;
}
