'use strict';
/**
 * Bearer tokens, compared in constant time on SHA-256 digests: both sides are 32 bytes whatever the
 * client sends (no length leak, and timingSafeEqual can never throw on a length mismatch), and every
 * configured token is compared on every request (no early exit revealing which one was close).
 */
const crypto = require('node:crypto');

const digest = (bytes) => crypto.createHash('sha256').update(bytes).digest();

/**
 * Returns `access(authorizationHeader) → 'write' | 'read' | null`. Tokens are the bytes given on the
 * command line (UTF-8); Node hands header values over as latin1 strings (one char per byte), so the
 * header is turned back into its raw bytes before hashing. With no token at all (`--insecure`) every
 * request may write.
 */
function createAuthorizer({ token, readToken }) {
  if (token === null) return () => 'write';
  const writeDigest = digest(Buffer.from(token, 'utf8'));
  const readDigest = digest(Buffer.from(readToken ?? '', 'utf8'));
  const hasReadToken = readToken !== null;
  return (header) => {
    const match = /^Bearer +(.+)$/i.exec(typeof header === 'string' ? header : '');
    if (!match) return null;
    const given = digest(Buffer.from(match[1], 'latin1'));
    const isWrite = crypto.timingSafeEqual(given, writeDigest);
    const isRead = crypto.timingSafeEqual(given, readDigest) && hasReadToken;
    return isWrite ? 'write' : isRead ? 'read' : null;
  };
}

module.exports = { createAuthorizer };
