/** Helpers for e2e runs with stub executors (NX_SAGE_STUB_BUILDS, see executors/common/stub.ts). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, runNx, type NxRun } from './workspace';

const EXECUTORS = ['build', 'install', 'download'];

/**
 * The compiled executors must call runStub when NX_SAGE_STUB_BUILDS is set; otherwise a "stub" run
 * would start real builds of 274 packages. Fails with a message saying what to do.
 */
export function assertStubWired(): void {
  const missing = EXECUTORS.filter((name) => {
    const file = join(REPO_ROOT, 'packages/nx-sage/dist/executors', name, 'executor.js');
    return !existsSync(file) || !/runStub|common\/stub/.test(readFileSync(file, 'utf8'));
  });
  if (missing.length) {
    throw new Error(
      `stub mode is not wired into the executors (${missing.join(', ')}): add ` +
        "`if (stubMode()) return runStub('<kind>', options, context.root);` at the top of each executor " +
        '(packages/nx-sage/src/executors/<kind>/executor.ts), then `npm run build`',
    );
  }
}

export interface StubLog {
  builds: string[];
  installs: string[];
  lines: string[];
}

/** Reads and empties `<dir>/runs.log`. */
export function takeRuns(stubDir: string): StubLog {
  const file = join(stubDir, 'runs.log');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  mkdirSync(stubDir, { recursive: true });
  writeFileSync(file, '');
  const of = (kind: string) => lines.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1)).sort();
  return { builds: of('build'), installs: of('install'), lines };
}

/** `nx run-many -t install` over every project, stub executors, a private local cache. */
export function stubInstallAll(ws: string, stubDir: string, extraEnv: Record<string, string | undefined> = {}, args: string[] = []): NxRun {
  return runNx(ws, ['run-many', '-t', 'install', '--parallel=8', '--outputStyle=static', ...args], {
    NX_SAGE_STUB_BUILDS: stubDir,
    NX_SAGE_QUIET: '1',
    NX_CACHE_DIRECTORY: join(ws, '.nx/cache'),
    ...extraEnv,
  });
}

/**
 * `6.3.0` → `6.3.0.p1`, `6.3.0.p4` → `6.3.0.p5`: a new stamp name, as a Sage patch release. Edits the
 * file the version is really read from (textual links followed: bumping gfortran bumps gcc's file).
 */
export function bumpVersion(pkgDir: string): { file: string; before: string; after: string } {
  let file = join(pkgDir, 'package-version.txt');
  for (let text = readFileSync(file, 'utf8').trim(); /^\.\.?\/\S*$/.test(text); text = readFileSync(file, 'utf8').trim()) {
    file = join(dirname(file), text);
  }
  const before = readFileSync(file, 'utf8').trim();
  const m = /^(.*)\.p(\d+)$/.exec(before);
  const after = m ? `${m[1]}.p${Number(m[2]) + 1}` : `${before}.p1`;
  writeFileSync(file, `${after}\n`);
  return { file, before, after };
}
