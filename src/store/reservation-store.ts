/**
 * The worker's record of every reservation (DESIGN.md §8): the `process_id` and its rows are saved
 * before anything is processed, each row's state moves reserved → done | failed → marked | dead →
 * cleared, and attempts are counted per (process_id, row ID), carried over when a failed row comes
 * back under another process_id. Scoped to one portal and one `auth_connector`.
 */
import type { StateDatabase, StateStatement } from './state-database.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { cachedStatement } from './cached-statement.ts';
import { rowMapper } from './map-row.ts';
import type { DeadLetterInput, DeadLetterStore } from './dead-letter-store.ts';
import type { RowIdentity } from '../events/index.ts';

/**
 * - `reserved`: saved, not settled yet (processing, or interrupted);
 * - `done`: the handler finished it; the clear is pending;
 * - `failed`: an attempt failed and was counted; `event.offline.error` is pending;
 * - `marked`: marked as an error; retried when read again;
 * - `dead`: in the dead-letter table; the clear is pending;
 * - `cleared`, `gone`: final (cleared by us; no longer under this process_id).
 */
export type RowStatus = 'reserved' | 'done' | 'failed' | 'marked' | 'dead' | 'cleared' | 'gone';
export const FINAL_ROW_STATUSES: ReadonlySet<RowStatus> = new Set(['cleared', 'gone']);

export interface ReservationRecord {
  processId: string;
  errorRead: boolean;
  status: 'open' | 'closed';
  runId: string | null;
  retryAt: number | null;
  createdAt: number;
}

export interface SavedRow extends RowIdentity {
  processId: string;
  payload: unknown;
  status: RowStatus;
  attempts: number;
  lastError: string | null;
  firstSeen: number;
  lastSeen: number;
}

export interface RowToSave {
  identity: RowIdentity;
  payload: unknown;
}

export interface RowUpdate {
  rowId: string;
  status: RowStatus;
  attempts?: number;
  error?: string | null;
}

interface ReservationRow {
  process_id: string;
  error_read: number;
  status: 'open' | 'closed';
  run_id: string | null;
  created_at: number;
  updated_at: number;
}

interface EventRow {
  process_id: string;
  row_id: string;
  message_id: string;
  event_name: string;
  payload_json: string;
  status: RowStatus;
  attempts: number;
  last_error: string | null;
  first_seen: number;
  last_seen: number;
}

const toRow = rowMapper<EventRow, SavedRow>({
  processId: 'process_id',
  rowId: 'row_id',
  messageId: 'message_id',
  eventName: 'event_name',
  payload: { json: 'payload_json' },
  status: 'status',
  attempts: 'attempts',
  lastError: 'last_error',
  firstSeen: 'first_seen',
  lastSeen: 'last_seen',
});

/** Key of a row without a usable ID (malformed): unique within its reservation. */
export function rowKeyOf(identity: RowIdentity, index: number): string {
  return identity.rowId !== '' ? identity.rowId : `malformed:${identity.messageId || index}`;
}

export class ReservationStore {
  private readonly retryAt = new Map<string, number>();

  constructor(
    private readonly database: StateDatabase,
    readonly portal: string,
    readonly authConnector: string,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  private statement(sql: string): StateStatement {
    return cachedStatement(this.database, sql);
  }

  /** Saves a reservation and its rows in one transaction; attempts of rows seen before are carried over. */
  saveReservation(processId: string, errorRead: boolean, rows: readonly RowToSave[]): SavedRow[] {
    const now = this.clock.now();
    const insertReservation = this.statement(
      `INSERT INTO event_reservations (portal, process_id, error_read, auth_connector, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (portal, process_id) DO UPDATE SET status = 'open', updated_at = excluded.updated_at`,
    );
    const earlier = this.statement(
      `SELECT MAX(attempts) AS attempts, MIN(first_seen) AS first_seen FROM event_rows WHERE portal = ? AND row_id = ? AND process_id != ? AND status NOT IN ('cleared')`,
    );
    const insertRow = this.statement(
      `INSERT INTO event_rows (portal, process_id, row_id, message_id, event_name, payload_json, status, attempts, first_seen, last_seen)
       VALUES (?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?) ON CONFLICT (portal, process_id, row_id) DO NOTHING`,
    );
    this.database.transaction(() => {
      insertReservation.run(this.portal, processId, errorRead ? 1 : 0, this.authConnector, now, now);
      rows.forEach((row, index) => {
        const rowId = rowKeyOf(row.identity, index);
        const before =
          row.identity.rowId === '' ? undefined : (earlier.get(this.portal, rowId, processId) as { attempts: number | null; first_seen: number | null });
        insertRow.run(
          this.portal,
          processId,
          rowId,
          row.identity.messageId,
          row.identity.eventName,
          JSON.stringify(row.payload ?? null),
          before?.attempts ?? 0,
          before?.first_seen ?? now,
          now,
        );
      });
    })();
    return this.rowsOf(processId);
  }

  reservation(processId: string): ReservationRecord | undefined {
    const row = this.statement('SELECT * FROM event_reservations WHERE portal = ? AND process_id = ?').get(this.portal, processId) as
      | ReservationRow
      | undefined;
    return row ? this.toReservation(row) : undefined;
  }

  /** Open reservations of this portal and connector, oldest first. */
  openReservations(): ReservationRecord[] {
    const rows = this.statement(`SELECT * FROM event_reservations WHERE portal = ? AND auth_connector = ? AND status = 'open' ORDER BY created_at, rowid`).all(
      this.portal,
      this.authConnector,
    ) as ReservationRow[];
    return rows.map((row) => this.toReservation(row));
  }

  rowsOf(processId: string): SavedRow[] {
    const rows = this.statement('SELECT * FROM event_rows WHERE portal = ? AND process_id = ? ORDER BY rowid').all(this.portal, processId) as EventRow[];
    return rows.map(toRow);
  }

  setRunId(processId: string, runId: string | null): void {
    this.statement('UPDATE event_reservations SET run_id = ?, updated_at = ? WHERE portal = ? AND process_id = ?').run(
      runId,
      this.clock.now(),
      this.portal,
      processId,
    );
  }

  /** Row states and the dead letters they produce, in one transaction: a dead row is in the table before it can be cleared. Returns the dead letters' ids. */
  update(processId: string, updates: readonly RowUpdate[], deadLetters: readonly DeadLetterInput[] = [], letters?: DeadLetterStore): number[] {
    if (updates.length === 0 && deadLetters.length === 0) return [];
    const now = this.clock.now();
    const statement = this.statement(
      `UPDATE event_rows SET status = ?, attempts = COALESCE(?, attempts), last_error = COALESCE(?, last_error), last_seen = ?
       WHERE portal = ? AND process_id = ? AND row_id = ?`,
    );
    // The ids are collected inside: on PostgreSQL a transaction may run again after a serialization failure.
    return this.database.transaction(() => {
      const ids: number[] = [];
      for (const letter of deadLetters) if (letters) ids.push(letters.add(letter));
      for (const update of updates) statement.run(update.status, update.attempts ?? null, update.error ?? null, now, this.portal, processId, update.rowId);
      return ids;
    })();
  }

  /** Closes a reservation once none of its rows waits for anything. */
  closeIfSettled(processId: string): boolean {
    const waiting = this.statement(`SELECT COUNT(*) AS count FROM event_rows WHERE portal = ? AND process_id = ? AND status NOT IN ('cleared', 'gone')`).get(
      this.portal,
      processId,
    ) as { count: number };
    if (waiting.count > 0) return false;
    this.statement(`UPDATE event_reservations SET status = 'closed', updated_at = ? WHERE portal = ? AND process_id = ?`).run(
      this.clock.now(),
      this.portal,
      processId,
    );
    this.retryAt.delete(processId);
    return true;
  }

  /** Not before this time (ms) should the reservation be read again (retries back off); kept in memory. */
  setRetryAt(processId: string, at: number | null): void {
    if (at === null) this.retryAt.delete(processId);
    else this.retryAt.set(processId, at);
  }

  /** Rows by status over this portal and connector (summaries and tests). */
  countRows(): Record<string, number> {
    const rows = this.statement(
      `SELECT r.status AS status, COUNT(*) AS count FROM event_rows r JOIN event_reservations s ON s.portal = r.portal AND s.process_id = r.process_id
         WHERE r.portal = ? AND s.auth_connector = ? GROUP BY r.status`,
    ).all(this.portal, this.authConnector) as Array<{ status: string; count: number }>;
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  private toReservation(row: ReservationRow): ReservationRecord {
    return {
      processId: row.process_id,
      errorRead: row.error_read === 1,
      status: row.status,
      runId: row.run_id,
      retryAt: this.retryAt.get(row.process_id) ?? null,
      createdAt: row.created_at,
    };
  }
}
