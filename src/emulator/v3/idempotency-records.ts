/**
 * The portal's `Idempotency-Key` storage (protocol.md §6): per credential × user × method × key, the
 * hash of the body and the successful answer, kept 24 h. A replay answers the stored body; a different
 * body is a 422; a malformed key a 400. Two concurrent requests with one key both run, as on a portal.
 */
import { createHash } from 'node:crypto';
import type { AuthContext } from '../types.ts';
import { V3Error } from './v3-error.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface StoredAnswer {
  bodyHash: string;
  status: number;
  payload: string;
  expiresAtMs: number;
}

export type IdempotencyLookup =
  | { kind: 'none' }
  | { kind: 'replay'; status: number; payload: string }
  | { kind: 'new'; save(status: number, payload: string): void };

export function checkIdempotencyKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw.join(',') : raw;
  if (!KEY_PATTERN.test(key)) throw new V3Error('INVALIDIDEMPOTENCYKEYEXCEPTION', 'The Idempotency-Key header must be 1 to 255 printable ASCII characters');
  return key;
}

export class IdempotencyRecords {
  private readonly records = new Map<string, StoredAnswer>();

  lookup(auth: AuthContext, method: string, key: string, body: string, nowMs: number): IdempotencyLookup {
    const scope = `${auth.credentialKey}|${auth.userId}|${method}|${key}`;
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const stored = this.records.get(scope);
    if (stored !== undefined && stored.expiresAtMs > nowMs) {
      if (stored.bodyHash !== bodyHash)
        throw new V3Error('IDEMPOTENCYKEYREUSEDEXCEPTION', 'The idempotency key was already used with a different request body', 422);
      return { kind: 'replay', status: stored.status, payload: stored.payload };
    }
    return {
      kind: 'new',
      save: (status, payload) => {
        this.records.set(scope, { bodyHash, status, payload, expiresAtMs: nowMs + IDEMPOTENCY_TTL_MS });
      },
    };
  }

  clear(): void {
    this.records.clear();
  }
}
