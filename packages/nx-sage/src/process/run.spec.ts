// run() on real processes: output, lines, exit codes, start failures, timeout, cancel, input, env.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, RunError } from './run';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('run', () => {
  it('merges stdout and stderr into one output and calls onLine per line, also for a last line without newline', async () => {
    const lines: string[] = [];
    const result = await run('sh', ['-c', 'echo one; sleep 0.1; echo two >&2; sleep 0.1; printf "é-three"'], { onLine: (l) => lines.push(l) });
    expect(result).toMatchObject({ exitCode: 0, failed: false, timedOut: false, isCanceled: false });
    expect(result.output).toBe('one\ntwo\né-three');
    expect(lines).toEqual(['one', 'two', 'é-three']);
  });

  it('throws a RunError that names the command and carries the result; reject: false resolves it', async () => {
    const error = await run('sh', ['-c', 'echo bad; exit 3']).catch((e) => e);
    expect(error).toBeInstanceOf(RunError);
    expect(error).toMatchObject({ exitCode: 3, failed: true, output: 'bad\n' });
    expect(error.message).toMatch(/^Command failed with exit code 3: sh -c "echo bad; exit 3"\n\nbad/);
    expect(await run('sh', ['-c', 'exit 4'], { reject: false })).toMatchObject({ exitCode: 4, failed: true });
  });

  it('a program that does not exist fails with a message, or resolves failed with reject: false', async () => {
    await expect(run('no-such-program-nx-sage', [])).rejects.toThrow(/failed to start \(ENOENT\): no-such-program-nx-sage/);
    expect(await run('no-such-program-nx-sage', [], { reject: false })).toMatchObject({ failed: true });
  });

  it('a timeout kills the process (timedOut); an abort cancels it (isCanceled)', async () => {
    const started = Date.now();
    expect(await run('sleep', ['10'], { timeoutMs: 200, reject: false })).toMatchObject({ timedOut: true, failed: true, signal: 'SIGTERM' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    expect(await run('sleep', ['10'], { signal: controller.signal, reject: false })).toMatchObject({ isCanceled: true, failed: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('passes input on stdin; extends the environment unless told to replace it', async () => {
    expect((await run('cat', [], { input: 'hello' })).output).toBe('hello');
    process.env.NX_SAGE_RUN_SPEC = 'inherited';
    try {
      expect((await run('sh', ['-c', 'echo "$NX_SAGE_RUN_SPEC $EXTRA"'], { env: { EXTRA: 'x' } })).output).toBe('inherited x\n');
      expect((await run('/bin/sh', ['-c', 'echo "[$NX_SAGE_RUN_SPEC] $EXTRA"'], { env: { EXTRA: 'x' }, extendEnv: false })).output).toBe('[] x\n');
    } finally {
      delete process.env.NX_SAGE_RUN_SPEC;
    }
  });
});

describe('run: children die with their parent', () => {
  // Running, not a zombie (a container's pid 1 may never reap the orphan).
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  /** A node process starting `sh` (that writes its pid, then sleeps) through `how`, killed with SIGTERM. */
  async function killParent(how: 'run' | 'plain spawn'): Promise<{ signal: NodeJS.Signals | null; childAlive: boolean }> {
    const dir = mkdtempSync(join(tmpdir(), 'run-spec-'));
    const pidFile = join(dir, 'pid');
    const start =
      how === 'run'
        ? // proper-lockfile first, as in every task process: its signal-exit 3 listeners must not keep the signal from ending us.
          `require('proper-lockfile'); require(${JSON.stringify(require.resolve('./run'))}).run('sh', ['-c', 'echo $$ > ${pidFile}; exec sleep 30']).catch(() => {});`
        : `require('node:child_process').spawn('sh', ['-c', 'echo $$ > ${pidFile}; exec sleep 30'], { stdio: 'ignore' });`;
    const parent = spawn(process.execPath, ['-r', '@swc-node/register', '-e', `${start} setTimeout(() => {}, 30000);`], { stdio: 'ignore' });
    try {
      for (const deadline = Date.now() + 15_000; !existsSync(pidFile) && Date.now() < deadline; ) await sleep(50);
      await sleep(100);
      const childPid = Number(readFileSync(pidFile, 'utf8'));
      parent.kill('SIGTERM');
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => parent.on('close', (_code, s) => resolve(s)));
      await sleep(200);
      const childAlive = alive(childPid);
      if (childAlive) process.kill(childPid, 'SIGKILL');
      return { signal, childAlive };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('SIGTERM to a process running a child kills the child too, and the process still dies of the signal', async () => {
    expect(await killParent('run')).toEqual({ signal: 'SIGTERM', childAlive: false });
  }, 30_000);

  it('control: a child started with a plain spawn outlives its parent', async () => {
    expect(await killParent('plain spawn')).toEqual({ signal: 'SIGTERM', childAlive: true });
  }, 30_000);
});
