/**
 * What the stores need of a database: the subset of better-sqlite3's `Database` they use, so the same
 * stores and migrations run on the embedded SQLite file (better-sqlite3 satisfies this interface as it
 * is) and on PostgreSQL (`src/store/postgres/`, a synchronous facade over `pg`). SQL is written in the
 * common dialect: `?` or `@name` parameters, `ON CONFLICT … DO UPDATE`, `RETURNING`, quoted camelCase
 * aliases; the PostgreSQL facade translates the rest (`translate-sql.ts`).
 */

/** What `run()` reports: the rows inserted, updated or deleted. */
export interface StateRunResult {
  changes: number;
}

/** A prepared statement: parameters are positional values, or one object for `@name` parameters. */
export interface StateStatement {
  run(...params: unknown[]): StateRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** From now on `get` and `all` return the first column's value instead of the row. */
  pluck(toggle?: boolean): this;
}

/** `database.transaction(work)`: call it (or `.immediate()`, which takes the write lock up front) to run `work` in one transaction. */
export interface StateTransaction<T> {
  (): T;
  immediate(): T;
}

export interface StateDatabase {
  /** The file, `:memory:`, or the PostgreSQL URL without its password. */
  readonly name: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): StateStatement;
  /** Nested calls become savepoints of the outer transaction. */
  transaction<T>(work: () => T): StateTransaction<T>;
  /** Runs one or more statements without parameters (schema changes). */
  exec(sql: string): unknown;
  /** `user_version` (read with `{ simple: true }`, written as `user_version = N`) on both engines; other pragmas on SQLite only. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
}
