/**
 * A limiter store in a SQLite file, so every process on a host shares one budget per portal
 * (`B24_RATE_LIMITER=sqlite`). Each operation is one IMMEDIATE transaction: reservations from several
 * processes are serialised by the database lock, never lost or double-counted.
 */
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { enableWal } from '../util/index.ts';
import { emptyBucket, recordRefusal, releaseSlot, reserveSlot, type BucketSettings, type BucketState } from './leaky-bucket.ts';
import { blockFromObservation, UNKNOWN_RESET_BLOCK_MS, type LimiterStore, type MethodState, type OperatingObservation } from './limiter-store.ts';

interface BucketRow {
  level: number;
  updated_at: number;
  refused_at: number;
  slowdown: number;
}

interface MethodRow {
  operating: number;
  reset_at: number | null;
  observed_at: number;
  blocked_until: number | null;
}

export class SqliteLimiterStore implements LimiterStore {
  private readonly database: Database.Database;
  private readonly readBucket: Database.Statement<[string], BucketRow>;
  private readonly writeBucket: Database.Statement<[string, number, number, number, number]>;
  private readonly readMethod: Database.Statement<[string, string], MethodRow>;
  private readonly writeMethod: Database.Statement<[string, string, number, number | null, number, number | null]>;

  /**
   * Opens (and creates) the file; `:memory:` works for tests. A new file is made 0600 (SQLite gives its
   * -wal and -shm files the same mode) in a folder made 0700: it names the portals used.
   */
  constructor(path: string) {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'a', 0o600));
    }
    this.database = new Database(path, { timeout: 10_000 });
    if (path !== ':memory:') enableWal(this.database);
    this.database.pragma('synchronous = NORMAL');
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS limiter_bucket (
        key TEXT PRIMARY KEY, level REAL NOT NULL, updated_at INTEGER NOT NULL, refused_at INTEGER NOT NULL,
        slowdown REAL NOT NULL DEFAULT 1);
      CREATE TABLE IF NOT EXISTS limiter_method (
        key TEXT NOT NULL, method TEXT NOT NULL, operating REAL NOT NULL, reset_at INTEGER,
        observed_at INTEGER NOT NULL, blocked_until INTEGER, PRIMARY KEY (key, method));
    `);
    this.readBucket = this.database.prepare('SELECT level, updated_at, refused_at, slowdown FROM limiter_bucket WHERE key = ?');
    this.writeBucket = this.database.prepare(
      'INSERT INTO limiter_bucket (key, level, updated_at, refused_at, slowdown) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at, ' +
        'refused_at = excluded.refused_at, slowdown = excluded.slowdown',
    );
    this.readMethod = this.database.prepare('SELECT operating, reset_at, observed_at, blocked_until FROM limiter_method WHERE key = ? AND method = ?');
    this.writeMethod = this.database.prepare(
      'INSERT INTO limiter_method (key, method, operating, reset_at, observed_at, blocked_until) VALUES (?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (key, method) DO UPDATE SET operating = excluded.operating, reset_at = excluded.reset_at, ' +
        'observed_at = excluded.observed_at, blocked_until = excluded.blocked_until',
    );
  }

  private bucket(key: string, nowMs: number): BucketState {
    const row = this.readBucket.get(key);
    return row === undefined ? emptyBucket(nowMs) : { level: row.level, updatedAtMs: row.updated_at, refusedAtMs: row.refused_at, slowdown: row.slowdown };
  }

  private saveBucket(key: string, state: BucketState): void {
    this.writeBucket.run(key, state.level, Math.round(state.updatedAtMs), Math.round(state.refusedAtMs), state.slowdown);
  }

  private updateBucket<T>(key: string, nowMs: number, change: (state: BucketState) => { state: BucketState; value: T }): T {
    return this.database
      .transaction(() => {
        const { state, value } = change(this.bucket(key, nowMs));
        this.saveBucket(key, state);
        return value;
      })
      .immediate();
  }

  async reserve(key: string, settings: BucketSettings, nowMs: number): Promise<number> {
    return this.updateBucket(key, nowMs, (state) => {
      const reserved = reserveSlot(state, settings, nowMs);
      return { state: reserved.state, value: reserved.sendAtMs };
    });
  }

  async release(key: string, settings: BucketSettings, nowMs: number): Promise<void> {
    this.updateBucket(key, nowMs, (state) => ({ state: releaseSlot(state, settings, nowMs), value: undefined }));
  }

  async recordRefusal(key: string, settings: BucketSettings, nowMs: number): Promise<void> {
    this.updateBucket(key, nowMs, (state) => ({ state: recordRefusal(state, settings, nowMs), value: undefined }));
  }

  private toState(row: MethodRow | undefined): MethodState | undefined {
    if (row === undefined) return undefined;
    return {
      operating: row.operating,
      resetAtMs: row.reset_at ?? undefined,
      observedAtMs: row.observed_at,
      blockedUntilMs: row.blocked_until ?? undefined,
    };
  }

  async observeOperating(key: string, method: string, observation: OperatingObservation, nowMs: number, limitSeconds: number): Promise<void> {
    this.database
      .transaction(() => {
        const previous = this.toState(this.readMethod.get(key, method));
        const block = blockFromObservation(observation, nowMs, limitSeconds, UNKNOWN_RESET_BLOCK_MS);
        const kept = previous?.blockedUntilMs !== undefined && previous.blockedUntilMs > nowMs ? previous.blockedUntilMs : undefined;
        const blockedUntil = block === undefined ? kept : Math.max(block, kept ?? 0);
        const resetAt = observation.resetAtMs ?? previous?.resetAtMs;
        this.writeMethod.run(key, method, observation.operating, resetAt ?? null, Math.round(nowMs), blockedUntil ?? null);
      })
      .immediate();
  }

  async blockMethod(key: string, method: string, untilMs: number, nowMs: number): Promise<void> {
    this.database
      .transaction(() => {
        const previous = this.toState(this.readMethod.get(key, method));
        const blockedUntil = Math.max(Math.round(untilMs), previous?.blockedUntilMs ?? 0);
        this.writeMethod.run(key, method, previous?.operating ?? 0, previous?.resetAtMs ?? null, previous?.observedAtMs ?? Math.round(nowMs), blockedUntil);
      })
      .immediate();
  }

  async methodState(key: string, method: string): Promise<MethodState | undefined> {
    return this.toState(this.readMethod.get(key, method));
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}
