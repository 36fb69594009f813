/**
 * The application token check of online events (protocol.md §7–§8). `ONAPPINSTALL` brings the
 * portal's `application_token`; every later event must carry the same one. Only its SHA-256 digest is
 * stored (no secret in the state database), and the comparison is constant-time: both sides are
 * 32-byte digests, compared with `timingSafeEqual`, whatever the length of what was sent.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function digestApplicationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function matchesApplicationToken(received: string, storedDigest: string): boolean {
  const expected = Buffer.from(storedDigest, 'hex');
  const actual = createHash('sha256').update(received, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
