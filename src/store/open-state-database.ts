/**
 * The SQLite state database (DESIGN.md §2 `store/`): plans, idempotency records, the audit trail, and
 * whatever later migrations add. WAL, a 5 s busy timeout and foreign keys on every connection; schema
 * migrations applied in order, in one `BEGIN IMMEDIATE` transaction, so two processes opening a new
 * file at once cannot both migrate it. Tokens and secrets never live here.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { StateDatabaseError } from '../errors/state-database-error.ts';
import { stateMigrations, type StateMigration } from './migrations/index.ts';

export type { Database } from 'better-sqlite3';

export const defaultStatePath = './.b24chain/state.db';

export interface StatePathSources {
  /** The `--db` flag. */
  flag?: string | undefined;
  /** `B24_DB` from the environment (the CLI reads it and passes it in). */
  env?: string | undefined;
}

/** `--db`, else `B24_DB`, else `./.b24chain/state.db`; empty values count as unset. */
export function resolveStatePath(sources: StatePathSources = {}): string {
  for (const candidate of [sources.flag, sources.env]) {
    if (candidate !== undefined && candidate.trim() !== '') return candidate;
  }
  return defaultStatePath;
}

function isInMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

function readVersion(database: Database): number {
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
export function applyMigrations(database: Database, path: string, migrations: readonly StateMigration[] = stateMigrations): number {
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

/**
 * Opens (creating it and its folder if needed) the state database at `path`, configured and migrated.
 * `:memory:` gives a private in-memory database, for tests.
 */
export function openStateDatabase(path: string, migrations: readonly StateMigration[] = stateMigrations): Database {
  let database: Database | undefined;
  try {
    if (!isInMemory(path)) mkdirSync(dirname(resolve(path)), { recursive: true });
    database = new BetterSqlite3(path);
    database.pragma('busy_timeout = 5000');
    if (!isInMemory(path)) database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database?.close();
    throw new StateDatabaseError(`${path}: cannot open the state database: ${messageOf(error)} (STATE_DB_OPEN).`, {
      code: 'STATE_DB_OPEN',
      path,
      hint: 'Check that the folder is writable and the file is a SQLite database, or choose another file with --db or B24_DB.',
      cause: error,
    });
  }
  try {
    applyMigrations(database, path, migrations);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}
