/**
 * The `Idempotency-Key` of a REST 3.0 write: derived from what identifies the write (run, step, item
 * key; or the key a `chain call` was given), so a re-send after a lost answer carries the same key and
 * the portal replays instead of executing twice. 1–255 printable ASCII characters, no secret inside.
 */
import { createHash } from 'node:crypto';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function deriveIdempotencyKey(parts: readonly string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url');
  return `b24c-${digest.slice(0, 43)}`;
}

/** A caller-given key is used as it is when valid, else derived from it. */
export function normalizeIdempotencyKey(key: string): string {
  return KEY_PATTERN.test(key) ? key : deriveIdempotencyKey([key]);
}
