/**
 * The offline-event queue of one portal (protocol.md §8, the server's `b_rest_event_offline`): one row
 * per changed object and binding, upserted on (MESSAGE_ID, APP_ID, CONNECTOR_ID, PROCESS_ID) so a
 * second change to an unreserved row only moves TIMESTAMP_X. `MESSAGE_ID` is md5 of
 * `EVENT_NAME|json(EVENT_DATA)`, so it identifies the object, not the change.
 *
 * Rows are kept in ID order (for `event.offline.list`) and in TIMESTAMP_X order (the default order of
 * `event.offline.get`, so a reservation reads the oldest rows without sorting the queue).
 */
import { createHash } from 'node:crypto';
import { RecordTable } from './record-table.ts';

export interface OfflineEventRow {
  ID: number;
  /** Milliseconds. */
  TIMESTAMP_X: number;
  EVENT_NAME: string;
  EVENT_DATA: unknown;
  EVENT_ADDITIONAL: unknown;
  MESSAGE_ID: string;
  APP_ID: string;
  CONNECTOR_ID: string;
  /** '' while unreserved. */
  PROCESS_ID: string;
  ERROR: 0 | 1;
}

export interface OfflineEventInput {
  appId: string;
  connectorId: string;
  eventName: string;
  eventData: unknown;
  additional: unknown;
  nowMs: number;
}

export function offlineMessageId(eventName: string, eventData: unknown): string {
  return createHash('md5')
    .update(`${eventName}|${JSON.stringify(eventData)}`)
    .digest('hex');
}

function uniqueKey(row: Pick<OfflineEventRow, 'APP_ID' | 'CONNECTOR_ID' | 'MESSAGE_ID' | 'PROCESS_ID'>): string {
  return `${row.APP_ID}\u0000${row.CONNECTOR_ID}\u0000${row.MESSAGE_ID}\u0000${row.PROCESS_ID}`;
}

export class OfflineQueue {
  readonly rows = new RecordTable<OfflineEventRow>();
  private readonly byTimestamp = new Map<number, OfflineEventRow>();
  private readonly byUniqueKey = new Map<string, OfflineEventRow>();

  /** Adds the row of an event, or moves the unreserved row of the same object forward. */
  upsert(input: OfflineEventInput): OfflineEventRow {
    const messageId = offlineMessageId(input.eventName, input.eventData);
    const key = uniqueKey({ APP_ID: input.appId, CONNECTOR_ID: input.connectorId, MESSAGE_ID: messageId, PROCESS_ID: '' });
    const existing = this.byUniqueKey.get(key);
    if (existing) {
      existing.TIMESTAMP_X = input.nowMs;
      existing.EVENT_DATA = input.eventData;
      existing.EVENT_ADDITIONAL = input.additional;
      this.byTimestamp.delete(existing.ID);
      this.byTimestamp.set(existing.ID, existing);
      return existing;
    }
    const row: OfflineEventRow = {
      ID: this.rows.allocateId(),
      TIMESTAMP_X: input.nowMs,
      EVENT_NAME: input.eventName,
      EVENT_DATA: input.eventData,
      EVENT_ADDITIONAL: input.additional,
      MESSAGE_ID: messageId,
      APP_ID: input.appId,
      CONNECTOR_ID: input.connectorId,
      PROCESS_ID: '',
      ERROR: 0,
    };
    this.rows.insert(row.ID, row);
    this.byTimestamp.set(row.ID, row);
    this.byUniqueKey.set(key, row);
    return row;
  }

  /** Moves a row under another process id ('' releases it); a row that would collide is dropped. */
  setProcess(row: OfflineEventRow, processId: string): void {
    this.byUniqueKey.delete(uniqueKey(row));
    row.PROCESS_ID = processId;
    const key = uniqueKey(row);
    const clash = this.byUniqueKey.get(key);
    if (clash && clash !== row) this.remove(clash);
    this.byUniqueKey.set(key, row);
  }

  remove(row: OfflineEventRow): void {
    if (this.byUniqueKey.get(uniqueKey(row)) === row) this.byUniqueKey.delete(uniqueKey(row));
    this.byTimestamp.delete(row.ID);
    this.rows.delete(row.ID);
  }

  /** Rows in TIMESTAMP_X order (oldest first). */
  inTimestampOrder(): IterableIterator<OfflineEventRow> {
    return this.byTimestamp.values();
  }

  /** Rows in ID order. */
  inIdOrder(): IterableIterator<OfflineEventRow> {
    return this.rows.values();
  }

  countFor(appId: string): number {
    let count = 0;
    for (const row of this.byTimestamp.values()) if (row.APP_ID === appId) count += 1;
    return count;
  }

  clear(): void {
    this.rows.clear();
    this.byTimestamp.clear();
    this.byUniqueKey.clear();
  }
}
