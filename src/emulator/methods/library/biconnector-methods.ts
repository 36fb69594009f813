/**
 * BI connector (docs `api-reference/biconnector/`): connectors and sources, camelCase, ids as strings in
 * lists, `select`/`filter`/`order` and `page` pagination (50 a page, no `next`), VALIDATION_* errors; a
 * source's settings (credentials) are never listed back.
 */
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import type { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { asList, isPlainObject, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

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
  const resolve: ResolveField<GenericRecord> = (name) =>
    name === 'id' || name === 'ID' ? { key: 'ID', read: (row) => row.ID } : { key: name, read: (row) => row[name] ?? null };
  const page = Math.max(1, positiveInteger(pickParamAnyCase(call.params, 'page')) ?? 1);
  const rows = runListQuery(table, {
    filter: buildFilter(filter, resolve),
    order: parseOrder(order, resolve),
    start: (page - 1) * 50,
    idKey: 'ID',
    readId: (row) => row.ID,
  }).rows;
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
  for (const name of names)
    if (fields[name] === undefined || fields[name] === '') throw validation('VALIDATION_REQUIRED_FIELD_MISSING', `Field "${name}" is required.`);
}

function renderConnector(row: GenericRecord): Record<string, unknown> {
  return {
    id: String(row.ID),
    title: row.title,
    description: row.description,
    logo: row.logo,
    urlCheck: row.urlCheck,
    urlTableList: row.urlTableList,
    urlTableDescription: row.urlTableDescription,
    urlData: row.urlData,
    settings: row.settings,
    sort: row.sort,
    dateCreate: row.dateCreate,
  };
}

/** A source's settings are credentials: a list or get never returns them. */
function renderSource(row: GenericRecord): Record<string, unknown> {
  return {
    id: String(row.ID),
    title: row.title,
    description: row.description,
    active: row.active,
    connectorId: String(row.connectorId),
    type: 'rest',
    dateCreate: row.dateCreate,
    dateUpdate: row.dateUpdate,
    createdById: String(row.createdById),
    updatedById: String(row.updatedById),
  };
}

export function biconnectorMethods(): MethodSpec[] {
  const connectors = (call: MethodCall) => call.portal.genericTable('biconnector.connector');
  const sources = (call: MethodCall) => call.portal.genericTable('biconnector.source');
  const date = (call: MethodCall) => new Date(call.nowMs).toISOString().slice(0, 19).replace('T', ' ');
  return [
    {
      name: 'biconnector.connector.add',
      scope: 'biconnector',
      kind: 'write',
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
      name: 'biconnector.source.add',
      scope: 'biconnector',
      kind: 'write',
      handler: (call) => {
        const fields = biFields(call);
        biRequire(fields, ['title', 'connectorId', 'settings']);
        const known = new Set(['title', 'description', 'active', 'connectorId', 'settings']);
        const unknown = Object.keys(fields).filter((key) => !known.has(key));
        if (unknown.length > 0) throw validation('VALIDATION_UNKNOWN_PARAMETERS', `Unknown parameters: ${unknown.join(', ')}`);
        const connectorId = positiveInteger(fields.connectorId);
        if (connectorId === undefined) throw validation('VALIDATION_INVALID_FIELD_TYPE', 'Field "connectorId" must be of type integer.');
        if (!connectors(call).get(connectorId)) throw validation('CONNECTOR_NOT_FOUND', 'Connector was not found.');
        if (!isPlainObject(fields.settings) && !Array.isArray(fields.settings))
          throw validation('VALIDATION_INVALID_FIELD_TYPE', 'Field "settings" must be of type object.');
        const id = sources(call).allocateId();
        const active =
          fields.active === undefined ? true : fields.active === true || fields.active === 'true' || fields.active === 'Y' || fields.active === '1';
        sources(call).insert(id, {
          ID: id,
          title: textOf(fields.title),
          description: textOf(fields.description),
          active,
          connectorId,
          settings: fields.settings,
          dateCreate: date(call),
          dateUpdate: date(call),
          createdById: call.auth.userId,
          updatedById: call.auth.userId,
        });
        return { result: { id } };
      },
    },
    { name: 'biconnector.source.list', scope: 'biconnector', kind: 'read', handler: (call) => biList(call, sources(call), renderSource) },
    {
      name: 'biconnector.source.get',
      scope: 'biconnector',
      kind: 'read',
      handler: (call) => {
        const id = positiveInteger(pickParamAnyCase(call.params, 'id'));
        const row = id === undefined ? undefined : sources(call).get(id);
        if (!row) throw validation('SOURCE_NOT_FOUND', 'Source was not found.');
        return { result: { item: renderSource(row) } };
      },
    },
  ];
}
