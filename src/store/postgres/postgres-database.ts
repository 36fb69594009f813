/**
 * The state database on PostgreSQL, behind the same synchronous `StateDatabase` interface as SQLite, so
 * every store and migration runs unchanged (`B24_DATABASE_URL`, DESIGN.md §13).
 *
 * - Each statement is translated once (`translate-sql.ts`) and runs as a named prepared statement on
 *   the one connection a worker thread owns (`SyncBridge`): one loopback round trip, blocking.
 * - Transactions: SQLite serialises writers, PostgreSQL does not, so every transaction runs at
 *   SERIALIZABLE and is run again from the start on a serialization failure or deadlock
 *   (40001/40P01), up to `maxAttempts` times: closures must be re-runnable (they are: database work
 *   only). A nested `transaction()` is a savepoint, as on better-sqlite3.
 * - `user_version` lives in the one-row table `b24chain_schema_version`.
 * - int8 and numeric values come back as numbers (the worker's type parsers), as SQLite gives them.
 */
import { redactSecrets, registerSecret, StateDatabaseError } from '../../errors/index.ts';
import { passwordOf, redactDatabaseUrl } from './database-url.ts';
import { PostgresStatement } from './postgres-statement.ts';
import type { StateDatabase, StateStatement, StateTransaction } from '../state-database.ts';
import type { BridgeAnswer } from './bridge-protocol.ts';
import { SyncBridge } from './sync-bridge.ts';
import { translateSql, UntranslatableSqlError, type TranslatedSql } from './translate-sql.ts';

export { isPostgresUrl, redactDatabaseUrl } from './database-url.ts';

export const schemaVersionTable = 'b24chain_schema_version';

const RETRYABLE = new Set(['40001', '40P01']);
const DEFAULT_MAX_ATTEMPTS = 8;

export interface PostgresDatabaseOptions {
  /** A statement with no answer after this long throws `STATE_DB_TIMEOUT` (default 30 s). */
  statementTimeoutMs?: number;
  /** Attempts of a transaction that keeps failing to serialise (default 8). */
  maxAttempts?: number;
}

function pause(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

/** A statement PostgreSQL refused: its SQLSTATE is kept as `sqlState` (`40001`, `23505`…). */
export class PostgresStatementError extends StateDatabaseError {
  override name = 'StateDatabaseError';
  readonly sqlState: string | undefined;
  /** PostgreSQL's own words, without the statement. */
  readonly reason: string;

  constructor(label: string, failure: { message: string; code?: string; detail?: string }, sql: string) {
    const statement = sql.replace(/\s+/g, ' ').trim().slice(0, 120);
    super(`${label}: PostgreSQL refused a statement: ${failure.message}${failure.code ? ` [${failure.code}]` : ''} in "${statement}" (STATE_DB_QUERY).`, {
      code: 'STATE_DB_QUERY',
      path: label,
      hint: 'Check that the server is reachable and the database is the one b24chain migrated; report it with this message if it repeats.',
    });
    this.sqlState = failure.code;
    this.reason = redactSecrets(failure.message);
  }
}

export class PostgresDatabase implements StateDatabase {
  /** Stores that can say a thing in fewer PostgreSQL statements check this (`record-checkpoint.ts`). */
  readonly dialect = 'postgres' as const;
  readonly name: string;
  private readonly bridge: SyncBridge;
  private readonly maxAttempts: number;
  private readonly translations = new Map<string, { translated: TranslatedSql; name: string }>();
  private depth = 0;

  constructor(url: string, options: PostgresDatabaseOptions = {}) {
    this.name = redactDatabaseUrl(url);
    registerSecret(passwordOf(url));
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.bridge = new SyncBridge(url, this.name, options.statementTimeoutMs);
  }

  get open(): boolean {
    return this.bridge.isOpen;
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  private translate(sql: string): { translated: TranslatedSql; name: string } {
    let entry = this.translations.get(sql);
    if (entry === undefined) {
      try {
        entry = { translated: translateSql(sql), name: `b24_${this.translations.size + 1}` };
      } catch (error) {
        if (!(error instanceof UntranslatableSqlError)) throw error;
        throw new StateDatabaseError(`${this.name}: ${error.message} (STATE_DB_UNSUPPORTED_SQL).`, {
          code: 'STATE_DB_UNSUPPORTED_SQL',
          path: this.name,
          hint: 'Write the statement in the SQL both engines run (see src/store/postgres/translate-sql.ts).',
        });
      }
      this.translations.set(sql, entry);
    }
    return entry;
  }

  /** One statement with `$n` parameters; `prepareAs` reuses a server-side prepared statement. */
  query(text: string, values: unknown[] = [], prepareAs?: string): Extract<BridgeAnswer, { ok: true }> {
    const answer = this.bridge.call({ kind: 'query', text, values, reconnect: this.depth === 0, ...(prepareAs === undefined ? {} : { prepare: prepareAs }) });
    if (!answer.ok) throw new PostgresStatementError(this.name, answer.error, text);
    return answer;
  }

  prepare(sql: string): StateStatement {
    const { translated, name } = this.translate(sql);
    return new PostgresStatement(this, translated, name);
  }

  exec(sql: string): this {
    const { translated } = this.translate(sql);
    const answer = this.bridge.call({ kind: 'exec', text: translated.text, reconnect: this.depth === 0 });
    if (!answer.ok) throw new PostgresStatementError(this.name, answer.error, translated.text);
    return this;
  }

  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const write = /^\s*user_version\s*=\s*(\d+)\s*$/i.exec(source);
    if (write) {
      this.query(`UPDATE ${schemaVersionTable} SET version = $1`, [Number(write[1])]);
      return [];
    }
    if (/^\s*user_version\s*$/i.test(source)) {
      const version = Number(this.query(`SELECT version FROM ${schemaVersionTable}`).rows[0]?.version ?? 0);
      return options.simple ? version : [{ user_version: version }];
    }
    throw new StateDatabaseError(`${this.name}: PRAGMA ${source} has no meaning on PostgreSQL (STATE_DB_UNSUPPORTED_SQL).`, {
      code: 'STATE_DB_UNSUPPORTED_SQL',
      path: this.name,
      hint: 'Only user_version is kept on PostgreSQL.',
    });
  }

  transaction<T>(work: () => T): StateTransaction<T> {
    const run = (): T => (this.depth > 0 ? this.savepoint(work) : this.serializable(work));
    return Object.assign(run, { immediate: run });
  }

  private savepoint<T>(work: () => T): T {
    const name = `b24_savepoint_${this.depth}`;
    this.query(`SAVEPOINT ${name}`);
    this.depth += 1;
    try {
      const result = work();
      this.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      try {
        this.query(`ROLLBACK TO SAVEPOINT ${name}`);
        this.query(`RELEASE SAVEPOINT ${name}`);
      } catch {
        // the outer transaction is aborted: it rolls back as a whole
      }
      throw error;
    } finally {
      this.depth -= 1;
    }
  }

  private serializable<T>(work: () => T): T {
    for (let attempt = 1; ; attempt += 1) {
      this.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      this.depth = 1;
      try {
        const result = work();
        this.query('COMMIT');
        return result;
      } catch (error) {
        try {
          if (this.bridge.isOpen) this.query('ROLLBACK');
        } catch {
          // nothing more to undo
        }
        const sqlState = error instanceof PostgresStatementError ? error.sqlState : undefined;
        if (sqlState === undefined || !RETRYABLE.has(sqlState) || attempt >= this.maxAttempts) throw error;
        pause(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
      } finally {
        this.depth = 0;
      }
    }
  }

  close(): this {
    this.bridge.close();
    return this;
  }
}
