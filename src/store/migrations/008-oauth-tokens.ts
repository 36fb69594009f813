import type { StateMigration } from './migration.ts';

/**
 * Every portal's OAuth tokens, for the fleet (DESIGN.md §13): with `B24_DATABASE_URL` the state
 * database on PostgreSQL is where hosts find the tokens another host refreshed. One row per token key
 * (`<portal>|<client_id>`), the entry as the tokens file keeps it (JSON: tokens, lineage digests).
 * The embedded SQLite database has the table but leaves it empty: there, tokens stay in their 0600 files.
 */
export const oauthTokensMigration: StateMigration = {
  version: 8,
  name: 'OAuth tokens of every portal (PostgreSQL state store)',
  up(database) {
    database.exec(`
      CREATE TABLE oauth_tokens (
        token_key  TEXT PRIMARY KEY,           -- <portal>|<client_id>
        tokens     TEXT NOT NULL,              -- JSON: the entry as the tokens file stores it
        updated_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
