/**
 * Application data storage (docs `api-reference/entity/`): application context only (a webhook gets
 * ACCESS_DENIED "Application context required"), each application sees its own storages; storages by
 * code (ENTITY, up to 13 characters of a-z A-Z 0-9 _), items with UPPER_CASE keys and string values,
 * legacy FILTER/SORT/start, 50 a page.
 */
import { phpIsoDate } from '../../envelope.ts';
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import type { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { isPlainObject, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

function storages(call: MethodCall): RecordTable<GenericRecord> {
  return call.portal.genericTable('entity.storage');
}

function items(call: MethodCall): RecordTable<GenericRecord> {
  return call.portal.genericTable('entity.item');
}

/** The calling application: a webhook has no application context, so the storage refuses it. */
function appOf(call: MethodCall): string {
  if (call.auth.type !== 'oauth' || call.auth.appId === undefined) throw new RestError('ACCESS_DENIED', 'Access denied! Application context required', 403);
  return call.auth.appId;
}

function entityCode(call: MethodCall): string {
  appOf(call);
  const code = textOf(pickParamAnyCase(call.params, 'ENTITY')).trim();
  if (code === '') throw new RestError('ERROR_ARGUMENT', "Argument 'ENTITY' is null or empty", 400, { argument: 'ENTITY' });
  return code;
}

function ownStorages(call: MethodCall): GenericRecord[] {
  const app = appOf(call);
  return [...storages(call).values()].filter((row) => row.APP_ID === app);
}

function findStorage(call: MethodCall, code: string): GenericRecord {
  const storage = ownStorages(call).find((row) => row.ENTITY === code);
  if (!storage) throw new RestError('ERROR_ENTITY_NOT_FOUND', 'Entity not found', 400);
  return storage;
}

function renderStorage(row: GenericRecord): Record<string, unknown> {
  return { ID: String(row.ID), IBLOCK_TYPE_ID: 'rest_entity', ENTITY: row.ENTITY, NAME: row.NAME };
}

function renderItem(row: GenericRecord): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key !== 'STORAGE_ID') output[key] = typeof value === 'number' ? String(value) : value;
  return output;
}

const ITEM_FIELDS = [
  'NAME',
  'ACTIVE',
  'SORT',
  'CODE',
  'XML_ID',
  'SECTION',
  'PREVIEW_TEXT',
  'DETAIL_TEXT',
  'DATE_ACTIVE_FROM',
  'DATE_ACTIVE_TO',
  'PROPERTY_VALUES',
];

function applyItemFields(call: MethodCall, target: GenericRecord): void {
  for (const field of ITEM_FIELDS) {
    const value = pickParamAnyCase(call.params, field);
    if (value === undefined) continue;
    target[field] = field === 'PROPERTY_VALUES' ? (isPlainObject(value) ? value : {}) : field === 'SORT' ? (positiveInteger(value) ?? 500) : textOf(value);
  }
}

export function entityMethods(): MethodSpec[] {
  return [
    {
      name: 'entity.add',
      scope: 'entity',
      kind: 'write',
      handler: (call) => {
        const code = entityCode(call);
        if (!/^[A-Za-z0-9_]+$/.test(code)) throw new RestError('ERROR_ARGUMENT', "Argument 'ENTITY' is null or empty", 400, { argument: 'ENTITY' });
        if (code.length > 13) throw new RestError('ERROR_ARGUMENT', 'Entity code is too long. Max length is 13 characters.', 400, { argument: 'ENTITY' });
        if (ownStorages(call).some((row) => row.ENTITY === code)) throw new RestError('ERROR_ENTITY_ALREADY_EXISTS', 'Entity already exists', 400);
        const name = textOf(pickParamAnyCase(call.params, 'NAME')).trim();
        if (name === '') throw new RestError('ERROR_ARGUMENT', "Argument 'NAME' is null or empty", 400, { argument: 'NAME' });
        const table = storages(call);
        const id = table.allocateId();
        table.insert(id, { ID: id, APP_ID: appOf(call), ENTITY: code, NAME: name, ACCESS: pickParamAnyCase(call.params, 'ACCESS') ?? {} });
        return { result: true };
      },
    },
    {
      name: 'entity.get',
      scope: 'entity',
      kind: 'read',
      handler: (call) => {
        appOf(call);
        const code = textOf(pickParamAnyCase(call.params, 'ENTITY')).trim();
        if (code !== '') return { result: renderStorage(findStorage(call, code)) };
        return { result: ownStorages(call).map(renderStorage) };
      },
    },
    {
      name: 'entity.update',
      scope: 'entity',
      kind: 'write',
      handler: (call) => {
        const storage = { ...findStorage(call, entityCode(call)) };
        const name = pickParamAnyCase(call.params, 'NAME');
        if (name !== undefined) storage.NAME = textOf(name);
        storages(call).insert(storage.ID, storage);
        return { result: true };
      },
    },
    {
      name: 'entity.delete',
      scope: 'entity',
      kind: 'write',
      handler: (call) => {
        const storage = findStorage(call, entityCode(call));
        for (const item of [...items(call).values()]) if (item.STORAGE_ID === storage.ID) items(call).delete(item.ID);
        storages(call).delete(storage.ID);
        return { result: true };
      },
    },
    {
      name: 'entity.item.add',
      scope: 'entity',
      kind: 'write',
      handler: (call) => {
        const storage = findStorage(call, entityCode(call));
        if (textOf(pickParamAnyCase(call.params, 'NAME')).trim() === '')
          throw new RestError('ERROR_ARGUMENT', 'Element name is empty (NAME)', 400, { argument: 'NAME' });
        const record: GenericRecord = {
          ID: 0,
          STORAGE_ID: storage.ID,
          ENTITY: storage.ENTITY,
          NAME: '',
          ACTIVE: 'Y',
          SORT: 500,
          CODE: '',
          XML_ID: '',
          SECTION: null,
          PREVIEW_TEXT: '',
          DETAIL_TEXT: '',
          DATE_CREATE: phpIsoDate(call.nowMs),
          CREATED_BY: call.auth.userId,
          TIMESTAMP_X: phpIsoDate(call.nowMs),
          MODIFIED_BY: call.auth.userId,
          PROPERTY_VALUES: {},
        };
        applyItemFields(call, record);
        record.ID = items(call).allocateId();
        items(call).insert(record.ID, record);
        return { result: record.ID };
      },
    },
    {
      name: 'entity.item.update',
      scope: 'entity',
      kind: 'write',
      handler: (call) => {
        const storage = findStorage(call, entityCode(call));
        const id = positiveInteger(pickParamAnyCase(call.params, 'ID'));
        const current = id === undefined ? undefined : items(call).get(id);
        if (!current || current.STORAGE_ID !== storage.ID) throw new RestError('ERROR_ITEM_NOT_FOUND', 'Element not found', 400);
        const next = { ...current, TIMESTAMP_X: phpIsoDate(call.nowMs), MODIFIED_BY: call.auth.userId };
        applyItemFields(call, next);
        items(call).insert(next.ID, next);
        return { result: true };
      },
    },
    {
      name: 'entity.item.get',
      scope: 'entity',
      kind: 'read',
      handler: (call) => {
        const storage = findStorage(call, entityCode(call));
        const resolve: ResolveField<GenericRecord> = (name) => {
          const key = name.toUpperCase();
          return {
            key,
            read: (row) => (key.startsWith('PROPERTY_') ? ((row.PROPERTY_VALUES as Record<string, unknown>)[key.slice(9)] ?? null) : (row[key] ?? null)),
          };
        };
        const filter = buildFilter(
          {
            ...(isPlainObject(pickParamAnyCase(call.params, 'FILTER')) ? (pickParamAnyCase(call.params, 'FILTER') as Record<string, unknown>) : {}),
            '=STORAGE_ID': storage.ID,
          },
          resolve,
        );
        const page = runListQuery(items(call), {
          filter,
          order: parseOrder(pickParamAnyCase(call.params, 'SORT'), resolve),
          start: readStart(pickParamAnyCase(call.params, 'start')),
          idKey: 'ID',
          readId: (row) => row.ID,
        });
        return { result: page.rows.map(renderItem), total: page.total, ...(page.next === undefined ? {} : { next: page.next }) };
      },
    },
    {
      name: 'entity.item.delete',
      scope: 'entity',
      kind: 'write',
      handler: (call) => {
        const storage = findStorage(call, entityCode(call));
        const id = positiveInteger(pickParamAnyCase(call.params, 'ID'));
        const current = id === undefined ? undefined : items(call).get(id);
        if (!current || current.STORAGE_ID !== storage.ID) throw new RestError('ERROR_ITEM_NOT_FOUND', 'Element not found', 400);
        items(call).delete(current.ID);
        return { result: true };
      },
    },
  ];
}
