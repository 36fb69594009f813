/**
 * `crm.{lead,deal,contact,company}.{add,get,list,update,delete,fields}` (protocol.md §2, §5, §9):
 * UPPER_CASE fields, values returned as strings, `fields`/`FIELDS` and `id`/`ID` both accepted,
 * empty-code errors ("ID is not defined or invalid.", "Not found") with HTTP 400.
 */
import { buildFilter } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { CrmRecord } from '../../state/crm-state.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asPhpArray, pickParam, positiveInteger } from '../read-params.ts';
import { applyLegacyFields, checkRequiredFields } from './crm-apply-input.ts';
import { MULTIFIELD_TYPES } from './crm-field-definition.ts';
import { legacyFieldResolver } from './crm-field-resolvers.ts';
import { LEGACY_ENTITY_TYPES, type CrmEntityType } from './crm-entity-types.ts';
import { createCrmRecord, deleteCrmRecord, updateCrmRecord, writeContextOf } from './crm-record-writes.ts';
import { legacySelection, renderLegacyRecord } from './crm-render.ts';

export function invalidId(): RestError {
  return new RestError('', 'ID is not defined or invalid.');
}

export function notFound(): RestError {
  return new RestError('', 'Not found');
}

function readFields(call: MethodCall): Record<string, unknown> {
  const fields = asPhpArray(pickParam(call.params, 'fields', 'FIELDS'));
  if (!fields) throw new RestError('', "The parameter 'fields' must be array.");
  return fields;
}

function findRecord(call: MethodCall, type: CrmEntityType): CrmRecord {
  const id = positiveInteger(pickParam(call.params, 'id', 'ID'));
  if (id === undefined) throw invalidId();
  const record = call.portal.crm.table(type.entityTypeId).get(id);
  if (!record) throw notFound();
  return record;
}

/** The field map of `crm.X.fields` (legacy read-only flags included). */
export function describeLegacyFields(type: CrmEntityType): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const definition of type.fields) {
    const description: Record<string, unknown> = {
      type: definition.type,
      isRequired: definition.required,
      isReadOnly: definition.readOnly || definition.legacyReadOnly,
      isImmutable: definition.immutable,
      isMultiple: definition.multiple,
      isDynamic: false,
      title: definition.title,
    };
    if (definition.statusType !== undefined) description.statusType = definition.statusType;
    map[definition.name] = description;
  }
  return map;
}

function legacyFamily(type: CrmEntityType): MethodSpec[] {
  const prefix = `crm.${type.code}`;
  const getSelection = legacySelection(type, ['*', 'UF_*', ...MULTIFIELD_TYPES]);
  const resolve = legacyFieldResolver(type);
  return [
    {
      name: `${prefix}.add`,
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const fields = readFields(call);
        const record = createCrmRecord(writeContextOf(call), type, (draft) => {
          applyLegacyFields(type, draft, fields, () => call.portal.crm.nextMultifieldId());
          checkRequiredFields(type, draft, '');
        });
        return { result: record.ID };
      },
    },
    {
      name: `${prefix}.get`,
      scope: 'crm',
      kind: 'read',
      handler: (call) => ({ result: renderLegacyRecord(findRecord(call, type), getSelection, true) }),
    },
    {
      name: `${prefix}.list`,
      scope: 'crm',
      kind: 'read',
      handler: (call): MethodResult => {
        const params = call.params;
        const selection = legacySelection(type, pickParam(params, 'select', 'SELECT'));
        const page = runListQuery(call.portal.crm.table(type.entityTypeId), {
          filter: buildFilter(pickParam(params, 'filter', 'FILTER'), resolve),
          order: parseOrder(pickParam(params, 'order', 'ORDER'), resolve),
          start: readStart(pickParam(params, 'start', 'START')),
          idKey: 'ID',
          readId: (record) => record.ID,
        });
        const result: MethodResult = { result: page.rows.map((record) => renderLegacyRecord(record, selection)), total: page.total };
        if (page.next !== undefined) result.next = page.next;
        return result;
      },
    },
    {
      name: `${prefix}.update`,
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const record = findRecord(call, type);
        const fields = readFields(call);
        updateCrmRecord(writeContextOf(call), type, record, (draft) => {
          applyLegacyFields(type, draft, fields, () => call.portal.crm.nextMultifieldId());
          checkRequiredFields(type, draft, '');
        });
        return { result: true };
      },
    },
    {
      name: `${prefix}.delete`,
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const record = findRecord(call, type);
        deleteCrmRecord(writeContextOf(call), type, record.ID);
        return { result: true };
      },
    },
    {
      name: `${prefix}.fields`,
      scope: 'crm',
      kind: 'read',
      handler: () => ({ result: describeLegacyFields(type) }),
    },
  ];
}

export function crmLegacyMethods(): MethodSpec[] {
  return LEGACY_ENTITY_TYPES.flatMap((type) => legacyFamily(type));
}
