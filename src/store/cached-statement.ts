/**
 * Prepared statements cached per database connection and SQL text: a store prepares each statement
 * once, however often it runs (checkpoints run on every batch response, the worker on every row).
 */
import type { StateDatabase, StateStatement } from './state-database.ts';

const caches = new WeakMap<StateDatabase, Map<string, StateStatement>>();

/** The statement for `sql` on `database`, prepared on first use. `pluck` statements are cached apart. */
export function cachedStatement(database: StateDatabase, sql: string, options: { pluck?: boolean } = {}): StateStatement {
  let cache = caches.get(database);
  if (cache === undefined) {
    cache = new Map();
    caches.set(database, cache);
  }
  const key = options.pluck ? `pluck:${sql}` : sql;
  let statement = cache.get(key);
  if (statement === undefined) {
    statement = database.prepare(sql);
    if (options.pluck) statement.pluck();
    cache.set(key, statement);
  }
  return statement;
}
