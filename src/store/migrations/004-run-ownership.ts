import type { StateMigration } from './migration.ts';

const RUN_OWNERSHIP_SCHEMA = `
CREATE TABLE IF NOT EXISTS leases (
  resource TEXT PRIMARY KEY,
  -- NULL once released; the row stays so the fencing token keeps growing
  owner_id TEXT,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  fencing_token INTEGER NOT NULL
);
ALTER TABLE runs ADD COLUMN resume_flags_json TEXT;
CREATE INDEX IF NOT EXISTS runs_by_content ON runs (portal, chain_sha256, status);
`;

/** Run ownership (DESIGN.md §11): one lease per run or worker queue, with a fencing token; the flags a resume needs. */
export const runOwnershipMigration: StateMigration = {
  version: 4,
  name: 'run ownership: leases with fencing tokens, resume flags',
  up: (database) => database.exec(RUN_OWNERSHIP_SCHEMA),
};
