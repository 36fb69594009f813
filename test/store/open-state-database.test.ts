import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { isStateDatabaseError } from '../../src/errors/state-database-error.ts';
import { openStateDatabase, resolveStatePath, stateMigrations, type StateMigration } from '../../src/store/index.ts';

const folder = mkdtempSync(join(tmpdir(), 'b24chain-state-'));
after(() => rmSync(folder, { recursive: true, force: true }));

describe('openStateDatabase', () => {
  it('creates the file and its folder, with WAL, a busy timeout, foreign keys and the current schema', () => {
    const path = join(folder, 'nested', 'deeper', 'state.db');
    const database = openStateDatabase(path);
    try {
      assert.ok(existsSync(path));
      assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(database.pragma('busy_timeout', { simple: true }), 5000);
      assert.equal(database.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(database.pragma('user_version', { simple: true }), stateMigrations.length);
      const tables = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      for (const table of ['audit_log', 'idempotency_records', 'plan_item_keys', 'plans']) assert.ok(tables.includes(table), table);
    } finally {
      database.close();
    }
  });

  it('opens an existing database again without re-running its migrations, and keeps its rows', () => {
    const path = join(folder, 'reopen.db');
    const first = openStateDatabase(path);
    first.prepare("INSERT INTO plans (id, kind, portal, risk, body, created_at, expires_at) VALUES ('p', 'call', 'x', 'read', '{}', 1, 2)").run();
    first.close();
    const second = openStateDatabase(path);
    try {
      assert.equal(second.prepare('SELECT count(*) FROM plans').pluck().get(), 1);
    } finally {
      second.close();
    }
  });

  it('applies only the migrations a database has not seen, in order', () => {
    const path = join(folder, 'append.db');
    openStateDatabase(path).close();
    const applied: number[] = [];
    const extra: StateMigration = {
      version: stateMigrations.length + 1,
      name: 'test: runs',
      up(database) {
        applied.push(this.version);
        database.exec('CREATE TABLE test_runs (id TEXT PRIMARY KEY) STRICT');
      },
    };
    const database = openStateDatabase(path, [...stateMigrations, extra]);
    try {
      assert.deepEqual(applied, [stateMigrations.length + 1]);
      assert.equal(database.pragma('user_version', { simple: true }), stateMigrations.length + 1);
    } finally {
      database.close();
    }
  });

  it('rolls a failing migration back entirely and leaves the version where it was', () => {
    const path = join(folder, 'rollback.db');
    const broken: StateMigration = {
      version: stateMigrations.length + 1,
      name: 'test: broken',
      up(database) {
        database.exec('CREATE TABLE half_done (id INTEGER)');
        throw new Error('boom');
      },
    };
    assert.throws(
      () => openStateDatabase(path, [...stateMigrations, broken]),
      (error: unknown) => isStateDatabaseError(error) && error.code === 'STATE_DB_MIGRATION' && /boom/.test(error.message),
    );
    const raw = new BetterSqlite3(path);
    try {
      assert.equal(raw.pragma('user_version', { simple: true }), 0);
      assert.deepEqual(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), []);
    } finally {
      raw.close();
    }
  });

  it('refuses a database made by a newer b24chain instead of downgrading it', () => {
    const path = join(folder, 'newer.db');
    const database = openStateDatabase(path);
    database.pragma(`user_version = ${stateMigrations.length + 5}`);
    database.close();
    assert.throws(
      () => openStateDatabase(path),
      (error: unknown) => isStateDatabaseError(error) && error.code === 'STATE_DB_TOO_NEW' && error.message.startsWith(`${path}: `),
    );
  });

  it('reports a file that is not a database with a clear error', () => {
    const path = join(folder, 'not-a-database.db');
    writeFileSync(path, 'this is not sqlite, just text that is long enough to fill a header page '.repeat(20));
    assert.throws(
      () => openStateDatabase(path),
      (error: unknown) => isStateDatabaseError(error) && error.code === 'STATE_DB_OPEN' && /--db or B24_DB/.test(error.message),
    );
  });
});

describe('resolveStatePath', () => {
  const cases: Array<[label: string, sources: { flag?: string; env?: string }, expected: string]> = [
    ['--db wins', { flag: 'a.db', env: 'b.db' }, 'a.db'],
    ['B24_DB next', { env: 'b.db' }, 'b.db'],
    ['empty values count as unset', { flag: '', env: '  ' }, './.b24chain/state.db'],
    ['default', {}, './.b24chain/state.db'],
  ];
  for (const [label, sources, expected] of cases) {
    it(label, () => assert.equal(resolveStatePath(sources), expected));
  }
});

describe('openStateDatabase: privacy and read-only', () => {
  it("creates the folder 0700 and the file 0600 (and SQLite gives -wal and -shm the file's mode)", () => {
    const path = join(folder, 'private', 'state.db');
    const database = openStateDatabase(path);
    try {
      database.prepare("INSERT INTO plans (id, kind, portal, risk, body, created_at, expires_at) VALUES ('p', 'call', 'x', 'read', '{}', 1, 2)").run();
      assert.equal(statSync(join(folder, 'private')).mode & 0o777, 0o700);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(`${path}${suffix}`)) assert.equal(statSync(`${path}${suffix}`).mode & 0o777, 0o600, suffix);
      }
      assert.ok(existsSync(`${path}-wal`), 'WAL file expected while open');
    } finally {
      database.close();
    }
  });

  it('keeps the mode of an existing folder', () => {
    const existing = mkdtempSync(join(folder, 'shared-'));
    chmodSync(existing, 0o755);
    openStateDatabase(join(existing, 'state.db')).close();
    assert.equal(statSync(existing).mode & 0o777, 0o755);
  });

  it('{ readOnly: true } reads an existing database without writing, and refuses what it cannot open as it is', () => {
    const path = join(folder, 'read-only.db');
    const writer = openStateDatabase(path);
    writer.prepare("INSERT INTO plans (id, kind, portal, risk, body, created_at, expires_at) VALUES ('p', 'call', 'x', 'read', '{}', 1, 2)").run();
    writer.close();
    const reader = openStateDatabase(path, { readOnly: true });
    try {
      assert.equal(reader.prepare('SELECT count(*) FROM plans').pluck().get(), 1);
      assert.throws(() => reader.prepare('DELETE FROM plans').run(), /readonly/i);
    } finally {
      reader.close();
    }

    const missing = join(folder, 'absent', 'state.db');
    assert.throws(
      () => openStateDatabase(missing, { readOnly: true }),
      (error: unknown) => isStateDatabaseError(error) && error.code === 'STATE_DB_OPEN',
    );
    assert.equal(existsSync(join(folder, 'absent')), false, 'nothing created');

    const old = join(folder, 'old.db');
    const raw = new BetterSqlite3(old);
    raw.pragma('user_version = 1');
    raw.close();
    assert.throws(
      () => openStateDatabase(old, { readOnly: true }),
      (error: unknown) => isStateDatabaseError(error) && error.code === 'STATE_DB_OUTDATED',
    );
    const check = new BetterSqlite3(old, { readonly: true });
    try {
      assert.equal(check.pragma('user_version', { simple: true }), 1, 'not migrated');
    } finally {
      check.close();
    }
  });
});
