/**
 * The offline-queue methods the worker uses (protocol.md §8), over the runner's client so they share
 * its limiter and OAuth refresh. Reads with `clear=0` only: the worker never lets the portal delete a
 * row it has not settled. Re-reading a reservation, clearing and marking errors are idempotent, so
 * they may be retried (`write: false`); a reservation whose answer was lost is found again by
 * `findReservations`.
 */
import type { PortalClient } from '../client/index.ts';
import { EventQueueError } from './event-errors.ts';

export interface QueueScope {
  /** `auth_connector` of the binding ('' for none). */
  authConnector: string;
}

export interface Reservation {
  processId: string;
  rows: unknown[];
}

function withConnector(params: Record<string, unknown>, scope: QueueScope): Record<string, unknown> {
  return scope.authConnector === '' ? params : { ...params, auth_connector: scope.authConnector };
}

function readReservation(method: string, result: unknown, expectedProcessId?: string): Reservation {
  const record = result !== null && typeof result === 'object' ? (result as Record<string, unknown>) : {};
  const processId = typeof record.process_id === 'string' ? record.process_id : '';
  if (processId === '' || (expectedProcessId !== undefined && processId !== expectedProcessId)) {
    throw new EventQueueError(`${method}: the answer carries no process_id${expectedProcessId ? ` ${expectedProcessId}` : ''} (QUEUE_ANSWER_UNEXPECTED).`, {
      code: 'QUEUE_ANSWER_UNEXPECTED',
      hint: 'The worker reads with clear=0 only; check that the portal supports it (feature rest_offline_extended).',
    });
  }
  const events = Array.isArray(record.events) ? record.events : [];
  return { processId, rows: events };
}

/** `event.offline.get {clear: 0, limit}`: reserves up to `limit` rows under a new process_id. */
export async function reserveEvents(client: PortalClient, scope: QueueScope, options: { limit: number; errorRead: boolean }): Promise<Reservation> {
  const params = withConnector({ clear: 0, limit: options.limit, ...(options.errorRead ? { error: 1 } : {}) }, scope);
  const answer = await client.call('event.offline.get', params, { write: true });
  return readReservation('event.offline.get', answer.result);
}

/** Re-reads a saved reservation: the rows still under `processId`. */
export async function rereadReservation(
  client: PortalClient,
  scope: QueueScope,
  options: { processId: string; errorRead: boolean; limit: number },
): Promise<unknown[]> {
  const params = withConnector(
    { clear: 0, process_id: options.processId, limit: Math.max(1, options.limit), ...(options.errorRead ? { error: 1 } : {}) },
    scope,
  );
  const answer = await client.call('event.offline.get', params, { write: false });
  return readReservation('event.offline.get', answer.result, options.processId).rows;
}

/** `event.offline.clear` of some rows (by ID, else by MESSAGE_ID), or the whole reservation. */
export async function clearEventRows(
  client: PortalClient,
  scope: QueueScope,
  options: { processId: string; ids?: readonly string[]; messageIds?: readonly string[] },
): Promise<void> {
  const target = options.ids !== undefined ? { id: options.ids.map(Number) } : options.messageIds !== undefined ? { message_id: [...options.messageIds] } : {};
  await client.call('event.offline.clear', withConnector({ process_id: options.processId, ...target }, scope), { write: false });
}

/** `event.offline.error`: the rows leave the reservation, to be read again with `error=1`. */
export async function markEventErrors(client: PortalClient, scope: QueueScope, options: { processId: string; messageIds: readonly string[] }): Promise<void> {
  await client.call('event.offline.error', withConnector({ process_id: options.processId, message_id: [...options.messageIds] }, scope), { write: false });
}

export interface ListedReservation {
  processId: string;
  errorRead: boolean;
  rowIds: string[];
}

const MAX_LIST_PAGES = 2_000;

/**
 * Every reservation the portal holds for this application and connector, from `event.offline.list`
 * filtered by PROCESS_ID (non-empty: process ids are hexadecimal, so `>=PROCESS_ID: "0"` selects them).
 */
export async function findReservations(client: PortalClient, scope: QueueScope): Promise<ListedReservation[]> {
  const found = new Map<string, ListedReservation>();
  let start = 0;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const params = withConnector({ filter: { '>=PROCESS_ID': '0' }, order: { ID: 'ASC' }, start }, scope);
    const answer = await client.call('event.offline.list', params, { write: false });
    const rows = Array.isArray(answer.result) ? answer.result : [];
    for (const row of rows) {
      const record = row !== null && typeof row === 'object' ? (row as Record<string, unknown>) : {};
      const processId = typeof record.PROCESS_ID === 'string' ? record.PROCESS_ID : '';
      if (processId === '') continue;
      const errorRead = String(record.ERROR) === '1';
      const key = `${processId}\u0000${errorRead ? 1 : 0}`;
      const entry = found.get(key) ?? { processId, errorRead, rowIds: [] };
      entry.rowIds.push(String(record.ID));
      found.set(key, entry);
    }
    if (answer.next === undefined || rows.length === 0) return [...found.values()];
    start = answer.next;
  }
  throw new EventQueueError(`event.offline.list: more than ${MAX_LIST_PAGES} pages of reserved rows (QUEUE_TOO_LARGE).`, {
    code: 'QUEUE_TOO_LARGE',
    hint: 'Another reader may be reserving without clearing; stop it, then start the worker again.',
  });
}
