import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * <lockDir>/writer/            the exclusive hold (holds <token>.json)
 * <lockDir>/readers/<token>/   one dir per shared hold (holds <token>.json)
 * <lockDir>/tmp/               staging for atomic creation, and trash for removal
 */
export interface LockLayout {
  lockDir: string;
  writerDir: string;
  readersDir: string;
  tmpDir: string;
}

export const getLockLayout = (lockDir: string): LockLayout => ({
  lockDir,
  writerDir: join(lockDir, 'writer'),
  readersDir: join(lockDir, 'readers'),
  tmpDir: join(lockDir, 'tmp'),
});

/** Creates the lock on first use (the parent of `lockDir` too, if the tree does not exist yet). */
export async function ensureLockLayout(layout: LockLayout): Promise<void> {
  await mkdir(layout.readersDir, { recursive: true });
  await mkdir(layout.tmpDir, { recursive: true });
}
