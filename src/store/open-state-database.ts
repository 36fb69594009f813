/**
 * The state database (DESIGN.md §2 `store/`): plans, idempotency records, the audit trail, runs, and
 * whatever later migrations add. Embedded by default: a SQLite file with WAL, a 5 s busy timeout and
 * foreign keys on every connection; schema migrations applied in order, in one `BEGIN IMMEDIATE`
 * transaction, so two processes opening a new file at once cannot both migrate it. Given a
 * `postgres://` URL (`B24_DATABASE_URL`, DESIGN.md §13), the same migrations run on PostgreSQL in one
 * transaction under an advisory lock (two hosts starting at once migrate once), and the stores run
 * unchanged on it (`src/store/postgres/`). On PostgreSQL it also holds every portal's OAuth tokens.
 */
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import type { StateDatabase } from './state-database.ts';
import { StateDatabaseError } from '../errors/index.ts';
import { enableWal } from '../util/index.ts';
import { stateMigrations, type StateMigration } from './migrations/index.ts';
import { isPostgresUrl, PostgresDatabase, PostgresStatementError, redactDatabaseUrl, schemaVersionTable } from './postgres/postgres-database.ts';

export type { StateDatabase as Database } from './state-database.ts';

export const defaultStatePath = './.b24chain/state.db';

export interface StatePathSources {
  /** The `--db` flag: a SQLite file, or a `postgres://` URL. */
  flag?: string | undefined;
  /** `B24_DB` from the environment (the CLI reads it and passes it in). */
  env?: string | undefined;
  /** `B24_DATABASE_URL` from the environment: a `postgres://` URL (the fleet's shared state). */
  databaseUrl?: string | undefined;
}

/**
 * `--db` (what the command line says wins), else `B24_DATABASE_URL`, else `B24_DB`, else
 * `./.b24chain/state.db`; empty values count as unset.
 */
export function resolveStatePath(sources: StatePathSources = {}): string {
  for (const candidate of [sources.flag, sources.databaseUrl, sources.env]) {
    if (candidate !== undefined && candidate.trim() !== '') return candidate;
  }
  return defaultStatePath;
}

function isInMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

function readVersion(database: StateDatabase): number {
  return Number(database.pragma('user_version', { simple: true }));
}

function checkMigrationList(migrations: readonly StateMigration[], path: string): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StateDatabaseError(`${path}: migration "${migration.name}" has version ${migration.version} at position ${index + 1} (STATE_DB_MIGRATION).`, {
        code: 'STATE_DB_MIGRATION',
        path,
        hint: 'Number the migrations in src/store/migrations/index.ts 1..n in order.',
      });
    }
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Applies the migrations the database has not seen yet; returns the version it ends at. */
export function applyMigrations(database: StateDatabase, path: string, migrations: readonly StateMigration[] = stateMigrations): number {
  checkMigrationList(migrations, path);
  const latest = migrations.length;
  const tooNew = (version: number): StateDatabaseError =>
    new StateDatabaseError(`${path}: the state database is at schema version ${version}, newer than this b24chain knows (${latest}) (STATE_DB_TOO_NEW).`, {
      code: 'STATE_DB_TOO_NEW',
      path,
      hint: 'Upgrade b24chain, or point --db / B24_DB at another file.',
    });
  const seen = readVersion(database);
  if (seen === latest) return latest;
  if (seen > latest) throw tooNew(seen);
  const migrate = database.transaction(() => {
    const current = readVersion(database); // another process may have migrated while we waited
    if (current > latest) throw tooNew(current);
    for (const migration of migrations.slice(current)) {
      try {
        migration.up(database);
      } catch (error) {
        throw new StateDatabaseError(`${path}: migration ${migration.version} (${migration.name}) failed: ${messageOf(error)} (STATE_DB_MIGRATION).`, {
          code: 'STATE_DB_MIGRATION',
          path,
          hint: 'Nothing was changed; the database stays at its previous version.',
          cause: error,
        });
      }
    }
    database.pragma(`user_version = ${latest}`);
  });
  migrate.immediate();
  return latest;
}

export interface OpenStateDatabaseOptions {
  /**
   * Open an existing database for reading only: nothing is created, migrated or written (for
   * `chain status` on a file the user may not write). A missing file, or one at an older schema
   * version, is refused.
   */
  readOnly?: boolean;
  /** The migrations to apply (default: every state migration). */
  migrations?: readonly StateMigration[];
  /** PostgreSQL only: a statement with no answer after this long fails (default 30 s). */
  statementTimeoutMs?: number;
}

/** Both engines' advisory lock for migrating: one host migrates, the others wait and find it done. */
const MIGRATION_LOCK = 0x6232_3463; // "b24c"

function postgresOpenError(label: string, error: unknown): StateDatabaseError {
  if (error instanceof StateDatabaseError && !(error instanceof PostgresStatementError)) return error; // a timeout says it all
  const reason = error instanceof PostgresStatementError ? error.reason : messageOf(error);
  return new StateDatabaseError(`${label}: cannot open the state database: ${reason} (STATE_DB_OPEN).`, {
    code: 'STATE_DB_OPEN',
    path: label,
    hint: 'Check B24_DATABASE_URL (host, port, user, database) and that the server accepts connections from this host.',
    cause: error,
  });
}

function outdatedOrNewer(label: string, version: number, latest: number): StateDatabaseError {
  return version > latest
    ? new StateDatabaseError(`${label}: the state database is at schema version ${version}, newer than this b24chain knows (${latest}) (STATE_DB_TOO_NEW).`, {
        code: 'STATE_DB_TOO_NEW',
        path: label,
        hint: 'Upgrade b24chain, or point B24_DATABASE_URL at another database.',
      })
    : new StateDatabaseError(
        `${label}: the state database is at schema version ${version}, older than this b24chain's (${latest}), and it was opened read-only (STATE_DB_OUTDATED).`,
        { code: 'STATE_DB_OUTDATED', path: label, hint: 'Run any chain command that writes to it once (it migrates on open).' },
      );
}

/**
 * The state database on PostgreSQL: the version table is created and the migrations applied under a
 * session advisory lock, in one SERIALIZABLE transaction taken after the lock (so its snapshot sees
 * what a host that migrated first committed).
 */
function openPostgres(url: string, readOnly: boolean, migrations: readonly StateMigration[], statementTimeoutMs: number | undefined): PostgresDatabase {
  const label = redactDatabaseUrl(url);
  const database = new PostgresDatabase(url, statementTimeoutMs === undefined ? {} : { statementTimeoutMs });
  try {
    try {
      database.query('SELECT 1');
    } catch (error) {
      throw postgresOpenError(label, error);
    }
    if (readOnly) {
      const exists = database.query('SELECT to_regclass($1) IS NOT NULL AS present', [schemaVersionTable]).rows[0]?.present === true;
      const version = exists ? Number(database.pragma('user_version', { simple: true })) : 0;
      if (version !== migrations.length) throw outdatedOrNewer(label, version, migrations.length);
      return database;
    }
    database.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      database.query(`CREATE TABLE IF NOT EXISTS ${schemaVersionTable} (version BIGINT NOT NULL)`);
      database.query(`INSERT INTO ${schemaVersionTable} (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM ${schemaVersionTable})`);
      applyMigrations(database, label, migrations);
    } finally {
      database.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * The folder is created 0700 and a new file 0600 before SQLite opens it: the database holds CRM
 * names and titles. SQLite gives its -wal and -shm files the database file's mode. An existing file
 * keeps the mode it has.
 */
function createPrivately(path: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
}

function openError(path: string, error: unknown): StateDatabaseError {
  return new StateDatabaseError(`${path}: cannot open the state database: ${messageOf(error)} (STATE_DB_OPEN).`, {
    code: 'STATE_DB_OPEN',
    path,
    hint: 'Check that the folder is writable and the file is a SQLite database, or choose another file with --db or B24_DB.',
    cause: error,
  });
}

/**
 * A WAL database in a folder this user cannot write to, with no -shm file (so no process has it open):
 * SQLite cannot read it in place (WAL readers need the -shm file), so it is read from a private copy
 * (0600, removed when the process exits).
 */
function openSnapshot(path: string): Database {
  const folder = mkdtempSync(join(tmpdir(), 'b24chain-snapshot-'));
  const copy = join(folder, 'state.db');
  copyFileSync(path, copy);
  chmodSync(copy, 0o600);
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  const database = new BetterSqlite3(copy, { fileMustExist: true });
  database.pragma('journal_mode = DELETE');
  return database;
}

function openReadOnly(path: string, migrations: readonly StateMigration[]): Database {
  let database: Database | undefined;
  try {
    try {
      database = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
      database.pragma('busy_timeout = 5000');
      readVersion(database);
    } catch (error) {
      database?.close();
      database = undefined;
      if (!existsSync(path) || existsSync(`${path}-shm`)) throw error;
      database = openSnapshot(path);
    }
    const version = readVersion(database);
    if (version === migrations.length) return database;
    const newer = version > migrations.length;
    throw new StateDatabaseError(
      newer
        ? `${path}: the state database is at schema version ${version}, newer than this b24chain knows (${migrations.length}) (STATE_DB_TOO_NEW).`
        : `${path}: the state database is at schema version ${version}, older than this b24chain's (${migrations.length}), and it was opened read-only (STATE_DB_OUTDATED).`,
      newer
        ? { code: 'STATE_DB_TOO_NEW', path, hint: 'Upgrade b24chain, or point --db / B24_DB at another file.' }
        : { code: 'STATE_DB_OUTDATED', path, hint: 'Run any chain command that writes to it once (it migrates on open), or ask its owner to.' },
    );
  } catch (error) {
    database?.close();
    if (error instanceof StateDatabaseError) throw error;
    throw openError(path, error);
  }
}

/**
 * Opens (creating it and its folder if needed) the state database at `path`, configured and migrated;
 * a `postgres://` URL opens it on PostgreSQL (created tables, same migrations).
 * `:memory:` gives a private in-memory database, for tests. With `{ readOnly: true }`, opens an
 * existing database as it is. The second argument may also be the list of migrations (tests).
 */
export function openStateDatabase(path: string, options: OpenStateDatabaseOptions | readonly StateMigration[] = {}): StateDatabase {
  const {
    readOnly = false,
    migrations = stateMigrations,
    statementTimeoutMs,
  } = Array.isArray(options) ? { migrations: options as readonly StateMigration[], statementTimeoutMs: undefined } : (options as OpenStateDatabaseOptions);
  if (isPostgresUrl(path)) return openPostgres(path.trim(), readOnly, migrations, statementTimeoutMs);
  if (readOnly && !isInMemory(path)) return openReadOnly(path, migrations);
  let database: Database | undefined;
  try {
    if (!isInMemory(path)) createPrivately(path);
    database = new BetterSqlite3(path);
    database.pragma('busy_timeout = 5000');
    if (!isInMemory(path)) enableWal(database);
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database?.close();
    throw openError(path, error);
  }
  try {
    applyMigrations(database, path, migrations);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}
