// The only module that spawns processes, on node:child_process. It used execa 9; measured (BENCHMARKS.md,
// makespan): loading execa (ESM, ~60 modules) costs 0.4 s of CPU in every task process that starts a
// child, more than the rest of a build's own code: 220 s of CPU over a full build's 548 tasks on 2 cores.
// What we used of it is small and kept here: merged output, line callback, cancel and timeout with a
// forced kill, children killed when this process exits, errors that carry the result.
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { onExit } from 'signal-exit';

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

/** A process that failed (exit code, signal, timeout, cancel, or could not start), with its result. */
export class RunError extends Error implements RunResult {
  command!: string;
  exitCode!: number | undefined;
  signal!: string | undefined;
  output!: string;
  failed!: boolean;
  timedOut!: boolean;
  isCanceled!: boolean;
  constructor(result: RunResult, cause?: Error) {
    super(`${failureReason(result, cause)}: ${result.command}${result.output ? `\n\n${result.output}` : ''}`);
    this.name = 'RunError';
    Object.assign(this, result);
  }
}

function failureReason(result: RunResult, cause?: Error): string {
  if (cause) return `Command failed to start (${(cause as NodeJS.ErrnoException).code ?? cause.message})`;
  if (result.timedOut) return 'Command timed out';
  if (result.isCanceled) return 'Command was canceled';
  if (result.signal) return `Command was killed with ${result.signal}`;
  return `Command failed with exit code ${result.exitCode}`;
}

// Children die with us, on exit and on a fatal signal, through signal-exit 4 (as execa did): it runs its
// handlers only when the signal would end the process, and it counts the listeners of signal-exit 3
// (proper-lockfile's lock release) and leaves swap/signal-guard.ts's re-delivery alone. Our own signal
// listener could not tell those apart and kept SIGTERM from ending a task (found in review).
const live = new Set<ChildProcess>();
let hooked = false;
function track(child: ChildProcess): void {
  live.add(child);
  if (hooked) return;
  hooked = true;
  onExit(() => {
    for (const c of live) c.kill('SIGTERM');
  });
}

const FORCE_KILL_AFTER_MS = 5000;
const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg));

/** Runs `file` with an argument array (never a shell), output merged into one stream. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = [file, ...args].map(quote).join(' ');
  const env = options.extendEnv === false ? options.env : { ...process.env, ...options.env };
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let isCanceled = false;
    let startError: Error | undefined;
    const chunks: Buffer[] = [];
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: env as NodeJS.ProcessEnv,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    track(child);
    let forceKill: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      forceKill ??= setTimeout(() => child.kill('SIGKILL'), FORCE_KILL_AFTER_MS);
    };
    const timer = options.timeoutMs ? setTimeout(() => ((timedOut = true), stop()), options.timeoutMs) : undefined;
    const onAbort = () => ((isCanceled = true), stop());
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    for (const stream of [child.stdout!, child.stderr!]) {
      const decoder = new StringDecoder('utf8');
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (!options.onLine) return;
        const lines = (pending + decoder.write(chunk)).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) options.onLine(line);
      });
      stream.on('end', () => {
        const rest = pending + decoder.end();
        pending = '';
        if (rest && options.onLine) options.onLine(rest);
      });
    }
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // a child that exits without reading its input
      child.stdin!.end(options.input);
    }
    child.on('error', (error) => (startError = error));
    child.on('close', (code, signal) => {
      live.delete(child);
      clearTimeout(timer);
      clearTimeout(forceKill);
      options.signal?.removeEventListener('abort', onAbort);
      const result: RunResult = {
        command,
        exitCode: startError ? undefined : (code ?? undefined), // a start failure closes with a negative errno
        signal: signal ?? undefined,
        output: Buffer.concat(chunks).toString('utf8'),
        failed: Boolean(startError) || code !== 0 || timedOut || isCanceled,
        timedOut,
        isCanceled,
      };
      if (result.failed && (options.reject ?? true)) reject(new RunError(result, startError));
      else resolve(result);
    });
  });
}
