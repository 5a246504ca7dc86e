import type { ProjectGraph } from '@nx/devkit';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { pluginHash } from './plugin-hash';
import { targetsRunBy } from './graph-targets';
import { echoEnvOr, pluginFilePath } from './plugin-file';
import { IDENTITY_SCRIPT_FILE, runtimeIdentityCommand } from './runtime-identity';

/**
 * The machine identity (graph/runtime-identity.ts) reaches every build's hash as this environment
 * variable, set by the plugin's preTasksExecution hook before Nx hashes the run's tasks.
 *
 * Why not Nx's `runtime` input, which it was: Nx's hasher runs a runtime command on each of its
 * threads that misses it, so the identity ran twice per run, in parallel, and through pyenv's shim
 * each run costs 0.35 s of CPU: 0.35 s of a 3.2 s no-op on 2 cores. Here it runs once, for each
 * Python the builds of the graph name.
 */
export const MACHINE_ENV = 'NX_SAGE_MACHINE';

/**
 * The builds' input: what the hook computed, or, where Nx hashes without running the hooks (the task
 * hashes `nx graph` shows, Nx Cloud agents' discrete runs), the identity itself. Nx runs a runtime
 * command with the tasks' environment; this one costs one `sh` when the hook ran. (Both forms identify
 * the machine; they only never share a key with each other.)
 */
export function machineInputCommand(python: string, pluginHash: string, script: string): string {
  return echoEnvOr(MACHINE_ENV, `"nx-sage machine $${MACHINE_ENV}"`, runtimeIdentityCommand(python, pluginHash, script));
}

/** The identity command of this plugin for one Python, as the hook runs it. */
const identityCommand = (workspaceRoot: string, python: string): string =>
  runtimeIdentityCommand(python, pluginHash(), pluginFilePath(workspaceRoot, IDENTITY_SCRIPT_FILE));

/** The distinct `python` options of the graph's nx-sage builds (sorted; none without builds); `fallback` without a graph. Pure. */
export function buildPythons(graph: Pick<ProjectGraph, 'nodes'> | null, fallback: string): string[] {
  if (!graph) return [fallback];
  const pythons = new Set<string>();
  for (const target of targetsRunBy(graph, 'nx-sage:build')) if (typeof target.options?.python === 'string') pythons.add(target.options.python);
  return [...pythons].sort();
}

export type RunShell = (command: string, cwd: string) => Promise<string>;

interface Started {
  output: Promise<string>;
  at: number;
  /** Lets the process exit while it runs; `hold` makes it wait again. */
  hold(): void;
}

function startShell(command: string, cwd: string): Started {
  // Not execFile's `timeout`: its timer cannot be unref'd, and would keep an nx command that never asks
  // for the identity (nx show, nx graph) waiting for it.
  const child = execFile('/bin/sh', ['-c', command], { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  timer.unref();
  child.on('close', () => clearTimeout(timer));
  const output = new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command}: ${(stderr || `exit ${code}`).trim().split('\n').slice(-3).join(' ')}`))));
  });
  output.catch(() => {}); // a started identity nobody asks for must not fail the process
  const handles = [child, child.stdout, child.stderr] as ({ ref(): void; unref(): void } | null)[];
  handles.forEach((h) => h?.unref());
  return { output, at: Date.now(), hold: () => handles.forEach((h) => h?.ref()) };
}

const runShell: RunShell = (command, cwd) => {
  const started = startShell(command, cwd);
  started.hold();
  return started.output;
};

/** Nx's globals: set while the nx command computes the graph itself, in the daemon, in a plugin worker. */
export interface NxProcess {
  NX_GRAPH_CREATION?: unknown;
  NX_DAEMON?: unknown;
  NX_PLUGIN_WORKER?: unknown;
}

export const inNxCommandGraph = (where: NxProcess): boolean => !!where.NX_GRAPH_CREATION && !where.NX_DAEMON && !where.NX_PLUGIN_WORKER;

/** Identity commands started while Nx computes the graph, by workspace root and python; each is used once. */
const early = new Map<string, Started>();
const earlyKey = (workspaceRoot: string, python: string) => `${workspaceRoot}\0${python}`;
/** A run's hook follows its graph within seconds; an older start belongs to another run (a long-lived API user). */
const EARLY_MAX_AGE_MS = 30_000;
const fresh = (started: Started | undefined): started is Started => !!started && Date.now() - started.at < EARLY_MAX_AGE_MS;

/**
 * Starts reading the identity while Nx computes the graph (createNodes), so that the hook finds it done
 * (0.35 s through pyenv's shim, otherwise spent waiting before hashing). Only inside the nx command's own
 * process, whose every run computes the graph afresh: a daemon or a plugin worker lives across runs, and
 * a compiler changed in between would go unseen.
 */
export function startMachineIdentity(workspaceRoot: string, python: string, where: NxProcess = globalThis as never): void {
  if (!inNxCommandGraph(where)) return;
  const key = earlyKey(workspaceRoot, python);
  if (!fresh(early.get(key))) early.set(key, startShell(identityCommand(workspaceRoot, python), workspaceRoot));
}

/**
 * The value of MACHINE_ENV: a digest of the identity printed for each Python. A Python whose identity
 * cannot be printed counts with its error (its builds fail anyway, and must not share a key with a
 * working one); `warn` says so.
 */
export async function machineIdentity(
  workspaceRoot: string,
  pythons: readonly string[],
  warn: (message: string) => void,
  run: RunShell = runShell,
): Promise<string> {
  // (Started early by startMachineIdentity when the graph was computed in this process.)
  const outputs = await Promise.all(
    pythons.map(async (python) => {
      const key = earlyKey(workspaceRoot, python);
      const candidate = early.get(key);
      const started = fresh(candidate) ? candidate : undefined;
      early.delete(key);
      started?.hold();
      try {
        return `${python}\n${await (started ? started.output : run(identityCommand(workspaceRoot, python), workspaceRoot))}`;
      } catch (error) {
        warn(`nx-sage: could not read this machine's identity for builds with ${python}: ${(error as Error).message}`);
        return `${python}\nfailed: ${(error as Error).message}`;
      }
    }),
  );
  return createHash('sha256').update(outputs.join('\n\0')).digest('hex').slice(0, 32);
}
