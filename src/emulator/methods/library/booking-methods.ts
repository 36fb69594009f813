/**
 * Online booking (docs `api-reference/booking/`): resources and bookings with camelCase keys and
 * numeric ids; lists answer `{resource: [...]}` and `{booking: [...]}`, 50 a page. A booking needs
 * existing resources (1018 "Empty resource collection") and a period whose end is after its start
 * (422 "Invalid date period"); an unknown booking is 1019; a missing `fields` member is "0 Required
 * fields:". Filters: resources by `name`, `searchQuery`, `typeId`, `isMain`; bookings by `within`
 * {dateFrom, dateTo} (timestamps; a booking overlapping the window matches) and `resourceId`.
 */
import { readStart } from '../../list/parse-list-params.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import type { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { asList, isPlainObject, pickParam, positiveInteger, textOf } from '../read-params.ts';
import { pageOf } from './checked-family.ts';

function resources(call: MethodCall): RecordTable<GenericRecord> {
  return call.portal.genericTable('booking.resource');
}

function bookings(call: MethodCall): RecordTable<GenericRecord> {
  return call.portal.genericTable('booking.booking');
}

function fieldsOf(call: MethodCall): Record<string, unknown> {
  const fields = pickParam(call.params, 'fields');
  if (fields === undefined) throw new RestError('100', 'Could not find value for parameter {fields}', 400);
  if (!isPlainObject(fields)) throw new RestError('100', 'Invalid value to match with parameter {fields}. Should be value of type array.', 400);
  return fields;
}

function idOf(call: MethodCall): number {
  const raw = pickParam(call.params, 'id');
  if (raw === undefined) throw new RestError('100', 'Could not find value for parameter {id}', 400);
  const id = positiveInteger(raw);
  if (id === undefined) throw new RestError('100', `Invalid value {${textOf(raw)}} to match with parameter {id}. Should be value of type int.`, 400);
  return id;
}

function timestampOf(point: unknown): number | undefined {
  if (!isPlainObject(point)) return undefined;
  const value = Number(point.timestamp);
  return Number.isFinite(value) ? value : undefined;
}

/** `{from: {timestamp, timezone}, to: {...}}` checked and stored with numeric timestamps. */
function readPeriod(value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new RestError('0', 'Required fields: datePeriod', 400);
  const from = timestampOf(value.from);
  const to = timestampOf(value.to);
  if (from === undefined || to === undefined || to <= from) throw new RestError('422', 'Invalid date period', 400);
  const zone = (point: unknown): string => (isPlainObject(point) ? textOf(point.timezone) || 'UTC' : 'UTC');
  return { from: { timestamp: from, timezone: zone(value.from) }, to: { timestamp: to, timezone: zone(value.to) } };
}

function readResourceIds(call: MethodCall, value: unknown): number[] {
  const ids = asList(value).map((item) => positiveInteger(item));
  if (ids.length === 0 || ids.some((id) => id === undefined || !resources(call).get(id))) throw new RestError('1018', 'Empty resource collection', 400);
  return ids as number[];
}

function renderBooking(record: GenericRecord): Record<string, unknown> {
  const { ID, ...rest } = record;
  return { id: ID, ...rest };
}

function page(call: MethodCall, table: RecordTable<GenericRecord>, matches: (row: GenericRecord) => boolean, wrapper: string) {
  const result = pageOf([...table.values()].filter(matches), readStart(pickParam(call.params, 'start')));
  return { result: { [wrapper]: result.rows.map(renderBooking) }, total: result.total, ...(result.next === undefined ? {} : { next: result.next }) };
}

function filterOf(call: MethodCall): Record<string, unknown> {
  const filter = pickParam(call.params, 'filter', 'FILTER');
  if (filter === undefined || (Array.isArray(filter) && filter.length === 0)) return {};
  if (!isPlainObject(filter)) throw new RestError('100', 'Invalid value to match with parameter {filter}. Should be value of type array.', 400);
  return filter;
}

export function bookingMethods(): MethodSpec[] {
  return [
    {
      name: 'booking.v1.resource.add',
      scope: 'booking',
      kind: 'write',
      handler: (call) => {
        const fields = fieldsOf(call);
        if (textOf(fields.name) === '') throw new RestError('0', 'Required fields: name', 400);
        const table = resources(call);
        const record: GenericRecord = {
          ID: table.allocateId(),
          name: textOf(fields.name),
          description: fields.description ?? null,
          typeId: positiveInteger(fields.typeId) ?? 1,
          isMain: textOf(fields.isMain) || 'Y',
        };
        table.insert(record.ID, record);
        return { result: { resource: renderBooking(record) } };
      },
    },
    {
      name: 'booking.v1.resource.list',
      scope: 'booking',
      kind: 'read',
      handler: (call) => {
        const filter = filterOf(call);
        const search = textOf(filter.searchQuery).toLowerCase();
        return page(
          call,
          resources(call),
          (row) =>
            (filter.name === undefined || row.name === textOf(filter.name)) &&
            (search === '' || String(row.name).toLowerCase().includes(search)) &&
            (filter.typeId === undefined || row.typeId === positiveInteger(filter.typeId)) &&
            (filter.isMain === undefined || row.isMain === textOf(filter.isMain)),
          'resource',
        );
      },
    },
    {
      name: 'booking.v1.booking.add',
      scope: 'booking',
      kind: 'write',
      handler: (call) => {
        const fields = fieldsOf(call);
        if (fields.resourceIds === undefined) throw new RestError('0', 'Required fields: resourceIds', 400);
        const resourceIds = readResourceIds(call, fields.resourceIds);
        const datePeriod = readPeriod(fields.datePeriod);
        const table = bookings(call);
        const record: GenericRecord = {
          ID: table.allocateId(),
          resourceIds,
          name: textOf(fields.name),
          description: fields.description === undefined ? null : textOf(fields.description),
          datePeriod,
          createdBy: call.auth.userId,
          createdAt: Math.floor(call.nowMs / 1000),
          updatedAt: null,
        };
        table.insert(record.ID, record);
        return { result: { id: record.ID } };
      },
    },
    {
      name: 'booking.v1.booking.get',
      scope: 'booking',
      kind: 'read',
      handler: (call) => {
        const record = bookings(call).get(idOf(call));
        if (!record) throw new RestError('1019', 'Booking not found', 400);
        return { result: { booking: renderBooking(record) } };
      },
    },
    {
      name: 'booking.v1.booking.list',
      scope: 'booking',
      kind: 'read',
      handler: (call) => {
        const filter = filterOf(call);
        let within: { from: number; to: number } | undefined;
        if (filter.within !== undefined) {
          const window = isPlainObject(filter.within) ? filter.within : {};
          const from = Number(window.dateFrom);
          const to = Number(window.dateTo);
          if (window.dateFrom === undefined || window.dateTo === undefined || !Number.isFinite(from) || !Number.isFinite(to))
            throw new RestError('0', 'Required fields: dateFrom, dateTo', 400);
          within = { from, to };
        }
        const resourceIds = filter.resourceId === undefined ? undefined : asList(filter.resourceId).map((id) => positiveInteger(id));
        return page(
          call,
          bookings(call),
          (row) => {
            const period = row.datePeriod as { from: { timestamp: number }; to: { timestamp: number } };
            if (within && !(period.from.timestamp < within.to && period.to.timestamp > within.from)) return false;
            return resourceIds === undefined || (row.resourceIds as number[]).some((id) => resourceIds.includes(id));
          },
          'booking',
        );
      },
    },
    {
      name: 'booking.v1.booking.update',
      scope: 'booking',
      kind: 'write',
      handler: (call) => {
        const id = idOf(call);
        const fields = fieldsOf(call);
        const current = bookings(call).get(id);
        if (!current) throw new RestError('1019', 'Booking not found', 400);
        const next: GenericRecord = { ...current, updatedAt: Math.floor(call.nowMs / 1000) };
        if (fields.resourceIds !== undefined) next.resourceIds = readResourceIds(call, fields.resourceIds);
        if (fields.datePeriod !== undefined) next.datePeriod = readPeriod(fields.datePeriod);
        if (fields.name !== undefined) next.name = textOf(fields.name);
        if (fields.description !== undefined) next.description = textOf(fields.description);
        bookings(call).insert(id, next);
        return { result: true };
      },
    },
    {
      name: 'booking.v1.booking.delete',
      scope: 'booking',
      kind: 'write',
      handler: (call) => {
        if (!bookings(call).delete(idOf(call))) throw new RestError('1019', 'Booking not found', 400);
        return { result: true };
      },
    },
  ];
}
