/**
 * Sites and pages (docs `api-reference/landing/`): `landing.site.*` (by `id`) and `landing.landing.*`
 * (by `lid`), UPPER_CASE keys with string values; `getList` takes `params: {select, filter, order}` and
 * answers every row at once (no pagination). A page is unpublished (ACTIVE "N") until
 * `landing.landing.publication`; deleting a site deletes its pages. Blocks: `landing.landing.addblock`,
 * `landing.block.addCard` and `landing.block.getList` (camelCase rows). Errors as the portal names them: MISSING_PARAMS,
 * LANDING_NOT_EXIST, SITE_NOT_FOUND, TYPE_ERROR.
 */
import { phpIsoDate } from '../../envelope.ts';
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import type { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { asList, isPlainObject, pickParam, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

const sites = (call: MethodCall): RecordTable<GenericRecord> => call.portal.genericTable('landing.site');
const pages = (call: MethodCall): RecordTable<GenericRecord> => call.portal.genericTable('landing.landing');
const blocks = (call: MethodCall): RecordTable<GenericRecord> => call.portal.genericTable('landing.block');

function idParam(call: MethodCall, name: string): number {
  const raw = pickParamAnyCase(call.params, name);
  if (raw === undefined || raw === '') throw new RestError('MISSING_PARAMS', `Missing required parameter: ${name}`, 400);
  const id = positiveInteger(raw);
  if (id === undefined) throw new RestError('TYPE_ERROR', `Parameter '${name}' must be an integer`, 400);
  return id;
}

function fieldsParam(call: MethodCall): Record<string, unknown> {
  const fields = pickParamAnyCase(call.params, 'fields');
  if (fields === undefined) throw new RestError('MISSING_PARAMS', 'Missing required parameter: fields', 400);
  if (!isPlainObject(fields)) throw new RestError('TYPE_ERROR', "Parameter 'fields' must be an object", 400);
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key.toUpperCase(), value]));
}

function requireFields(fields: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names)
    if (fields[name] === undefined || fields[name] === '') throw new RestError('MISSING_PARAMS', `Required field ${name} is empty`, 400);
}

function render(row: GenericRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'number' ? String(value) : value]));
}

/** `params: {select, filter, order}` over a table, every matching row. */
function getList(call: MethodCall, table: RecordTable<GenericRecord>) {
  const params = pickParamAnyCase(call.params, 'params');
  const options = isPlainObject(params) ? params : {};
  const resolve: ResolveField<GenericRecord> = (name) => {
    const key = name.toUpperCase();
    return { key, read: (row) => row[key] ?? null };
  };
  const rows: GenericRecord[] = [];
  for (let start = 0; ; start += 50) {
    const page = runListQuery(table, {
      filter: buildFilter(pickParamAnyCase(options, 'filter'), resolve),
      order: parseOrder(pickParamAnyCase(options, 'order'), resolve),
      start,
      idKey: 'ID',
      readId: (row) => row.ID,
    });
    rows.push(...page.rows);
    if (page.next === undefined) break;
  }
  const select = asList(pickParamAnyCase(options, 'select')).map((field) => String(field).toUpperCase());
  return {
    result: rows.map((row) =>
      select.length === 0 || select.includes('*') ? render(row) : Object.fromEntries(Object.entries(render(row)).filter(([key]) => select.includes(key))),
    ),
  };
}

function site(call: MethodCall, id: number): GenericRecord {
  const row = sites(call).get(id);
  if (!row) throw new RestError('SITE_NOT_FOUND', 'Site not found', 400);
  return row;
}

function page(call: MethodCall, id: number): GenericRecord {
  const row = pages(call).get(id);
  if (!row) throw new RestError('LANDING_NOT_EXIST', 'The page was not found', 400);
  return row;
}

function stamp(call: MethodCall): Record<string, unknown> {
  return { DATE_MODIFY: phpIsoDate(call.nowMs), MODIFIED_BY_ID: call.auth.userId };
}

function siteMethods(): MethodSpec[] {
  return [
    {
      name: 'landing.site.add',
      scope: 'landing',
      kind: 'write',
      handler: (call) => {
        const fields = fieldsParam(call);
        requireFields(fields, ['TITLE', 'CODE']);
        const id = sites(call).allocateId();
        sites(call).insert(id, {
          ID: id,
          TYPE: 'PAGE',
          ACTIVE: 'N',
          DESCRIPTION: '',
          ...fields,
          DATE_CREATE: phpIsoDate(call.nowMs),
          CREATED_BY_ID: call.auth.userId,
          ...stamp(call),
        });
        return { result: id };
      },
    },
    { name: 'landing.site.getlist', scope: 'landing', kind: 'read', handler: (call) => getList(call, sites(call)) },
    {
      name: 'landing.site.update',
      scope: 'landing',
      kind: 'write',
      handler: (call) => {
        const current = site(call, idParam(call, 'id'));
        sites(call).insert(current.ID, { ...current, ...fieldsParam(call), ID: current.ID, ...stamp(call) });
        return { result: true };
      },
    },
    {
      name: 'landing.site.delete',
      scope: 'landing',
      kind: 'write',
      handler: (call) => {
        const current = site(call, idParam(call, 'id'));
        for (const row of [...pages(call).values()]) if (row.SITE_ID === current.ID) pages(call).delete(row.ID);
        sites(call).delete(current.ID);
        return { result: true };
      },
    },
  ];
}

function pageMethods(): MethodSpec[] {
  const publish = (active: 'Y' | 'N') => (call: MethodCall) => {
    const current = page(call, idParam(call, 'lid'));
    pages(call).insert(current.ID, { ...current, ACTIVE: active, ...stamp(call) });
    return { result: true };
  };
  return [
    {
      name: 'landing.landing.add',
      scope: 'landing',
      kind: 'write',
      handler: (call) => {
        const fields = fieldsParam(call);
        requireFields(fields, ['TITLE', 'CODE', 'SITE_ID']);
        const siteId = positiveInteger(fields.SITE_ID);
        if (siteId === undefined) throw new RestError('TYPE_ERROR', 'SITE_ID must be an integer', 400);
        site(call, siteId);
        const id = pages(call).allocateId();
        pages(call).insert(id, {
          ID: id,
          ACTIVE: 'N',
          DESCRIPTION: '',
          DELETED: 'N',
          ...fields,
          SITE_ID: siteId,
          DATE_CREATE: phpIsoDate(call.nowMs),
          CREATED_BY_ID: call.auth.userId,
          ...stamp(call),
        });
        return { result: id };
      },
    },
    { name: 'landing.landing.getlist', scope: 'landing', kind: 'read', handler: (call) => getList(call, pages(call)) },
    {
      name: 'landing.landing.update',
      scope: 'landing',
      kind: 'write',
      handler: (call) => {
        const current = page(call, idParam(call, 'lid'));
        const fields = fieldsParam(call);
        delete fields.SITE_ID;
        pages(call).insert(current.ID, { ...current, ...fields, ID: current.ID, ...stamp(call) });
        return { result: true };
      },
    },
    {
      name: 'landing.landing.delete',
      scope: 'landing',
      kind: 'write',
      handler: (call) => {
        const current = page(call, idParam(call, 'lid'));
        for (const row of [...blocks(call).values()]) if (row.lid === current.ID) blocks(call).delete(row.ID);
        pages(call).delete(current.ID);
        return { result: true };
      },
    },
    { name: 'landing.landing.publication', scope: 'landing', kind: 'write', handler: publish('Y') },
    { name: 'landing.landing.unpublic', scope: 'landing', kind: 'write', handler: publish('N') },
    {
      name: 'landing.landing.addblock',
      scope: 'landing',
      kind: 'write',
      handler: (call) => {
        const current = page(call, idParam(call, 'lid'));
        const fields = fieldsParam(call);
        requireFields(fields, ['CODE']);
        const id = blocks(call).allocateId();
        blocks(call).insert(id, {
          ID: id,
          lid: current.ID,
          code: textOf(fields.CODE),
          name: textOf(fields.CODE),
          active: fields.ACTIVE !== 'N',
          content: textOf(fields.CONTENT),
        });
        return { result: id };
      },
    },
    {
      name: 'landing.block.addcard',
      scope: 'landing',
      kind: 'write',
      handler: (call) => {
        const current = page(call, idParam(call, 'lid'));
        const blockId = idParam(call, 'block');
        const block = blocks(call).get(blockId);
        if (!block || block.lid !== current.ID) throw new RestError('BLOCK_NOT_FOUND', 'Block not found', 400);
        const selector = textOf(pickParamAnyCase(call.params, 'selector'));
        if (selector === '') throw new RestError('MISSING_PARAMS', 'Missing required parameter: selector', 400);
        const cards = Array.isArray(block.cards) ? block.cards : [];
        blocks(call).insert(block.ID, { ...block, cards: [...cards, { selector, content: textOf(pickParamAnyCase(call.params, 'content')) }] });
        return { result: true };
      },
    },
    {
      name: 'landing.block.getlist',
      scope: 'landing',
      kind: 'read',
      handler: (call) => {
        const raw = pickParam(call.params, 'lid');
        if (raw === undefined) throw new RestError('MISSING_PARAMS', 'Missing required parameter: lid', 400);
        const wanted = asList(raw).map((id) => positiveInteger(id));
        const rows = [...blocks(call).values()].filter((row) => wanted.includes(row.lid as number));
        return { result: rows.map(({ ID, ...rest }) => ({ id: String(ID), ...rest, lid: String(rest.lid) })) };
      },
    },
  ];
}

export function sitesMethods(): MethodSpec[] {
  return [...siteMethods(), ...pageMethods()];
}
