import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { readPackageText } from '../../spkg/read-file';
import { parseVersion } from '../../spkg/version';
import { announceTestSwitch, refuseOnRealTree } from '../../tree/test-switches';
import { writeFileAtomic } from '../../swap/stamp';

/**
 * Stub mode (env NX_SAGE_STUB_BUILDS=<dir>) for tests and benchmarks of Nx's scheduling, hashing and
 * caching over whole Sage trees: the executors do no real work (no process, no pip, no lock), but
 * build produces a deterministic artifact (so Nx caches and restores it like a real one) and install
 * writes a stamp, only when something changes. Every action is one line in `<dir>/runs.log`, which is
 * what the tests and `tools/bench/noop` count. Loud, part of the build hash, refused on a tree with
 * real stamps (tree/test-switches.ts).
 */
export const STUB_ENV = 'NX_SAGE_STUB_BUILDS';
export const STUB_ARTIFACT = 'nx-sage-stub-artifact.txt';

export type StubKind = 'build' | 'install' | 'uninstall' | 'download';

export interface StubOptions {
  package: string;
  sageRoot: string;
  sageLocal?: string;
  artifactsDir: string;
}

/** The stub directory (absolute), or null when the executors do real work. */
export function stubMode(env: Record<string, string | undefined> = process.env): string | null {
  const dir = env[STUB_ENV];
  return dir ? resolve(dir) : null;
}

/** `<pkg>-<versionWithPatchlevel>` stamps live here (SAGE_LOCAL's layout; the stub puts every tree's there). */
export function stubStampDir(options: StubOptions, workspaceRoot: string): string {
  return join(abs(abs(workspaceRoot, options.sageRoot), options.sageLocal ?? 'local'), 'var', 'lib', 'sage', 'installed');
}

/** SAGE_LOCALs this process found free of real installs. */
const checkedTrees = new Set<string>();

export async function runStub(
  kind: StubKind,
  options: StubOptions,
  workspaceRoot: string,
  env: Record<string, string | undefined> = process.env,
): Promise<{ success: boolean }> {
  const dir = stubMode(env);
  if (!dir) throw new Error(`nx-sage: runStub called without ${STUB_ENV}`);
  announceTestSwitch('NX_SAGE_STUB_BUILDS', dir, 'executors do no real work (stub artifacts and stamps)');
  const log = (line: string) => {
    mkdirSync(dir, { recursive: true });
    // One short O_APPEND write per line: concurrent tasks do not interleave within a line.
    appendFileSync(join(dir, 'runs.log'), `${line}\n`);
  };
  try {
    // Stub stamps carry nx_sage.stub; a tree with any other stamp is a real one. Checked once per tree
    // and process: the check reads every stamp, and an install batch runs one stub per package (O(n²)).
    const tree = abs(abs(workspaceRoot, options.sageRoot), options.sageLocal ?? 'local');
    if (!checkedTrees.has(tree)) {
      refuseOnRealTree('NX_SAGE_STUB_BUILDS', tree);
      checkedTrees.add(tree);
    }
    switch (kind) {
      case 'download':
        return { success: true };
      case 'build': {
        const artifactsDir = abs(workspaceRoot, options.artifactsDir);
        // Like a real build: the output directory is replaced, never merged with an older artifact.
        rmSync(artifactsDir, { recursive: true, force: true });
        mkdirSync(artifactsDir, { recursive: true });
        writeFileSync(join(artifactsDir, STUB_ARTIFACT), artifactContent(options.package, versionOf(options, workspaceRoot)));
        log(`build ${options.package}`);
        return { success: true };
      }
      case 'install': {
        const version = versionOf(options, workspaceRoot);
        const artifactFile = join(abs(workspaceRoot, options.artifactsDir), STUB_ARTIFACT);
        if (!existsSync(artifactFile)) throw new Error(`no artifact ${artifactFile}: run the build target first`);
        const artifactHash = createHash('sha256').update(readFileSync(artifactFile)).digest('hex');
        const stampDir = stubStampDir(options, workspaceRoot);
        const stamp = join(stampDir, `${options.package}-${version}`);
        if (existsSync(stamp) && readStampHash(stamp) === artifactHash) return { success: true };
        mkdirSync(stampDir, { recursive: true });
        for (const old of stampsOf(stampDir, options.package)) rmSync(join(stampDir, old), { force: true });
        // Atomic (its temp is a dotfile): concurrent stub tasks check the stamps (test-switches.ts) and
        // would take a half-written one for a real install.
        writeFileAtomic(stamp, `${JSON.stringify({ package_name: options.package, package_version: version, files: [], nx_sage: { artifact_hash: artifactHash, stub: true } }, null, 4)}\n`);
        log(`install ${options.package}`);
        return { success: true };
      }
      case 'uninstall': {
        const stampDir = stubStampDir(options, workspaceRoot);
        const stamps = stampsOf(stampDir, options.package);
        for (const old of stamps) rmSync(join(stampDir, old), { force: true });
        if (stamps.length) log(`uninstall ${options.package}`);
        return { success: true };
      }
    }
  } catch (error) {
    console.error(`nx-sage (stub ${kind}) '${options.package}': ${(error as Error).message}`);
    return { success: false };
  }
}

/** What the stub build writes: changes exactly when the package's version (with patchlevel) does. */
export function artifactContent(pkg: string, versionWithPatchlevel: string): string {
  return `nx-sage stub artifact\npackage ${pkg}\nversion ${versionWithPatchlevel}\n`;
}

function versionOf(options: StubOptions, workspaceRoot: string): string {
  // Followed like Sage's symlinks, textual ones included (gfortran → gcc, sagelib → VERSION.txt).
  const file = join(abs(workspaceRoot, options.sageRoot), 'build', 'pkgs', options.package, 'package-version.txt');
  return parseVersion(readPackageText(file)).versionWithPatchlevel;
}

function readStampHash(stamp: string): string | undefined {
  try {
    return JSON.parse(readFileSync(stamp, 'utf8'))?.nx_sage?.artifact_hash;
  } catch {
    return undefined;
  }
}

// Package names never contain '-', so `<pkg>-` selects exactly this package's stamps.
function stampsOf(stampDir: string, pkg: string): string[] {
  return existsSync(stampDir) ? readdirSync(stampDir).filter((name) => name.startsWith(`${pkg}-`)) : [];
}

const abs = (base: string, p: string) => (isAbsolute(p) ? p : resolve(base, p));
