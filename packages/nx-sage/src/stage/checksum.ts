import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function hashFile(file: string, algorithm: 'sha1' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface ChecksumResult {
  ok: boolean;
  algorithm: 'sha1' | 'sha256';
  expected: string;
  actual: string;
}

/** Sage's rule (sage_bootstrap/tarball.py): sha256 when checksums.ini has it, else sha1. */
export async function verifyChecksum(file: string, sums: { sha1?: string; sha256?: string }): Promise<ChecksumResult | undefined> {
  const algorithm = sums.sha256 ? 'sha256' : sums.sha1 ? 'sha1' : undefined;
  if (!algorithm) return undefined;
  const expected = sums[algorithm]!;
  const actual = await hashFile(file, algorithm);
  return { ok: actual === expected, algorithm, expected, actual };
}
