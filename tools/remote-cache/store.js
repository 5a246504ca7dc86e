'use strict';
/**
 * The cache directory: one file per task hash, written once.
 *
 * An upload streams into `.tmp/<hash>.<random>` (the dot keeps it out of the hash namespace), is checked
 * against the announced length, fsync'ed, then hard-linked to `<hash>`. link(2) fails with EEXIST when the
 * name exists, so of concurrent uploads of one hash exactly one becomes the entry and a stored entry is
 * never replaced (rename(2) would silently replace it: the cache-poisoning hole). Readers only ever see
 * complete files; a failed or cut-off upload leaves nothing behind.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const { Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');

/** What Nx sends are decimal u64 hashes; allow the URL-safe alphabet, nothing that is a path. */
const HASH = /^[A-Za-z0-9_-]{1,128}$/;
const isValidHash = (name) => typeof name === 'string' && HASH.test(name);

/** An error the client caused, with the HTTP status to answer. */
/** Status of a request whose client went away before it was complete (nginx's convention). */
const CLIENT_CLOSED = 499;

class RequestError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function syncDirectory(dir) {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } catch (e) {
    if (e.code !== 'EINVAL' && e.code !== 'ENOTSUP') throw e; // some filesystems cannot fsync a directory
  } finally {
    await handle.close();
  }
}

/**
 * Opens the store at `dir`, creating it; removes temp files older than `staleTmpMs` (left by a crash:
 * no upload can run longer than the server's request timeout, which is what callers pass).
 */
function openStore(dir, { staleTmpMs }) {
  const tmpDir = path.join(dir, '.tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  const now = Date.now();
  for (const name of fs.readdirSync(tmpDir)) {
    const file = path.join(tmpDir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > staleTmpMs) fs.rmSync(file, { force: true });
    } catch {
      // removed meanwhile: nothing to sweep
    }
  }
  const entry = (hash) => {
    if (!isValidHash(hash)) throw new Error(`not a valid hash: ${JSON.stringify(hash)}`); // callers validate first
    return path.join(dir, hash);
  };

  return {
    async has(hash) {
      return fs.existsSync(entry(hash));
    },

    /** `{ handle, size }` of a stored entry, or null. The caller owns (closes) the handle. */
    async open(hash) {
      let handle;
      try {
        handle = await fsp.open(entry(hash), 'r');
      } catch (e) {
        if (e.code === 'ENOENT') return null;
        throw e;
      }
      try {
        return { handle, size: (await handle.stat()).size };
      } catch (e) {
        await handle.close();
        throw e;
      }
    },

    /**
     * Streams `body` (exactly `length` bytes announced) into the entry `hash`. Resolves `true` when this
     * call created the entry, `false` when it already existed. `progress.bytes` counts what arrived, also
     * on failure. Rejects with a RequestError for a body longer than announced or cut off (status 499),
     * with the file's error when the disk failed; in every failure the temp file is gone and no entry
     * was created.
     */
    async write(hash, body, length, progress = { bytes: 0 }) {
      const final = entry(hash);
      const tmp = path.join(tmpDir, `${hash}.${crypto.randomBytes(8).toString('hex')}`);
      // flush: fsync before the stream closes its descriptor; pipeline resolves after the close.
      const file = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o644, flush: true });
      try {
        const counter = new Transform({
          transform(chunk, _encoding, callback) {
            progress.bytes += chunk.length;
            if (progress.bytes > length) callback(new RequestError(400, `body longer than Content-Length ${length}`));
            else callback(null, chunk);
          },
        });
        // Whichever side failed first is the cause; pipeline then destroys the others with that error.
        let cause = null;
        file.once('error', () => (cause ??= 'disk'));
        body.once('error', () => (cause ??= 'client'));
        try {
          await pipeline(body, counter, file);
        } catch (e) {
          if (e instanceof RequestError || cause === 'disk') throw e;
          throw new RequestError(CLIENT_CLOSED, `upload cut off after ${progress.bytes} of ${length} bytes`);
        }
        if (progress.bytes !== length) throw new RequestError(400, `body of ${progress.bytes} bytes, Content-Length said ${length}`);
        try {
          await fsp.link(tmp, final);
        } catch (e) {
          if (e.code === 'EEXIST') return false;
          throw e;
        }
        await syncDirectory(dir);
        return true;
      } finally {
        // On failure the stream may still be opening the file (then it closes it): remove it only after.
        if (!file.closed) await new Promise((resolve) => file.once('close', resolve));
        await fsp.rm(tmp, { force: true });
      }
    },
  };
}

module.exports = { openStore, isValidHash, RequestError, CLIENT_CLOSED };
