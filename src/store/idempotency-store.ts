/**
 * Idempotency records (DESIGN.md §6), keyed by portal + method + key and holding a hash of the
 * parameters. `begin` decides in one `BEGIN IMMEDIATE` transaction, so callers in separate processes
 * sharing the database never both own a key:
 * - `fresh`: nobody holds the key; the caller owns it now and must `complete` or `abandon` it;
 * - `replay`: the same parameters were sent and answered: the stored result, nothing to send;
 * - `conflict`: the key was used with different parameters (REST 3.0 answers 422): refuse;
 * - `in_flight`: another caller is sending it right now: do not send it twice.
 */
import { randomBytes } from 'node:crypto';
import type { StateDatabase } from './state-database.ts';
import { RefusalError } from '../errors/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { hashParams } from './canonical-params.ts';
import { cachedStatement } from './cached-statement.ts';

export { canonicalJson, hashParams } from './canonical-params.ts';
export { naturalKey, isCreatingMethod } from './natural-key.ts';

export const defaultIdempotencyTtlMs = 24 * 60 * 60 * 1000;

export type IdempotencyStatus = 'in_flight' | 'done';

export interface IdempotencyRecord {
  portal: string;
  /** Lowercased: the portal treats method names case-insensitively. */
  method: string;
  key: string;
  paramsHash: string;
  status: IdempotencyStatus;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

/** Proof of ownership of a fresh key; `complete` and `abandon` act only for its holder. */
export interface IdempotencyClaim {
  portal: string;
  method: string;
  key: string;
  paramsHash: string;
  token: string;
}

export type IdempotencyDecision =
  | { outcome: 'fresh'; claim: IdempotencyClaim }
  | { outcome: 'replay'; result: unknown; record: IdempotencyRecord }
  | { outcome: 'conflict'; record: IdempotencyRecord; paramsHash: string }
  | { outcome: 'in_flight'; record: IdempotencyRecord };

export interface IdempotencyRequest {
  portal: string;
  method: string;
  key: string;
  params: Record<string, unknown>;
}

export interface IdempotencyStoreOptions {
  clock?: Clock;
  /** How long a record lives: a replay is possible for this long after completion (default 24 h). */
  ttlMs?: number;
}

interface RecordRow {
  portal: string;
  method: string;
  key: string;
  params_hash: string;
  status: IdempotencyStatus;
  claim: string;
  result: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

function toRecord(row: RecordRow): IdempotencyRecord {
  return {
    portal: row.portal,
    method: row.method,
    key: row.key,
    paramsHash: row.params_hash,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}

export class IdempotencyStore {
  readonly #database: StateDatabase;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(database: StateDatabase, options: IdempotencyStoreOptions = {}) {
    this.#database = database;
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = options.ttlMs ?? defaultIdempotencyTtlMs;
    if (!Number.isFinite(this.#ttlMs) || this.#ttlMs <= 0) {
      throw new RefusalError(`idempotency: the time to live must be a positive number of milliseconds, got ${this.#ttlMs} (IDEMPOTENCY_TTL_INVALID).`, {
        code: 'IDEMPOTENCY_TTL_INVALID',
        hint: 'Give a positive duration.',
        subject: 'idempotency',
      });
    }
  }

  /** Decides, atomically across processes, whether the caller may send this keyed call. */
  begin(request: IdempotencyRequest): IdempotencyDecision {
    const method = request.method.trim().toLowerCase();
    if (request.key.trim() === '') {
      throw new RefusalError(`${method}: the idempotency key is empty (IDEMPOTENCY_KEY_EMPTY).`, {
        code: 'IDEMPOTENCY_KEY_EMPTY',
        hint: 'Give a non-empty --idempotency-key, or --no-idempotency.',
        subject: method,
      });
    }
    const paramsHash = hashParams(request.params);
    const decide = this.#database.transaction((): IdempotencyDecision => {
      const now = this.#clock.now();
      const select = cachedStatement(this.#database, 'SELECT * FROM idempotency_records WHERE portal = ? AND method = ? AND key = ?');
      let row = select.get(request.portal, method, request.key) as RecordRow | undefined;
      if (row !== undefined && row.expires_at <= now) {
        cachedStatement(this.#database, 'DELETE FROM idempotency_records WHERE portal = ? AND method = ? AND key = ?').run(request.portal, method, request.key);
        row = undefined;
      }
      if (row === undefined) {
        const token = randomBytes(16).toString('hex');
        cachedStatement(
          this.#database,
          `INSERT INTO idempotency_records (portal, method, key, params_hash, status, claim, result, created_at, updated_at, expires_at)
             VALUES (?, ?, ?, ?, 'in_flight', ?, NULL, ?, ?, ?)`,
        ).run(request.portal, method, request.key, paramsHash, token, now, now, now + this.#ttlMs);
        return { outcome: 'fresh', claim: { portal: request.portal, method, key: request.key, paramsHash, token } };
      }
      const record = toRecord(row);
      if (row.params_hash !== paramsHash) return { outcome: 'conflict', record, paramsHash };
      if (row.status === 'done') return { outcome: 'replay', result: JSON.parse(row.result ?? 'null') as unknown, record };
      return { outcome: 'in_flight', record };
    });
    return decide.immediate();
  }

  /**
   * Stores the portal's answer for later replays; the record then lives `ttlMs` from now. Returns
   * false when the claim is no longer held (it expired and someone else took the key).
   */
  complete(claim: IdempotencyClaim, result: unknown): boolean {
    const now = this.#clock.now();
    const changes = cachedStatement(
      this.#database,
      `UPDATE idempotency_records SET status = 'done', result = ?, updated_at = ?, expires_at = ?
          WHERE portal = ? AND method = ? AND key = ? AND claim = ?`,
    ).run(JSON.stringify(result ?? null), now, now + this.#ttlMs, claim.portal, claim.method, claim.key, claim.token).changes;
    return changes === 1;
  }

  /**
   * Gives the key up without a result, when the call is known not to have taken effect (refused before
   * sending, or a definite error), so a later attempt is `fresh`. Never abandon an outcome you do not
   * know: keep the record in flight and reconcile. Returns false when the claim is no longer held.
   */
  abandon(claim: IdempotencyClaim): boolean {
    const changes = cachedStatement(
      this.#database,
      `DELETE FROM idempotency_records WHERE portal = ? AND method = ? AND key = ? AND claim = ? AND status = 'in_flight'`,
    ).run(claim.portal, claim.method, claim.key, claim.token).changes;
    return changes === 1;
  }

  /** The record as stored, expired or not. */
  find(portal: string, method: string, key: string): IdempotencyRecord | undefined {
    const row = cachedStatement(this.#database, 'SELECT * FROM idempotency_records WHERE portal = ? AND method = ? AND key = ?').get(
      portal,
      method.trim().toLowerCase(),
      key,
    ) as RecordRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  /** Deletes expired records; returns how many. */
  deleteExpired(): number {
    return cachedStatement(this.#database, 'DELETE FROM idempotency_records WHERE expires_at <= ?').run(this.#clock.now()).changes;
  }
}
