import type { StateMigration } from './migration.ts';

const OFFLINE_EVENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS event_reservations (
  portal TEXT NOT NULL,
  process_id TEXT NOT NULL,
  error_read INTEGER NOT NULL DEFAULT 0,
  auth_connector TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  run_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (portal, process_id)
);
CREATE INDEX IF NOT EXISTS event_reservations_open ON event_reservations (portal, auth_connector, status);
CREATE TABLE IF NOT EXISTS event_rows (
  portal TEXT NOT NULL,
  process_id TEXT NOT NULL,
  row_id TEXT NOT NULL,
  message_id TEXT NOT NULL DEFAULT '',
  event_name TEXT NOT NULL DEFAULT '',
  payload_json TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (portal, process_id, row_id)
);
CREATE INDEX IF NOT EXISTS event_rows_by_row ON event_rows (portal, row_id);
CREATE TABLE IF NOT EXISTS event_dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  portal TEXT NOT NULL,
  source TEXT NOT NULL,
  auth_connector TEXT NOT NULL DEFAULT '',
  event_name TEXT NOT NULL,
  row_id TEXT NOT NULL,
  message_id TEXT NOT NULL DEFAULT '',
  process_id TEXT NOT NULL DEFAULT '',
  payload_json TEXT NOT NULL,
  error_code TEXT NOT NULL,
  error_message TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  status TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS event_dead_letters_by_status ON event_dead_letters (portal, status);
CREATE TABLE IF NOT EXISTS event_portals (
  member_id TEXT PRIMARY KEY,
  domain TEXT NOT NULL DEFAULT '',
  token_sha256 TEXT NOT NULL,
  installed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS event_inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id TEXT NOT NULL,
  domain TEXT NOT NULL DEFAULT '',
  event_name TEXT NOT NULL,
  data_json TEXT NOT NULL,
  event_ts TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS event_inbox_by_status ON event_inbox (status, id);
`;

/**
 * Offline-event worker state (DESIGN.md §8): every reservation (process_id) and its rows saved before
 * processing, attempts per (process_id, row ID), the local dead-letter table; and the online receiver's
 * inbox with each portal's application token, kept only as a SHA-256 digest (no secret in this file).
 */
export const offlineEventsMigration: StateMigration = {
  version: 3,
  name: 'events: offline reservations, attempts, dead letters, online inbox',
  up: (database) => database.exec(OFFLINE_EVENTS_SCHEMA),
};
