import type { StateMigration } from './migration.ts';

/**
 * Plans (`chain call --plan-only` and `chain plan`), idempotency records and the audit trail.
 * Times are milliseconds since the epoch; JSON columns hold documents the stores parse.
 */
export const guardedCallMigration: StateMigration = {
  version: 1,
  name: 'guarded call: plans, idempotency records, audit trail',
  up(database) {
    database.exec(`
      CREATE TABLE plans (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('call', 'chain')),
        portal      TEXT NOT NULL,
        risk        TEXT NOT NULL CHECK (risk IN ('read', 'write', 'destructive')),
        body        TEXT NOT NULL,              -- JSON: CallPlanBody or ChainPlanBody
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        consumed_at INTEGER
      ) STRICT;
      CREATE INDEX plans_by_expiry ON plans (expires_at);

      -- The item keys a chain plan covers: a run never writes an item its plan did not count.
      CREATE TABLE plan_item_keys (
        plan_id  TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        step_id  TEXT NOT NULL,
        item_key TEXT NOT NULL,
        PRIMARY KEY (plan_id, step_id, item_key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE idempotency_records (
        portal      TEXT NOT NULL,
        method      TEXT NOT NULL,              -- lowercased
        key         TEXT NOT NULL,
        params_hash TEXT NOT NULL,              -- SHA-256 of the canonical parameters
        status      TEXT NOT NULL CHECK (status IN ('in_flight', 'done')),
        claim       TEXT NOT NULL,              -- random token of the caller that owns the record
        result      TEXT,                       -- JSON of the portal's answer once done
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        PRIMARY KEY (portal, method, key)
      ) STRICT;
      CREATE INDEX idempotency_records_by_expiry ON idempotency_records (expires_at);

      CREATE TABLE audit_log (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        time            INTEGER NOT NULL,
        request_id      TEXT NOT NULL,
        portal          TEXT NOT NULL,
        method          TEXT NOT NULL,
        risk            TEXT CHECK (risk IN ('read', 'write', 'destructive')),
        outcome         TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'refused', 'replayed')),
        error_code      TEXT,
        duration_ms     INTEGER,
        plan_id         TEXT,
        idempotency_key TEXT,
        parameter_names TEXT NOT NULL,          -- JSON array of names, never values
        packs           TEXT NOT NULL           -- JSON array
      ) STRICT;
      CREATE INDEX audit_log_by_time ON audit_log (time);
    `);
  },
};
