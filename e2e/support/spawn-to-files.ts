/**
 * spawnSync with stdout and stderr written to files, then read back. Nx exits with `process.exit` right
 * after printing (`nx show projects` prints one console.log per project); when stdout is a pipe, Node
 * writes asynchronously and what is still queued is dropped (nrwl/nx#27968, #36606): a CI run got 278 of
 * 438 project names. Writes to a file are synchronous, as they are to a user's terminal.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CapturedRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function spawnToFiles(file: string, args: string[], options: Omit<SpawnSyncOptions, 'stdio' | 'encoding' | 'input'> = {}): CapturedRun {
  const dir = mkdtempSync(join(tmpdir(), 'nx-sage-spawn-'));
  const out = openSync(join(dir, 'stdout'), 'w');
  const err = openSync(join(dir, 'stderr'), 'w');
  try {
    const result = spawnSync(file, args, { ...options, stdio: ['ignore', out, err] });
    if (result.error) throw result.error;
    return { status: result.status, stdout: readFileSync(join(dir, 'stdout'), 'utf8'), stderr: readFileSync(join(dir, 'stderr'), 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(dir, { recursive: true, force: true });
  }
}
