import type { StateMigration } from './migration.ts';

/**
 * REST 3.0 method registry cache (issue 13): which methods a portal serves on `/rest/api/`, as learned
 * from `rest.scope.list` or `rest.documentation.openapi`, with when it was learned; the client falls
 * back to its built-in list when a portal has no fresh row.
 */
export const methodVersionsMigration: StateMigration = {
  version: 7,
  name: 'REST 3.0 method registry cache',
  up(database) {
    database.exec(`
      CREATE TABLE v3_method_registry (
        portal       TEXT NOT NULL,
        method       TEXT NOT NULL,           -- lower case
        source       TEXT NOT NULL CHECK (source IN ('rest.scope.list', 'rest.documentation.openapi')),
        refreshed_at INTEGER NOT NULL,
        PRIMARY KEY (portal, method)
      ) STRICT;
    `);
  },
};
