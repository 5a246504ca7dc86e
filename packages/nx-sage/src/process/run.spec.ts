// run() on real processes: output, lines, exit codes, start failures, timeout, cancel, input, env.
import { run, RunError } from './run';

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
