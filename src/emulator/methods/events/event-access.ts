/** Shared checks and parameter readers of the event.* methods (the server's `Bitrix\Rest\Api\Event`). */
import type { FilterGroup, ResolveField } from '../../list/build-filter.ts';
import { buildFilter } from '../../list/build-filter.ts';
import { parseOrder, type OrderTerm } from '../../list/parse-list-params.ts';
import type { OfflineEventRow } from '../../state/offline-queue.ts';
import { RestError, type MethodCall, type Params } from '../../types.ts';
import { isPlainObject } from '../read-params.ts';

/** Parameter names are case-insensitive on these methods (`array_change_key_case`). */
export function upperCaseKeys(params: Params): Params {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key.toUpperCase(), value]));
}

export function argumentError(argument: string, description: string): RestError {
  return new RestError('ERROR_ARGUMENT', description, 400, { argument });
}

export function argumentMissing(argument: string): RestError {
  return argumentError(argument, `Argument '${argument}' is null or empty`);
}

export function accessDenied(reason?: string): RestError {
  return new RestError('ACCESS_DENIED', reason === undefined ? 'Access denied!' : `Access denied! ${reason}`, 403);
}

/** The calling application (event.* are app-only, so the core has refused webhooks already). */
export function appIdOf(call: MethodCall): string {
  return call.auth.appId ?? `webhook:${call.auth.credentialKey}`;
}

export function requireAdmin(call: MethodCall): void {
  if (!call.auth.isAdmin) throw accessDenied();
}

const OFFLINE_FIELDS = ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID'];
export const OFFLINE_LIST_FIELDS = [...OFFLINE_FIELDS, 'PROCESS_ID', 'ERROR'];
const OPERATIONS = new Set(['', '=', '>', '<', '>=', '<=', '@', '%']);

function offlineResolver(fields: readonly string[]): ResolveField<OfflineEventRow> {
  return (name) => {
    const upper = name.toUpperCase() as keyof OfflineEventRow;
    if (!fields.includes(upper)) throw argumentError('filter', `Filter field not allowed: ${name}`);
    return { key: upper, read: (row) => row[upper] };
  };
}

/** The server's `sanitizeFilter`: an array, known fields, `= > < >= <= @ %` only. */
export function offlineFilter(filter: unknown, fields: readonly string[]): FilterGroup<OfflineEventRow> {
  if (filter === undefined) return buildFilter({}, offlineResolver(fields));
  if (!isPlainObject(filter) && !Array.isArray(filter)) throw argumentError('filter', 'The filter is not an array.');
  for (const key of Object.keys(filter)) {
    const prefix = /^[^a-zA-Z]*/.exec(key)?.[0] ?? '';
    if (!OPERATIONS.has(prefix)) throw argumentError('filter', `Filter operation not allowed: ${prefix}`);
  }
  return buildFilter(filter, offlineResolver(fields));
}

export function offlineOrder(order: unknown, fields: readonly string[], fallback: Record<string, string>): OrderTerm<OfflineEventRow>[] {
  const source = isPlainObject(order) ? order : fallback;
  const resolve: ResolveField<OfflineEventRow> = (name) => {
    const upper = name.toUpperCase() as keyof OfflineEventRow;
    if (!fields.includes(upper)) throw argumentError('order', `Order field not allowed: ${name}`);
    return { key: upper, read: (row) => row[upper] };
  };
  return parseOrder(source, resolve);
}
