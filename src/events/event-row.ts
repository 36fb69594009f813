/**
 * The rows a handler chain receives as input `events` (DESIGN.md §8): one queue row of
 * `event.offline.get`, or one accepted online event shaped the same way, so one handler serves both.
 */
export interface HandlerEvent {
  ID: string;
  EVENT_NAME: string;
  EVENT_DATA: unknown;
  MESSAGE_ID: string;
  TIMESTAMP_X: string;
  EVENT_ADDITIONAL?: unknown;
}

/** How a row is known in the worker's state even when the portal sent it malformed. */
export interface RowIdentity {
  /** The row ID as text ('' when the row has none). */
  rowId: string;
  /** '' when the row has no valid MESSAGE_ID. */
  messageId: string;
  eventName: string;
}

export type CheckedRow = { ok: true; event: HandlerEvent; identity: RowIdentity } | { ok: false; problem: string; identity: RowIdentity; payload: unknown };

const MESSAGE_ID = /^[0-9a-f]{32}$/i;
const ROW_ID = /^[1-9][0-9]{0,17}$/;

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"` : `${typeof value} ${JSON.stringify(value)}`;
}

function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** A row's identity, as far as it can be read. */
export function identityOf(raw: unknown): RowIdentity {
  const record = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const rowId = textOf(record.ID);
  const messageId = textOf(record.MESSAGE_ID);
  return {
    rowId: ROW_ID.test(rowId) ? rowId : '',
    messageId: MESSAGE_ID.test(messageId) ? messageId.toLowerCase() : '',
    eventName: typeof record.EVENT_NAME === 'string' ? record.EVENT_NAME : '',
  };
}

/**
 * Checks one row of `event.offline.get` (pure). A row the worker cannot hand over or settle is
 * malformed: no positive integer ID, no 32-character MESSAGE_ID, no EVENT_NAME, or EVENT_DATA that is
 * not an object (the data names the changed object; without it no handler can act). Malformed rows
 * are dead-lettered at once: retrying cannot repair them.
 */
export function checkEventRow(raw: unknown): CheckedRow {
  const identity = identityOf(raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problem: `the row is ${describe(raw)}, not an object`, identity, payload: raw };
  }
  const record = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (identity.rowId === '') problems.push(`ID is ${describe(record.ID)}, expected a positive integer`);
  if (identity.messageId === '') problems.push(`MESSAGE_ID is ${describe(record.MESSAGE_ID)}, expected 32 hexadecimal characters`);
  if (identity.eventName.trim() === '') problems.push(`EVENT_NAME is ${describe(record.EVENT_NAME)}, expected an event name`);
  const data = record.EVENT_DATA;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) problems.push(`EVENT_DATA is ${describe(data)}, expected an object`);
  if (problems.length > 0) return { ok: false, problem: problems.join('; '), identity, payload: raw };
  const event: HandlerEvent = {
    ID: identity.rowId,
    EVENT_NAME: identity.eventName.toUpperCase(),
    EVENT_DATA: data,
    MESSAGE_ID: identity.messageId,
    TIMESTAMP_X: textOf(record.TIMESTAMP_X),
  };
  if (record.EVENT_ADDITIONAL !== undefined) event.EVENT_ADDITIONAL = record.EVENT_ADDITIONAL;
  return { ok: true, event, identity };
}
