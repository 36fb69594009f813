/**
 * `crm.item.{add,get,list,update,delete,fields}` over the same records as the legacy methods for
 * entityTypeId 1–4, and a generic store for quotes (7), smart invoices (31) and smart processes
 * (≥ 128): camelCase keys, typed values, `{item}` / `{items}` shapes, `crm.item.delete` → `[]`, and
 * coded errors (`NOT_FOUND`, `INVALID_ARG_VALUE`, `ENTITY_TYPE_NOT_SUPPORTED` for the old invoice 5).
 */
import { buildFilter } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { CrmRecord } from '../../state/crm-state.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asPhpArray, positiveInteger } from '../read-params.ts';
import { applyItemFields, checkRequiredFields } from './crm-apply-input.ts';
import { findEntityType, type CrmEntityType } from './crm-entity-types.ts';
import { itemFieldResolver } from './crm-field-resolvers.ts';
import { createCrmRecord, deleteCrmRecord, updateCrmRecord, writeContextOf } from './crm-record-writes.ts';
import { fullSelection, itemSelection, renderItemRecord } from './crm-render.ts';
import { toInteger } from './crm-values.ts';

function missing(parameter: string): RestError {
  return new RestError('100', `Could not find value for parameter {${parameter}}`);
}

function entityTypeOf(call: MethodCall): CrmEntityType {
  const raw = call.params.entityTypeId;
  if (raw === undefined || raw === '') throw missing('entityTypeId');
  const entityTypeId = toInteger(raw);
  if (entityTypeId === undefined) throw new RestError('INVALID_ARG_VALUE', 'Invalid value for parameter {entityTypeId}');
  const lookup = findEntityType(call.portal.crm, entityTypeId);
  if ('type' in lookup) return lookup.type;
  if (lookup.error === 'NOT_SUPPORTED') {
    throw new RestError('ENTITY_TYPE_NOT_SUPPORTED', `Entity type ${entityTypeId} is not supported. Use entityTypeId 31 for invoices.`);
  }
  throw new RestError('NOT_FOUND', 'Smart process not found');
}

function findItem(call: MethodCall, type: CrmEntityType): CrmRecord {
  if (call.params.id === undefined || call.params.id === '') throw missing('id');
  const id = positiveInteger(call.params.id);
  const record = id === undefined ? undefined : call.portal.crm.table(type.entityTypeId).get(id);
  if (!record) throw new RestError('NOT_FOUND', 'Element not found');
  return record;
}

function readFields(call: MethodCall): Record<string, unknown> {
  if (call.params.fields === undefined) throw missing('fields');
  const fields = asPhpArray(call.params.fields);
  if (!fields) throw new RestError('INVALID_ARG_VALUE', 'Invalid value for parameter {fields}: an object is expected');
  return fields;
}

function itemResult(type: CrmEntityType, record: CrmRecord): MethodResult {
  return { result: { item: renderItemRecord(type, record, fullSelection(type)) } };
}

function describeItemFields(type: CrmEntityType): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const definition of type.fields) {
    if (definition.type === 'crm_multifield') continue;
    map[definition.itemName] = {
      type: definition.type,
      isRequired: definition.required,
      isReadOnly: definition.readOnly,
      isImmutable: definition.immutable,
      isMultiple: definition.multiple,
      isDynamic: false,
      title: definition.title,
      upperName: definition.name,
    };
  }
  return map;
}

function listItems(call: MethodCall): MethodResult {
  const type = entityTypeOf(call);
  const resolve = itemFieldResolver(type);
  const page = runListQuery(call.portal.crm.table(type.entityTypeId), {
    filter: buildFilter(call.params.filter, resolve),
    order: parseOrder(call.params.order, resolve, (field, direction) => {
      throw new RestError('INVALID_ARG_VALUE', `Invalid order: allowed sort directions are ASC, DESC. But got '${direction}' for field '${field}'`);
    }),
    start: readStart(call.params.start),
    idKey: 'ID',
    readId: (record) => record.ID,
  });
  const selection = itemSelection(type, call.params.select);
  const result: MethodResult = { result: { items: page.rows.map((record) => renderItemRecord(type, record, selection)) }, total: page.total };
  if (page.next !== undefined) result.next = page.next;
  return result;
}

export function crmItemMethods(): MethodSpec[] {
  return [
    {
      name: 'crm.item.add',
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const type = entityTypeOf(call);
        const fields = readFields(call);
        const record = createCrmRecord(writeContextOf(call), type, (draft) => {
          applyItemFields(type, draft, fields, () => call.portal.crm.nextMultifieldId());
          checkRequiredFields(type, draft, 'CRM_FIELD_ERROR_REQUIRED');
        });
        return itemResult(type, record);
      },
    },
    {
      name: 'crm.item.get',
      scope: 'crm',
      kind: 'read',
      handler: (call) => {
        const type = entityTypeOf(call);
        return itemResult(type, findItem(call, type));
      },
    },
    { name: 'crm.item.list', scope: 'crm', kind: 'read', handler: listItems },
    {
      name: 'crm.item.update',
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const type = entityTypeOf(call);
        const current = findItem(call, type);
        const fields = readFields(call);
        const record = updateCrmRecord(writeContextOf(call), type, current, (draft) => {
          applyItemFields(type, draft, fields, () => call.portal.crm.nextMultifieldId());
          checkRequiredFields(type, draft, 'CRM_FIELD_ERROR_REQUIRED');
        });
        return itemResult(type, record);
      },
    },
    {
      name: 'crm.item.delete',
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const type = entityTypeOf(call);
        deleteCrmRecord(writeContextOf(call), type, findItem(call, type).ID);
        return { result: [] };
      },
    },
    {
      name: 'crm.item.fields',
      scope: 'crm',
      kind: 'read',
      handler: (call) => ({ result: { fields: describeItemFields(entityTypeOf(call)) } }),
    },
  ];
}
