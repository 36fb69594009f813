import type { StateMigration } from './migration.ts';

const RUN_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  portal TEXT NOT NULL,
  chain_name TEXT NOT NULL,
  chain_path TEXT NOT NULL,
  chain_sha256 TEXT NOT NULL,
  inputs_json TEXT NOT NULL,
  status TEXT NOT NULL,
  plan_id TEXT,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_chain ON runs (portal, chain_path, status);
CREATE TABLE IF NOT EXISTS run_steps (
  run_id TEXT NOT NULL REFERENCES runs(id),
  step_id TEXT NOT NULL,
  status TEXT NOT NULL,
  result_json TEXT,
  error_json TEXT,
  PRIMARY KEY (run_id, step_id)
);
CREATE TABLE IF NOT EXISTS run_cursors (
  run_id TEXT NOT NULL REFERENCES runs(id),
  step_id TEXT NOT NULL,
  cursor_json TEXT NOT NULL,
  pages INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  finished INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, step_id)
);
CREATE TABLE IF NOT EXISTS run_items (
  run_id TEXT NOT NULL REFERENCES runs(id),
  step_id TEXT NOT NULL,
  item_key TEXT NOT NULL,
  status TEXT NOT NULL,
  -- the item's row, kept while it is pending so a resume can finish it even if the list no longer returns it
  item_json TEXT,
  error_json TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, step_id, item_key)
);
CREATE INDEX IF NOT EXISTS run_items_pending ON run_items (run_id, step_id, status);
CREATE TABLE IF NOT EXISTS run_item_steps (
  run_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  item_key TEXT NOT NULL,
  sub_step_id TEXT NOT NULL,
  status TEXT NOT NULL,
  method TEXT NOT NULL,
  params_json TEXT,
  result_json TEXT,
  error_json TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, step_id, item_key, sub_step_id)
);
CREATE INDEX IF NOT EXISTS run_item_steps_by_status ON run_item_steps (run_id, status);
`;

/** Chain runs: runs, step results, list cursors, item and sub-step outcomes (DESIGN.md §4). */
export const chainRunsMigration: StateMigration = {
  version: 2,
  name: 'chain runs: runs, cursors, item outcomes',
  up: (database) => database.exec(RUN_STORE_SCHEMA),
};
