/**
 * `main.eventlog.{list,get,tail}` (docs rest-v3/main/*): the portal's audit log, v3 only. The log is
 * seeded per portal on first use (logins and a few module events), and `tail` pages it by a keyset
 * `cursor {field, order, value, limit}`.
 */
import { phpIsoDate } from '../envelope.ts';
import type { PortalState } from '../portal-state.ts';
import { V3Error, validationError } from './v3-error.ts';
import { pageOf, selectFields, V3_DEFAULT_LIMIT, V3_MAX_LIMIT } from './v3-list-query.ts';
import { isRecord, type V3Call, type V3MethodSpec } from './v3-method.ts';

type LogEntry = Record<string, unknown> & { id: number };

const FIELDS = new Set([
  'id',
  'timestampX',
  'severity',
  'auditTypeId',
  'moduleId',
  'itemId',
  'remoteAddr',
  'userAgent',
  'requestUri',
  'siteId',
  'userId',
  'guestId',
  'description',
]);
const SEED_ENTRIES = 120;
const logs = new WeakMap<PortalState, LogEntry[]>();

function logOf(portal: PortalState, nowMs: number): LogEntry[] {
  let log = logs.get(portal);
  if (log === undefined) {
    log = [];
    const types = ['USER_AUTHORIZE', 'USER_LOGOUT', 'USER_EDIT', 'GROUP_POLICY_CHANGED'];
    for (let index = 1; index <= SEED_ENTRIES; index += 1) {
      log.push({
        id: index,
        timestampX: phpIsoDate(nowMs - (SEED_ENTRIES - index) * 60_000),
        severity: index % 10 === 0 ? 'WARNING' : 'INFO',
        auditTypeId: types[index % types.length],
        moduleId: 'main',
        itemId: String(1 + (index % 3)),
        remoteAddr: '127.0.0.1',
        userAgent: 'b24chain-emulator',
        requestUri: '/',
        siteId: 's1',
        userId: 1 + (index % 3),
        guestId: null,
        description: '',
      });
    }
    logs.set(portal, log);
  }
  return log;
}

/** Forgets every portal's log (the emulator's reset). */
export function clearEventLog(portal: PortalState): void {
  logs.delete(portal);
}

function tail(call: V3Call): Record<string, unknown> {
  const raw = call.query.cursor ?? {};
  if (!isRecord(raw)) throw new V3Error('INVALIDPAGINATIONEXCEPTION', `Unable to recognize the cursor \`${JSON.stringify(raw)}\``);
  const field = String(raw.field ?? 'id');
  const order = String(raw.order ?? 'ASC').toUpperCase();
  const value = raw.value ?? 0;
  const limit = raw.limit === undefined ? V3_DEFAULT_LIMIT : Number(raw.limit);
  if (field !== 'id' || (order !== 'ASC' && order !== 'DESC') || typeof value !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > V3_MAX_LIMIT) {
    throw new V3Error('INVALIDPAGINATIONEXCEPTION', `Unable to recognize the cursor \`${JSON.stringify(raw)}\``);
  }
  const entries = logOf(call.auth.portal, call.nowMs);
  const rows = order === 'ASC' ? entries.filter((entry) => entry.id > value) : entries.filter((entry) => value === 0 || entry.id < value).reverse();
  return { items: rows.slice(0, limit).map((entry) => selectFields(entry, call.query.select ?? [...FIELDS], FIELDS)) };
}

export function v3EventLogMethods(): V3MethodSpec[] {
  return [
    {
      name: 'main.eventlog.list',
      scope: 'main',
      kind: 'read',
      handler: (call) => ({
        items: pageOf(logOf(call.auth.portal, call.nowMs), call.query, {
          filterable: FIELDS,
          sortable: new Set(['id', 'timestampX']),
          dtoName: 'EventLogDto',
        }).map((entry) => selectFields(entry, call.query.select ?? [...FIELDS], FIELDS)),
      }),
    },
    {
      name: 'main.eventlog.get',
      scope: 'main',
      kind: 'read',
      handler: (call) => {
        const id = call.query.id;
        if (typeof id !== 'number') throw validationError('id', 'Required field `id` is missing');
        const entry = logOf(call.auth.portal, call.nowMs).find((candidate) => candidate.id === id);
        if (!entry) throw new V3Error('ENTITYNOTFOUNDEXCEPTION', `Event log entry \`${id}\` not found`);
        return { item: entry };
      },
    },
    { name: 'main.eventlog.tail', scope: 'main', kind: 'read', handler: tail },
  ];
}
