/**
 * Switches a SQLite database to WAL, safely when several processes open the same new file at once.
 *
 * The switch needs an exclusive lock, and SQLite answers SQLITE_BUSY at once (without the busy handler)
 * when another connection is in the middle of the same switch; the loser then crashed with "database
 * is locked". A file already in WAL needs no switch (the mode is stored in the file), so the common case
 * is one read; otherwise the switch is retried with a short pause for up to `timeoutMs`.
 */
import type { Database } from 'better-sqlite3';

const PAUSE_MS = 25;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_RECOVERY';
}

function pause(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

export function enableWal(database: Database, timeoutMs = 10_000): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (String(database.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal') return;
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      pause(PAUSE_MS);
    }
  }
}
