import { createHash } from 'node:crypto';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface DownloadLimits {
  /** Whole transfer, from the request to the last byte. */
  totalTimeoutMs: number;
  /** Longest wait for the response or for the next chunk of the body. */
  idleTimeoutMs: number;
  /** Largest accepted body; a larger Content-Length is refused before reading. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: DownloadLimits = { totalTimeoutMs: 30 * 60_000, idleTimeoutMs: 60_000, maxBytes: 2 * 1024 ** 3 };

/** Limits from the environment (NX_SAGE_DOWNLOAD_TIMEOUT / _IDLE_TIMEOUT in seconds, _MAX_BYTES), else the defaults. */
export function downloadLimits(env: Record<string, string | undefined>): DownloadLimits {
  const positive = (value: string | undefined, scale: number, fallback: number) => {
    const n = Number(value);
    return value && Number.isFinite(n) && n > 0 ? n * scale : fallback;
  };
  return {
    totalTimeoutMs: positive(env.NX_SAGE_DOWNLOAD_TIMEOUT, 1000, DEFAULT_LIMITS.totalTimeoutMs),
    idleTimeoutMs: positive(env.NX_SAGE_DOWNLOAD_IDLE_TIMEOUT, 1000, DEFAULT_LIMITS.idleTimeoutMs),
    maxBytes: positive(env.NX_SAGE_DOWNLOAD_MAX_BYTES, 1, DEFAULT_LIMITS.maxBytes),
  };
}

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly reason: 'http' | 'timeout' | 'too-large' | 'checksum' | 'network',
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadRequest {
  url: string;
  /** Final location: written only after the checksum matched. */
  dest: string;
  /** Expected checksums (sha256 wins, as in Sage); at least one is required. */
  sums: { sha1?: string; sha256?: string };
  limits: DownloadLimits;
  signal?: AbortSignal;
}

/**
 * Streams `url` to a temporary file next to `dest` (never the whole body in memory), hashing on the
 * way, under a total and an idle timeout and a size cap; renames it to `dest` only when its checksum
 * matches. Any failure removes the temporary file and leaves `dest` as it was.
 */
export async function downloadVerified(request: DownloadRequest): Promise<{ bytes: number; algorithm: 'sha1' | 'sha256'; digest: string }> {
  const { url, dest, sums, limits } = request;
  const algorithm = sums.sha256 ? 'sha256' : sums.sha1 ? 'sha1' : undefined;
  if (!algorithm) throw new DownloadError(`no checksum to verify ${url} against`, 'checksum');
  const controller = new AbortController();
  let timedOut: string | undefined;
  const abortFor = (why: string) => {
    timedOut ??= why;
    controller.abort();
  };
  const total = setTimeout(() => abortFor(`took longer than ${limits.totalTimeoutMs / 1000} s`), limits.totalTimeoutMs);
  let idle = setTimeout(() => abortFor(`no data for ${limits.idleTimeoutMs / 1000} s`), limits.idleTimeoutMs);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abortFor(`no data for ${limits.idleTimeoutMs / 1000} s`), limits.idleTimeoutMs);
  };
  const onOuterAbort = () => controller.abort();
  request.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // Unique per writer: two packages may share one upstream file (gfortran and gcc).
  const part = `${dest}.part-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok || !response.body) throw new DownloadError(`HTTP ${response.status} from ${url}`, 'http');
    const length = Number(response.headers.get('content-length'));
    if (Number.isFinite(length) && length > limits.maxBytes) {
      throw new DownloadError(`${url} is ${length} bytes, more than the limit of ${limits.maxBytes} (NX_SAGE_DOWNLOAD_MAX_BYTES)`, 'too-large');
    }
    const hash = createHash(algorithm);
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        touch();
        bytes += chunk.length;
        if (bytes > limits.maxBytes) return done(new DownloadError(`${url} sent more than the limit of ${limits.maxBytes} bytes (NX_SAGE_DOWNLOAD_MAX_BYTES)`, 'too-large'));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream), meter, createWriteStream(part, { flags: 'wx' }));
    const digest = hash.digest('hex');
    const expected = sums[algorithm]!;
    if (digest !== expected) throw new DownloadError(`downloaded file has ${algorithm} ${digest}, expected ${expected}`, 'checksum');
    renameSync(part, dest);
    return { bytes, algorithm, digest };
  } catch (error) {
    rmSync(part, { force: true });
    if (error instanceof DownloadError) throw error;
    if (timedOut) throw new DownloadError(`download of ${url} ${timedOut} (NX_SAGE_DOWNLOAD_TIMEOUT / NX_SAGE_DOWNLOAD_IDLE_TIMEOUT)`, 'timeout');
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new DownloadError(`download of ${url} failed: ${(error as Error).message}${cause ? ` (${cause})` : ''}`, 'network');
  } finally {
    clearTimeout(total);
    clearTimeout(idle);
    request.signal?.removeEventListener('abort', onOuterAbort);
  }
}
