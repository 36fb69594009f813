/**
 * The offline-event queue methods (app-only, administrators; protocol.md §8, the server's
 * `eventOffline*`). `event.offline.get` reserves rows under a new random `process_id` (hidden from other
 * readers) and deletes them unless `clear=0`, which needs the `rest_offline_extended` feature;
 * `process_id` re-reads a reservation; `error=1` reads rows marked by `event.offline.error`.
 */
import { randomBytes } from 'node:crypto';
import { phpIsoDate } from '../../envelope.ts';
import { matchesFilter, type FilterGroup } from '../../list/build-filter.ts';
import { compareForSort } from '../../list/compare-values.ts';
import type { OrderTerm } from '../../list/parse-list-params.ts';
import { readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { OfflineEventRow, OfflineQueue } from '../../state/offline-queue.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { authConnectorOf, textOf } from '../read-params.ts';
import { toInteger } from '../crm/crm-values.ts';
import { appIdOf, argumentError, argumentMissing, OFFLINE_LIST_FIELDS, offlineFilter, offlineOrder, requireAdmin, upperCaseKeys } from './event-access.ts';

const GET_FIELDS = ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID'];

interface Scope {
  appId: string;
  connectorId: string;
}

function scopeOf(call: MethodCall): Scope {
  return { appId: appIdOf(call), connectorId: authConnectorOf(call) };
}

function inScope(row: OfflineEventRow, scope: Scope): boolean {
  return row.APP_ID === scope.appId && row.CONNECTOR_ID === scope.connectorId;
}

/** Rows accepted by `accept` and the filter, in `order`, at most `limit` (no full sort for the default order). */
function select(
  queue: OfflineQueue,
  accept: (row: OfflineEventRow) => boolean,
  filter: FilterGroup<OfflineEventRow>,
  order: OrderTerm<OfflineEventRow>[],
  limit: number,
): OfflineEventRow[] {
  const first = order[0];
  const byTimestamp = order.length === 1 && first?.key === 'TIMESTAMP_X' && !first.descending;
  const byId = order.length === 1 && first?.key === 'ID' && !first.descending;
  if (byTimestamp || byId) {
    const rows: OfflineEventRow[] = [];
    for (const row of byTimestamp ? queue.inTimestampOrder() : queue.inIdOrder()) {
      if (!accept(row) || !matchesFilter(row, filter)) continue;
      rows.push(row);
      if (rows.length >= limit) break;
    }
    return rows;
  }
  const rows = Array.from(queue.inIdOrder()).filter((row) => accept(row) && matchesFilter(row, filter));
  rows.sort((left, right) => {
    for (const term of order) {
      const comparison = compareForSort(term.read(left), term.read(right));
      if (comparison !== 0) return term.descending ? -comparison : comparison;
    }
    return left.ID - right.ID;
  });
  return rows.slice(0, limit);
}

function renderRow(row: OfflineEventRow, withProcess: boolean): Record<string, unknown> {
  const output: Record<string, unknown> = {
    ID: String(row.ID),
    TIMESTAMP_X: phpIsoDate(row.TIMESTAMP_X),
    EVENT_NAME: row.EVENT_NAME,
    EVENT_DATA: row.EVENT_DATA,
    EVENT_ADDITIONAL: row.EVENT_ADDITIONAL ?? false,
    MESSAGE_ID: row.MESSAGE_ID,
  };
  if (withProcess) {
    output.PROCESS_ID = row.PROCESS_ID;
    output.ERROR = String(row.ERROR);
  }
  return output;
}

function getEvents(call: MethodCall): MethodResult {
  requireAdmin(call);
  const query = upperCaseKeys(call.params);
  const clear = query.CLEAR === undefined ? 1 : (toInteger(query.CLEAR) ?? 0);
  let processId = query.PROCESS_ID === undefined ? null : textOf(query.PROCESS_ID).trim();
  if (!clear && call.portal.features.get('rest_offline_extended') !== true) {
    throw new RestError('WRONG_LICENSE', 'Your plan does not include extended offline events handling (rest_offline_extended).', 403);
  }
  const limit = query.LIMIT === undefined ? 50 : (toInteger(query.LIMIT) ?? 0);
  if (limit <= 0) throw argumentError('LIMIT', 'Value must be positive integer');
  const filter = offlineFilter(query.FILTER, GET_FIELDS);
  const order = offlineOrder(query.ORDER, GET_FIELDS, { TIMESTAMP_X: 'ASC' });
  const error = toInteger(query.ERROR) === 1 ? 1 : 0;
  const scope = scopeOf(call);
  const queue = call.portal.events.queue;
  let returnProcessId = !clear;
  if (processId === null) {
    processId = randomBytes(16).toString('hex');
    const reserve = select(queue, (row) => inScope(row, scope) && row.ERROR === error && row.PROCESS_ID === '', filter, order, limit);
    for (const row of reserve) queue.setProcess(row, processId);
  } else {
    returnProcessId = true;
  }
  const reserved = processId;
  const rows = select(queue, (row) => inScope(row, scope) && row.ERROR === error && row.PROCESS_ID === reserved, filter, order, limit);
  const events = rows.map((row) => renderRow(row, false));
  if (clear && rows.length > 0) {
    for (const row of Array.from(queue.inIdOrder())) if (inScope(row, scope) && row.PROCESS_ID === reserved) queue.remove(row);
  }
  return { result: { process_id: returnProcessId ? reserved : null, events } };
}

function readProcessId(call: MethodCall): { processId: string; query: Record<string, unknown> } {
  requireAdmin(call);
  const query = Object.fromEntries(Object.entries(call.params).map(([key, value]) => [key.toLowerCase(), value]));
  if (query.process_id === undefined) throw argumentMissing('PROCESS_ID');
  return { processId: textOf(query.process_id).trim(), query };
}

function listOfValues(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return undefined;
}

function clearEvents(call: MethodCall): MethodResult {
  const { processId, query } = readProcessId(call);
  const scope = scopeOf(call);
  let accept: (row: OfflineEventRow) => boolean = () => true;
  if (query.message_id !== undefined) {
    const values = listOfValues(query.message_id);
    if (!values) throw argumentError('message_id', 'Value must be array of MESSAGE_ID values');
    const messageIds = new Set(values.map((value) => textOf(value).trim()));
    for (const messageId of messageIds) if (messageId.length !== 32) throw argumentError('message_id', 'Value must be array of MESSAGE_ID values');
    accept = (row) => messageIds.has(row.MESSAGE_ID);
  } else if (query.id !== undefined) {
    const values = listOfValues(query.id);
    if (!values) throw argumentError('id', 'Value must be array of integers');
    const ids = new Set(values.map((value) => toInteger(value) ?? 0));
    if (ids.has(0) || [...ids].some((id) => id < 0)) throw argumentError('id', 'Value must be array of integers');
    accept = (row) => ids.has(row.ID);
  }
  const queue = call.portal.events.queue;
  for (const row of Array.from(queue.inIdOrder())) {
    if (inScope(row, scope) && row.PROCESS_ID === processId && accept(row)) queue.remove(row);
  }
  return { result: true };
}

/** Marks rows as failed (the server's `markError`): they leave the reservation and wait for `error=1`. */
function markErrors(call: MethodCall): MethodResult {
  const { processId, query } = readProcessId(call);
  const values = listOfValues(query.message_id);
  if (!values) throw argumentError('message_id', 'Value must be array of MESSAGE_ID values');
  const messageIds = new Set(values.map((value) => textOf(value).trim()));
  const scope = scopeOf(call);
  const queue = call.portal.events.queue;
  const affected = Array.from(queue.inIdOrder()).filter((row) => inScope(row, scope) && messageIds.has(row.MESSAGE_ID) && row.ERROR === 0);
  for (const row of affected) if (row.PROCESS_ID !== processId) queue.remove(row);
  for (const row of affected) {
    if (row.PROCESS_ID !== processId) continue;
    row.ERROR = 1;
    queue.setProcess(row, '');
  }
  return { result: true };
}

function listEvents(call: MethodCall): MethodResult {
  requireAdmin(call);
  const query = upperCaseKeys(call.params);
  const scope = scopeOf(call);
  const filter = offlineFilter(query.FILTER, OFFLINE_LIST_FIELDS);
  filter.children.push({ kind: 'condition', key: 'APP_ID', read: (row) => row.APP_ID, operator: 'eq', values: [scope.appId] });
  filter.children.push({ kind: 'condition', key: 'CONNECTOR_ID', read: (row) => row.CONNECTOR_ID, operator: 'eq', values: [scope.connectorId] });
  const page = runListQuery(call.portal.events.queue.rows, {
    filter,
    order: offlineOrder(query.ORDER, OFFLINE_LIST_FIELDS, { ID: 'ASC' }),
    start: Math.max(readStart(query.START), 0),
    idKey: 'ID',
    readId: (row) => row.ID,
  });
  const result: MethodResult = { result: page.rows.map((row) => renderRow(row, true)), total: page.total };
  if (page.next !== undefined) result.next = page.next;
  return result;
}

export function offlineEventMethods(): MethodSpec[] {
  return [
    { name: 'event.offline.get', scope: 'basic', kind: 'write', appOnly: true, handler: getEvents },
    { name: 'event.offline.clear', scope: 'basic', kind: 'write', appOnly: true, handler: clearEvents },
    { name: 'event.offline.error', scope: 'basic', kind: 'write', appOnly: true, handler: markErrors },
    { name: 'event.offline.list', scope: 'basic', kind: 'read', appOnly: true, handler: listEvents },
  ];
}
