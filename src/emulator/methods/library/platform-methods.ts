/**
 * The platform pack: application data storage (`entity.*`: application context only, each
 * application sees its own storages; storages by code, items with UPPER_CASE keys and string values,
 * legacy FILTER/SORT/start, 50 a page), BI connector sources and connectors
 * (`biconnector.*`: camelCase, ids as strings in lists, `page` pagination without `next`), and AI
 * engines (`ai.engine.*`: registered by `code`, a second register with the same code updates it;
 * administrators only).
 */
import { phpIsoDate } from '../../envelope.ts';
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import type { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { asList, isPlainObject, pickParam, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

// ---- entity.* -------------------------------------------------------------------------------------

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

const ITEM_FIELDS = ['NAME', 'ACTIVE', 'SORT', 'CODE', 'XML_ID', 'SECTION', 'PREVIEW_TEXT', 'DETAIL_TEXT', 'DATE_ACTIVE_FROM', 'DATE_ACTIVE_TO', 'PROPERTY_VALUES'];

function applyItemFields(call: MethodCall, target: GenericRecord): void {
  for (const field of ITEM_FIELDS) {
    const value = pickParamAnyCase(call.params, field);
    if (value === undefined) continue;
    target[field] = field === 'PROPERTY_VALUES' ? (isPlainObject(value) ? value : {}) : field === 'SORT' ? positiveInteger(value) ?? 500 : textOf(value);
  }
}

function entityMethods(): MethodSpec[] {
  return [
    {
      name: 'entity.add', scope: 'entity', kind: 'write',
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
      name: 'entity.get', scope: 'entity', kind: 'read',
      handler: (call) => {
        appOf(call);
        const code = textOf(pickParamAnyCase(call.params, 'ENTITY')).trim();
        if (code !== '') return { result: renderStorage(findStorage(call, code)) };
        return { result: ownStorages(call).map(renderStorage) };
      },
    },
    {
      name: 'entity.update', scope: 'entity', kind: 'write',
      handler: (call) => {
        const storage = { ...findStorage(call, entityCode(call)) };
        const name = pickParamAnyCase(call.params, 'NAME');
        if (name !== undefined) storage.NAME = textOf(name);
        storages(call).insert(storage.ID, storage);
        return { result: true };
      },
    },
    {
      name: 'entity.delete', scope: 'entity', kind: 'write',
      handler: (call) => {
        const storage = findStorage(call, entityCode(call));
        for (const item of [...items(call).values()]) if (item.STORAGE_ID === storage.ID) items(call).delete(item.ID);
        storages(call).delete(storage.ID);
        return { result: true };
      },
    },
    {
      name: 'entity.item.add', scope: 'entity', kind: 'write',
      handler: (call) => {
        const storage = findStorage(call, entityCode(call));
        if (textOf(pickParamAnyCase(call.params, 'NAME')).trim() === '') throw new RestError('ERROR_ARGUMENT', 'Element name is empty (NAME)', 400, { argument: 'NAME' });
        const record: GenericRecord = { ID: 0, STORAGE_ID: storage.ID, ENTITY: storage.ENTITY, NAME: '', ACTIVE: 'Y', SORT: 500, CODE: '', XML_ID: '', SECTION: null, PREVIEW_TEXT: '', DETAIL_TEXT: '', DATE_CREATE: phpIsoDate(call.nowMs), CREATED_BY: call.auth.userId, TIMESTAMP_X: phpIsoDate(call.nowMs), MODIFIED_BY: call.auth.userId, PROPERTY_VALUES: {} };
        applyItemFields(call, record);
        record.ID = items(call).allocateId();
        items(call).insert(record.ID, record);
        return { result: record.ID };
      },
    },
    {
      name: 'entity.item.update', scope: 'entity', kind: 'write',
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
      name: 'entity.item.get', scope: 'entity', kind: 'read',
      handler: (call) => {
        const storage = findStorage(call, entityCode(call));
        const resolve: ResolveField<GenericRecord> = (name) => {
          const key = name.toUpperCase();
          return { key, read: (row) => (key.startsWith('PROPERTY_') ? (row.PROPERTY_VALUES as Record<string, unknown>)[key.slice(9)] ?? null : row[key] ?? null) };
        };
        const filter = buildFilter({ ...(isPlainObject(pickParamAnyCase(call.params, 'FILTER')) ? (pickParamAnyCase(call.params, 'FILTER') as Record<string, unknown>) : {}), '=STORAGE_ID': storage.ID }, resolve);
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
      name: 'entity.item.delete', scope: 'entity', kind: 'write',
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

// ---- biconnector.* -----------------------------------------------------------------------------------

function validation(code: string, description: string): RestError {
  return new RestError(code, description, 400);
}

/** `select`, `filter`, `order`, `page` (1-based, 50 a page, no `next`) over camelCase records. */
function biList(call: MethodCall, table: RecordTable<GenericRecord>, render: (row: GenericRecord) => Record<string, unknown>) {
  const select = pickParamAnyCase(call.params, 'select');
  const filter = pickParamAnyCase(call.params, 'filter');
  const order = pickParamAnyCase(call.params, 'order');
  if (select !== undefined && !Array.isArray(select) && !isPlainObject(select)) throw validation('VALIDATION_SELECT_TYPE', 'Parameter "select" must be array.');
  if (filter !== undefined && !Array.isArray(filter) && !isPlainObject(filter)) throw validation('VALIDATION_FILTER_TYPE', 'Parameter "filter" must be array.');
  if (order !== undefined && !Array.isArray(order) && !isPlainObject(order)) throw validation('VALIDATION_ORDER_TYPE', 'Parameter "order" must be array.');
  const resolve: ResolveField<GenericRecord> = (name) => (name === 'id' || name === 'ID' ? { key: 'ID', read: (row) => row.ID } : { key: name, read: (row) => row[name] ?? null });
  const page = Math.max(1, positiveInteger(pickParamAnyCase(call.params, 'page')) ?? 1);
  const rows = runListQuery(table, { filter: buildFilter(filter, resolve), order: parseOrder(order, resolve), start: (page - 1) * 50, idKey: 'ID', readId: (row) => row.ID }).rows;
  const fields = asList(select).map(String);
  return {
    result: rows.map((row) => {
      const rendered = render(row);
      return fields.length === 0 ? rendered : Object.fromEntries(fields.filter((field) => field in rendered).map((field) => [field, rendered[field]]));
    }),
  };
}

function biFields(call: MethodCall): Record<string, unknown> {
  const fields = pickParamAnyCase(call.params, 'fields');
  if (!isPlainObject(fields)) throw validation('VALIDATION_FIELDS_NOT_PROVIDED', 'Fields not provided.');
  return fields;
}

function biRequire(fields: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) if (fields[name] === undefined || fields[name] === '') throw validation('VALIDATION_REQUIRED_FIELD_MISSING', `Field "${name}" is required.`);
}

function renderConnector(row: GenericRecord): Record<string, unknown> {
  return { id: String(row.ID), title: row.title, description: row.description, logo: row.logo, urlCheck: row.urlCheck, urlTableList: row.urlTableList, urlTableDescription: row.urlTableDescription, urlData: row.urlData, settings: row.settings, sort: row.sort, dateCreate: row.dateCreate };
}

/** A source's settings are credentials: a list or get never returns them. */
function renderSource(row: GenericRecord): Record<string, unknown> {
  return { id: String(row.ID), title: row.title, description: row.description, active: row.active, connectorId: String(row.connectorId), type: 'rest', dateCreate: row.dateCreate, dateUpdate: row.dateUpdate, createdById: String(row.createdById), updatedById: String(row.updatedById) };
}

function biconnectorMethods(): MethodSpec[] {
  const connectors = (call: MethodCall) => call.portal.genericTable('biconnector.connector');
  const sources = (call: MethodCall) => call.portal.genericTable('biconnector.source');
  const date = (call: MethodCall) => new Date(call.nowMs).toISOString().slice(0, 19).replace('T', ' ');
  return [
    {
      name: 'biconnector.connector.add', scope: 'biconnector', kind: 'write',
      handler: (call) => {
        const fields = biFields(call);
        biRequire(fields, ['title', 'urlCheck', 'urlTableList', 'urlTableDescription', 'urlData']);
        const id = connectors(call).allocateId();
        connectors(call).insert(id, { ID: id, description: '', logo: '', settings: [], sort: 100, ...fields, dateCreate: date(call) });
        return { result: { id } };
      },
    },
    { name: 'biconnector.connector.list', scope: 'biconnector', kind: 'read', handler: (call) => biList(call, connectors(call), renderConnector) },
    {
      name: 'biconnector.source.add', scope: 'biconnector', kind: 'write',
      handler: (call) => {
        const fields = biFields(call);
        biRequire(fields, ['title', 'connectorId', 'settings']);
        const known = new Set(['title', 'description', 'active', 'connectorId', 'settings']);
        const unknown = Object.keys(fields).filter((key) => !known.has(key));
        if (unknown.length > 0) throw validation('VALIDATION_UNKNOWN_PARAMETERS', `Unknown parameters: ${unknown.join(', ')}`);
        const connectorId = positiveInteger(fields.connectorId);
        if (connectorId === undefined) throw validation('VALIDATION_INVALID_FIELD_TYPE', 'Field "connectorId" must be of type integer.');
        if (!connectors(call).get(connectorId)) throw validation('CONNECTOR_NOT_FOUND', 'Connector was not found.');
        if (!isPlainObject(fields.settings) && !Array.isArray(fields.settings)) throw validation('VALIDATION_INVALID_FIELD_TYPE', 'Field "settings" must be of type object.');
        const id = sources(call).allocateId();
        const active = fields.active === undefined ? true : fields.active === true || fields.active === 'true' || fields.active === 'Y' || fields.active === '1';
        sources(call).insert(id, { ID: id, title: textOf(fields.title), description: textOf(fields.description), active, connectorId, settings: fields.settings, dateCreate: date(call), dateUpdate: date(call), createdById: call.auth.userId, updatedById: call.auth.userId });
        return { result: { id } };
      },
    },
    { name: 'biconnector.source.list', scope: 'biconnector', kind: 'read', handler: (call) => biList(call, sources(call), renderSource) },
    {
      name: 'biconnector.source.get', scope: 'biconnector', kind: 'read',
      handler: (call) => {
        const id = positiveInteger(pickParamAnyCase(call.params, 'id'));
        const row = id === undefined ? undefined : sources(call).get(id);
        if (!row) throw validation('SOURCE_NOT_FOUND', 'Source was not found.');
        return { result: { item: renderSource(row) } };
      },
    },
  ];
}

// ---- ai.engine.* -----------------------------------------------------------------------------------

const CATEGORIES = ['text', 'image', 'audio', 'call', 'vision', 'classify'];

/** Registering and unregistering engines is for administrators (docs). */
function requireAdmin(call: MethodCall): void {
  if (!call.portal.isAdmin(call.auth.userId)) throw new RestError('ACCESS_DENIED', 'Access denied: administrator rights are required', 403);
}

function renderEngine(row: GenericRecord): Record<string, unknown> {
  return { id: row.ID, app_code: row.app_code, name: row.name, code: row.code, category: row.category, completions_url: row.completions_url, settings: row.settings };
}

function aiMethods(): MethodSpec[] {
  const engines = (call: MethodCall) => call.portal.genericTable('ai.engine');
  const byCode = (call: MethodCall, code: string) => [...engines(call).values()].find((row) => row.code === code);
  return [
    { name: 'ai.engine.list', scope: 'ai_admin', kind: 'read', handler: (call) => ({ result: [...engines(call).values()].map(renderEngine) }) },
    {
      name: 'ai.engine.register', scope: 'ai_admin', kind: 'write',
      handler: (call) => {
        requireAdmin(call);
        const read = (name: string): string => textOf(pickParam(call.params, name)).trim();
        for (const name of ['name', 'code', 'category', 'completions_url']) if (read(name) === '') throw new RestError('ERROR_ARGUMENT', `Parameter '${name}' is required`, 400, { argument: name });
        if (!CATEGORIES.includes(read('category'))) throw new RestError('ERROR_ARGUMENT', `Unknown category '${read('category')}'; expected one of ${CATEGORIES.join(', ')}`, 400, { argument: 'category' });
        if (!/^https:\/\//.test(read('completions_url'))) throw new RestError('ERROR_ARGUMENT', "Parameter 'completions_url' must be an https URL", 400, { argument: 'completions_url' });
        const current = byCode(call, read('code'));
        const id = current?.ID ?? engines(call).allocateId();
        const settings = pickParam(call.params, 'settings');
        engines(call).insert(id, { ID: id, app_code: call.auth.appId ?? '', name: read('name'), code: read('code'), category: read('category'), completions_url: read('completions_url'), settings: isPlainObject(settings) ? settings : {} });
        return { result: id };
      },
    },
    {
      name: 'ai.engine.unregister', scope: 'ai_admin', kind: 'write',
      handler: (call) => {
        requireAdmin(call);
        const engine = byCode(call, textOf(pickParam(call.params, 'code')).trim());
        if (!engine) throw new RestError('ENGINE_NOT_FOUND', 'Engine not found', 400);
        engines(call).delete(engine.ID);
        return { result: true };
      },
    },
  ];
}

export function platformMethods(): MethodSpec[] {
  return [...entityMethods(), ...biconnectorMethods(), ...aiMethods()];
}
