/**
 * Calendar (docs `api-reference/calendar/`): sections and events of a calendar (`type` user, group or
 * company_calendar, with `ownerId`). Legacy shapes: UPPER_CASE keys, numeric values as strings,
 * `DATE_FROM` as "dd.mm.yyyy hh:mm:ss" plus `DATE_FROM_TS_UTC`. A user calendar has its default section
 * (named after the user) from the first read. `calendar.event.add` answers the new id, `update` the id,
 * `get` the events overlapping `from`..`to` (default: a month back to three months ahead).
 */
import type { GenericRecord } from '../../state/portal-records.ts';
import type { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { asList, pickParam, positiveInteger, textOf } from '../read-params.ts';

const DAY_MS = 86_400_000;

function required(call: MethodCall, name: string): unknown {
  const value = pickParam(call.params, name);
  if (value === undefined || value === null || value === '')
    throw new RestError('', `Required parameter "${name}" for method "${call.method}" is not set`, 400);
  return value;
}

function sections(call: MethodCall): RecordTable<GenericRecord> {
  return call.portal.genericTable('calendar.section');
}

function events(call: MethodCall): RecordTable<GenericRecord> {
  return call.portal.genericTable('calendar.event');
}

function calendarOf(call: MethodCall): { type: string; ownerId: number } {
  const type = textOf(required(call, 'type'));
  if (!['user', 'group', 'company_calendar'].includes(type)) throw new RestError('', `Invalid value of parameter "type": ${type}`, 400);
  const ownerId = type === 'company_calendar' ? (positiveInteger(pickParam(call.params, 'ownerId')) ?? 0) : positiveInteger(required(call, 'ownerId'));
  if (ownerId === undefined) throw new RestError('', 'Invalid value of parameter "ownerId"', 400);
  return { type, ownerId };
}

/** The calendar's sections; a user's calendar gets its default section on first use. */
function sectionsOf(call: MethodCall, calendar: { type: string; ownerId: number }): GenericRecord[] {
  const table = sections(call);
  const found = [...table.values()].filter((row) => row.CAL_TYPE === calendar.type && row.OWNER_ID === calendar.ownerId);
  if (found.length > 0 || calendar.type !== 'user') return found;
  const user = call.portal.users.get(calendar.ownerId);
  if (!user) throw new RestError('', 'User not found', 400);
  const section: GenericRecord = {
    ID: table.allocateId(),
    NAME: `${user.NAME} ${user.LAST_NAME}`.trim(),
    DESCRIPTION: '',
    COLOR: '#9dcf00',
    TEXT_COLOR: '#ffffff',
    CAL_TYPE: 'user',
    OWNER_ID: calendar.ownerId,
    CREATED_BY: calendar.ownerId,
    ACTIVE: 'Y',
  };
  table.insert(section.ID, section);
  return [section];
}

function parseDate(value: unknown, name: string): number {
  const text = textOf(value).trim();
  const local = /^(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  const ms = local
    ? Date.UTC(Number(local[3]), Number(local[2]) - 1, Number(local[1]), Number(local[4] ?? 0), Number(local[5] ?? 0), Number(local[6] ?? 0))
    : Date.parse(text);
  if (!Number.isFinite(ms)) throw new RestError('', `Invalid value of parameter "${name}": ${text}`, 400);
  return ms;
}

function formatDate(ms: number): string {
  const date = new Date(ms);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${two(date.getUTCDate())}.${two(date.getUTCMonth() + 1)}.${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

function renderSection(row: GenericRecord): Record<string, unknown> {
  return { ...row, ID: String(row.ID), OWNER_ID: String(row.OWNER_ID), CREATED_BY: String(row.CREATED_BY) };
}

function renderEvent(row: GenericRecord): Record<string, unknown> {
  const from = row.FROM_MS as number;
  const to = row.TO_MS as number;
  const { FROM_MS: _from, TO_MS: _to, ...rest } = row;
  return {
    ...rest,
    ID: String(row.ID),
    PARENT_ID: String(row.ID),
    OWNER_ID: String(row.OWNER_ID),
    SECTION_ID: String(row.SECTION_ID),
    CREATED_BY: String(row.CREATED_BY),
    DATE_FROM: formatDate(from),
    DATE_TO: formatDate(to),
    DATE_FROM_TS_UTC: String(Math.floor(from / 1000)),
    DATE_TO_TS_UTC: String(Math.floor(to / 1000)),
    TZ_FROM: 'UTC',
    TZ_TO: 'UTC',
    DELETED: 'N',
  };
}

/** Applies the writable event parameters of `call` to `target`. */
function applyEvent(call: MethodCall, target: GenericRecord, calendar: { type: string; ownerId: number }): void {
  const from = pickParam(call.params, 'from');
  const to = pickParam(call.params, 'to');
  if (from !== undefined) target.FROM_MS = parseDate(from, 'from');
  if (to !== undefined) target.TO_MS = parseDate(to, 'to');
  if ((target.TO_MS as number) < (target.FROM_MS as number)) throw new RestError('', 'The event end is before its start', 400);
  const section = pickParam(call.params, 'section');
  if (section !== undefined) {
    const id = positiveInteger(section);
    if (id === undefined || !sectionsOf(call, calendar).some((row) => row.ID === id))
      throw new RestError('', `Section ${textOf(section)} not found in this calendar`, 400);
    target.SECTION_ID = id;
  }
  for (const [parameter, field] of [
    ['name', 'NAME'],
    ['description', 'DESCRIPTION'],
    ['location', 'LOCATION'],
    ['importance', 'IMPORTANCE'],
    ['accessibility', 'ACCESSIBILITY'],
    ['color', 'COLOR'],
  ] as const) {
    const value = pickParam(call.params, parameter);
    if (value !== undefined) target[field] = textOf(value);
  }
}

export function calendarMethods(): MethodSpec[] {
  return [
    {
      name: 'calendar.section.get',
      scope: 'calendar',
      kind: 'read',
      handler: (call) => ({ result: sectionsOf(call, calendarOf(call)).map(renderSection) }),
    },
    {
      name: 'calendar.event.add',
      scope: 'calendar',
      kind: 'write',
      handler: (call) => {
        const calendar = calendarOf(call);
        for (const name of ['from', 'to', 'section', 'name']) required(call, name);
        const record: GenericRecord = {
          ID: 0,
          CAL_TYPE: calendar.type,
          OWNER_ID: calendar.ownerId,
          CREATED_BY: call.auth.userId,
          NAME: '',
          DESCRIPTION: '',
          LOCATION: '',
          IMPORTANCE: 'normal',
          ACCESSIBILITY: 'busy',
          FROM_MS: 0,
          TO_MS: 0,
          SECTION_ID: 0,
        };
        applyEvent(call, record, calendar);
        record.ID = events(call).allocateId();
        events(call).insert(record.ID, record);
        return { result: record.ID };
      },
    },
    {
      name: 'calendar.event.update',
      scope: 'calendar',
      kind: 'write',
      handler: (call) => {
        const calendar = calendarOf(call);
        const id = positiveInteger(required(call, 'id'));
        const current = id === undefined ? undefined : events(call).get(id);
        if (!current || current.CAL_TYPE !== calendar.type || current.OWNER_ID !== calendar.ownerId) throw new RestError('', 'Event not found', 400);
        const next = { ...current };
        applyEvent(call, next, calendar);
        events(call).insert(next.ID, next);
        return { result: next.ID };
      },
    },
    {
      name: 'calendar.event.get',
      scope: 'calendar',
      kind: 'read',
      handler: (call) => {
        const calendar = calendarOf(call);
        const from = pickParam(call.params, 'from') === undefined ? call.nowMs - 30 * DAY_MS : parseDate(pickParam(call.params, 'from'), 'from');
        const to = pickParam(call.params, 'to') === undefined ? call.nowMs + 90 * DAY_MS : parseDate(pickParam(call.params, 'to'), 'to');
        const wanted = asList(pickParam(call.params, 'section')).map((id) => positiveInteger(id));
        const rows = [...events(call).values()].filter(
          (row) =>
            row.CAL_TYPE === calendar.type &&
            row.OWNER_ID === calendar.ownerId &&
            (row.FROM_MS as number) <= to &&
            (row.TO_MS as number) >= from &&
            (wanted.length === 0 || wanted.includes(row.SECTION_ID as number)),
        );
        return { result: rows.map(renderEvent) };
      },
    },
    {
      name: 'calendar.event.delete',
      scope: 'calendar',
      kind: 'write',
      handler: (call) => {
        const id = positiveInteger(required(call, 'id'));
        if (id === undefined || !events(call).delete(id)) throw new RestError('', 'Event not found', 400);
        return { result: true };
      },
    },
  ];
}
