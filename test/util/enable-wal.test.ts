/**
 * enableWal: a process that finds the file locked by another one switching it (SQLite answers
 * SQLITE_BUSY at once in that case, without waiting) retries until the other lets go, instead of
 * failing with "database is locked"; it gives up with the error after its time bound.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { enableWal } from '../../src/util/index.ts';

const holderScript = fileURLToPath(new URL('../store/fixtures/lock-holder.ts', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'b24chain-enable-wal-'));
after(() => rmSync(folder, { recursive: true, force: true }));

async function holdLock(path: string): Promise<{ release: () => void; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) => createInterface({ input: child.stdout }).once('line', () => resolve()));
  return { release: () => child.stdin.end('go\n'), exited };
}

describe('enableWal', () => {
  it('leaves a file already in WAL as it is', () => {
    const path = join(folder, 'already.db');
    const first = new Database(path);
    first.pragma('journal_mode = WAL');
    first.close();
    const database = new Database(path, { timeout: 0 });
    enableWal(database);
    assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
    database.close();
  });

  it('retries while another process holds the lock, and switches once it lets go', { timeout: 30_000 }, async () => {
    const path = join(folder, 'contended.db');
    const holder = await holdLock(path);
    const database = new Database(path, { timeout: 0 });
    // Without the retry this very call fails: no busy handler (timeout 0), like the deadlock case.
    assert.throws(() => database.pragma('journal_mode = WAL'), /database is locked/);
    let attempts = 0;
    const originalPragma = database.pragma.bind(database);
    database.pragma = ((source: string, options?: Database.PragmaOptions) => {
      attempts += 1;
      if (attempts === 3) holder.release();
      return originalPragma(source, options);
    }) as typeof database.pragma;
    enableWal(database);
    database.pragma = originalPragma;
    assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
    assert.ok(attempts > 3, `attempts: ${attempts}`);
    database.close();
    assert.equal(await holder.exited, 0);
  });

  it('gives up with SQLITE_BUSY after its time bound', { timeout: 30_000 }, async () => {
    const path = join(folder, 'stuck.db');
    const holder = await holdLock(path);
    const database = new Database(path, { timeout: 0 });
    assert.throws(
      () => enableWal(database, 100),
      (error: unknown) => (error as { code?: string }).code === 'SQLITE_BUSY',
    );
    database.close();
    holder.release();
    assert.equal(await holder.exited, 0);
  });
});
