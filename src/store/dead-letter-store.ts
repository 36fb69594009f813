/**
 * The local dead-letter table (DESIGN.md §8): rows the worker gave up on — exhausted retries, malformed
 * rows, unknown write outcomes — kept with their payload, error, attempts and first and last seen, so
 * a person can look (`chain worker dlq list`), send one back through the handler (`retry`), or
 * drop it. A row goes here first and is cleared from the portal's queue only after.
 */
import type { StateDatabase, StateStatement } from './state-database.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { cachedStatement } from './cached-statement.ts';
import { rowMapper } from './map-row.ts';

export type DeadLetterSource = 'offline' | 'online';
/** `dead` waits for a person; `retry` is picked up by the next worker pass; `resolved` and `dropped` are final. */
export type DeadLetterStatus = 'dead' | 'retry' | 'resolved' | 'dropped';

/** A write of the row's handler run that was sent and never answered, and that reconciliation could not settle. */
export interface UnknownWrite {
  stepId: string;
  subStepId: string;
  method: string;
  /** `ORIGINATOR_ID=…&ORIGIN_ID=…` when the write carries one (look the record up by it), else null. */
  naturalKey: string | null;
  /** An update that sets the same values again: sending it twice has no second effect. */
  resendable: boolean;
}

export interface DeadLetterInput {
  portal: string;
  source: DeadLetterSource;
  authConnector: string;
  eventName: string;
  rowId: string;
  messageId: string;
  processId: string;
  payload: unknown;
  error: { code: string; message: string };
  attempts: number;
  firstSeen: number;
  lastSeen: number;
  /** For an unknown outcome (`OUTCOME_UNKNOWN`): the writes that may or may not have happened; null when not recorded. */
  unknownWrites?: UnknownWrite[] | null;
}

export interface DeadLetter extends DeadLetterInput {
  id: number;
  status: DeadLetterStatus;
  updatedAt: number;
}

interface DeadLetterRow {
  id: number;
  portal: string;
  source: DeadLetterSource;
  auth_connector: string;
  event_name: string;
  row_id: string;
  message_id: string;
  process_id: string;
  payload_json: string;
  error_code: string;
  error_message: string;
  attempts: number;
  first_seen: number;
  last_seen: number;
  status: DeadLetterStatus;
  updated_at: number;
  unknown_writes_json: string | null;
}

const toDeadLetter = rowMapper<DeadLetterRow, DeadLetter>({
  id: 'id',
  portal: 'portal',
  source: 'source',
  authConnector: 'auth_connector',
  eventName: 'event_name',
  rowId: 'row_id',
  messageId: 'message_id',
  processId: 'process_id',
  payload: { json: 'payload_json' },
  error: (row) => ({ code: row.error_code, message: row.error_message }),
  attempts: 'attempts',
  firstSeen: 'first_seen',
  lastSeen: 'last_seen',
  status: 'status',
  updatedAt: 'updated_at',
  unknownWrites: { json: 'unknown_writes_json' },
});

export class DeadLetterStore {
  constructor(
    private readonly database: StateDatabase,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  private statement(sql: string): StateStatement {
    return cachedStatement(this.database, sql);
  }

  add(input: DeadLetterInput): number {
    const result = this.statement(
      `INSERT INTO event_dead_letters (portal, source, auth_connector, event_name, row_id, message_id, process_id, payload_json,
           error_code, error_message, attempts, first_seen, last_seen, status, updated_at, unknown_writes_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'dead', ?, ?) RETURNING id`,
    ).get(
      input.portal,
      input.source,
      input.authConnector,
      input.eventName,
      input.rowId,
      input.messageId,
      input.processId,
      JSON.stringify(input.payload ?? null),
      input.error.code,
      input.error.message,
      input.attempts,
      input.firstSeen,
      input.lastSeen,
      this.clock.now(),
      input.unknownWrites ? JSON.stringify(input.unknownWrites) : null,
    );
    return Number((result as { id: number }).id);
  }

  get(id: number): DeadLetter | undefined {
    const row = this.statement('SELECT * FROM event_dead_letters WHERE id = ?').get(id) as DeadLetterRow | undefined;
    return row ? toDeadLetter(row) : undefined;
  }

  /** Newest first; by default only those waiting for a person (`dead`) or a pass (`retry`). */
  list(options: { portal?: string; all?: boolean; limit?: number } = {}): DeadLetter[] {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (options.portal !== undefined) {
      conditions.push('portal = ?');
      values.push(options.portal);
    }
    if (!options.all) conditions.push(`status IN ('dead', 'retry')`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.statement(`SELECT * FROM event_dead_letters ${where} ORDER BY id DESC LIMIT ?`).all(...values, options.limit ?? 1000) as DeadLetterRow[];
    return rows.map(toDeadLetter);
  }

  /** Dead letters a person sent back (`dlq retry`), oldest first. */
  waitingForRetry(portal: string, source: DeadLetterSource, limit: number): DeadLetter[] {
    const rows = this.statement(`SELECT * FROM event_dead_letters WHERE portal = ? AND source = ? AND status = 'retry' ORDER BY id LIMIT ?`).all(
      portal,
      source,
      limit,
    ) as DeadLetterRow[];
    return rows.map(toDeadLetter);
  }

  setStatus(id: number, status: DeadLetterStatus): boolean {
    return this.statement('UPDATE event_dead_letters SET status = ?, updated_at = ? WHERE id = ?').run(status, this.clock.now(), id).changes > 0;
  }

  /** A retried dead letter failed again: back to `dead` with the new error (and, for an unknown outcome, its writes). */
  failAgain(id: number, error: { code: string; message: string }, unknownWrites: UnknownWrite[] | null = null): void {
    const now = this.clock.now();
    this.statement(
      `UPDATE event_dead_letters SET status = 'dead', error_code = ?, error_message = ?, attempts = attempts + 1, last_seen = ?, updated_at = ?, unknown_writes_json = ? WHERE id = ?`,
    ).run(error.code, error.message, now, now, unknownWrites ? JSON.stringify(unknownWrites) : null, id);
  }
}
