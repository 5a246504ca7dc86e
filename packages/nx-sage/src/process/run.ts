// The only module that spawns processes. execa 9 is ESM-only: it is loaded with a real dynamic
// import (kept as import() by module=nodenext), so CommonJS callers and jest (which stubs this
// module) never load it synchronously.
import type { Options as ExecaOptions, Result } from 'execa';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Replace the environment instead of extending process.env. */
  extendEnv?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called with every output line (stdout and stderr interleaved), without the newline. */
  onLine?: (line: string) => void;
  input?: string;
  /** Do not throw on a non-zero exit; inspect `exitCode`. */
  reject?: boolean;
}

export interface RunResult {
  command: string;
  exitCode: number | undefined;
  signal: string | undefined;
  output: string;
  failed: boolean;
  timedOut: boolean;
  isCanceled: boolean;
}

type ExecaModule = typeof import('execa');
let execaModule: Promise<ExecaModule> | undefined;
const loadExeca = (): Promise<ExecaModule> => (execaModule ??= import('execa'));

/** Runs `file` with an argument array (never a shell), output merged into one stream. */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { execa } = await loadExeca();
  const execaOptions: ExecaOptions = {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.extendEnv ?? true,
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    all: true,
    reject: options.reject ?? true,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    forceKillAfterDelay: 5000,
    cleanup: true,
    lines: false,
    stripFinalNewline: false,
  };
  const child = execa(file, [...args], execaOptions);
  if (options.onLine) {
    const onLine = options.onLine;
    let pending = '';
    child.all?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.all?.on('end', () => {
      if (pending) onLine(pending);
      pending = '';
    });
  }
  try {
    const result = (await child) as Result;
    return toRunResult(result);
  } catch (error) {
    const err = error as Result & Error;
    if (err && typeof err === 'object' && 'command' in err) throw Object.assign(err, toRunResult(err));
    throw error;
  }
}

function toRunResult(result: Result): RunResult {
  return {
    command: result.command,
    exitCode: result.exitCode,
    signal: result.signal,
    output: typeof result.all === 'string' ? result.all : '',
    failed: result.failed,
    timedOut: result.timedOut,
    isCanceled: result.isCanceled,
  };
}
