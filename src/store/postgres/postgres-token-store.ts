/**
 * Every portal's OAuth tokens in the PostgreSQL state store (migration 008), so a token refreshed on
 * one host is what the next host uses (DESIGN.md §13). One row per token key (`<portal>|<client_id>`),
 * the entry as the tokens file keeps it (tokens, lineage digests, `updatedAtMs`).
 *
 * `withLock` is single-flight across hosts without blocking the event loop while it waits: a
 * session-level advisory lock on this connection, tried with `pg_try_advisory_lock` every `pollMs`
 * (the wait is a timer, not a blocked statement), released after the work; a holder that died
 * releases it with its session. Session locks are re-entrant, so callers in this process queue up
 * first (one holder per key per process). A wait longer than `lockTimeoutMs` fails with
 * `TOKEN_LOCK_TIMEOUT`. Stored tokens win over the connection's only when they descend from its
 * refresh token (`precedence: 'when-newer'`): a newer authorisation in a profile or the environment wins.
 */
import { createHash } from 'node:crypto';
import type { OAuthTokens, TokenStore } from '../../client/index.ts';
import { StateDatabaseError } from '../../errors/index.ts';
import { systemClock, type Clock } from '../../util/index.ts';
import type { PostgresDatabase } from './postgres-database.ts';

/** The advisory lock space of token locks ("b24t"); the key's hash is the second half. */
const TOKEN_LOCK_SPACE = 0x6232_3474;

export interface PostgresTokenStoreOptions {
  clock?: Clock;
  /** How long `withLock` waits for another holder (default 60 s). */
  lockTimeoutMs?: number;
  /** How often it tries the lock meanwhile (default 50 ms). */
  pollMs?: number;
}

function lockKey(tokenKey: string): number {
  return createHash('sha256').update(tokenKey).digest().readInt32BE(0);
}

export class PostgresTokenStore implements TokenStore {
  readonly precedence = 'when-newer';
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly clock: Clock;

  constructor(
    private readonly database: PostgresDatabase,
    private readonly options: PostgresTokenStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async load(tokenKey: string): Promise<OAuthTokens | undefined> {
    const text = this.database.prepare('SELECT tokens FROM oauth_tokens WHERE token_key = ?').pluck().get(tokenKey) as string | undefined;
    if (text === undefined) return undefined;
    let parsed: OAuthTokens & { updatedAtMs?: number };
    try {
      parsed = JSON.parse(text) as OAuthTokens & { updatedAtMs?: number };
    } catch {
      // JSON.parse quotes the text it failed on: never let it near a message (it holds tokens).
      throw new StateDatabaseError(`${this.database.name}: the stored OAuth tokens of one portal are not valid JSON (STATE_DB_TOKENS_INVALID).`, {
        code: 'STATE_DB_TOKENS_INVALID',
        path: this.database.name,
        hint: "Delete that row of oauth_tokens (the connection's own tokens are used again) or re-authorise the application.",
      });
    }
    const { updatedAtMs: _updatedAtMs, ...tokens } = parsed;
    return typeof tokens.accessToken === 'string' ? tokens : undefined;
  }

  /** Call under `withLock` for the same key. */
  async save(tokenKey: string, tokens: OAuthTokens): Promise<void> {
    const now = this.clock.now();
    this.database
      .prepare(
        `INSERT INTO oauth_tokens (token_key, tokens, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (token_key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
      )
      .run(tokenKey, JSON.stringify({ ...tokens, updatedAtMs: now }), now);
  }

  withLock<T>(tokenKey: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(tokenKey) ?? Promise.resolve();
    const run = previous.then(
      () => this.locked(tokenKey, work),
      () => this.locked(tokenKey, work),
    );
    const settled = run.catch(() => undefined);
    this.queues.set(tokenKey, settled);
    void settled.then(() => {
      if (this.queues.get(tokenKey) === settled) this.queues.delete(tokenKey);
    });
    return run;
  }

  private async locked<T>(tokenKey: string, work: () => Promise<T>): Promise<T> {
    const key = lockKey(tokenKey);
    const timeoutMs = this.options.lockTimeoutMs ?? 60_000;
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const taken = this.database.query('SELECT pg_try_advisory_lock($1, $2) AS taken', [TOKEN_LOCK_SPACE, key]).rows[0]?.taken === true;
      if (taken) break;
      if (this.clock.now() >= deadline) {
        throw new StateDatabaseError(
          `${this.database.name}: another process held the lock on the OAuth tokens of one portal for more than ${Math.round(timeoutMs / 1000)} s (TOKEN_LOCK_TIMEOUT).`,
          {
            code: 'TOKEN_LOCK_TIMEOUT',
            path: this.database.name,
            hint: 'Try again; if it repeats, look for a stuck b24chain process on another host (its lock ends with its session).',
          },
        );
      }
      await this.clock.sleep(this.options.pollMs ?? 50);
    }
    try {
      return await work();
    } finally {
      if (this.database.open) this.database.query('SELECT pg_advisory_unlock($1, $2)', [TOKEN_LOCK_SPACE, key]);
    }
  }
}
