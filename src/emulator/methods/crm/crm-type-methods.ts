/**
 * `crm.type.{add,get,getByEntityTypeId,list,update,delete}`: smart processes (docs
 * user-defined-object-types/*.md). A smart process exists only once added, and crm.item.* answers
 * 400 NOT_FOUND "Smart process not found" for any entityTypeId that is neither a CRM type nor one of
 * them. `entityTypeId` is generated when not given (128…192, then even numbers from 1030), or must lie
 * in those ranges.
 */
import { phpIsoDate } from '../../envelope.ts';
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { SmartProcessType } from '../../state/crm-state.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asPhpArray, positiveInteger } from '../read-params.ts';
import { toFlag, toInteger } from './crm-values.ts';

const FLAG_DEFAULTS: Record<string, 'Y' | 'N'> = {
  isCategoriesEnabled: 'N',
  isStagesEnabled: 'N',
  isBeginCloseDatesEnabled: 'N',
  isClientEnabled: 'N',
  isUseInUserfieldEnabled: 'N',
  isLinkWithProductsEnabled: 'N',
  isMycompanyEnabled: 'N',
  isDocumentsEnabled: 'N',
  isSourceEnabled: 'N',
  isObserversEnabled: 'N',
  isRecyclebinEnabled: 'N',
  isAutomationEnabled: 'N',
  isBizProcEnabled: 'N',
  isSetOpenPermissions: 'Y',
  isPaymentsEnabled: 'N',
  isCountersEnabled: 'N',
};

function inAllowedRange(entityTypeId: number): boolean {
  return (entityTypeId >= 128 && entityTypeId <= 192) || (entityTypeId >= 1030 && entityTypeId % 2 === 0);
}

function nextEntityTypeId(call: MethodCall): number {
  let candidate = 128;
  while (call.portal.crm.smartType(candidate) !== undefined) {
    candidate = candidate < 192 ? candidate + 1 : candidate === 192 ? 1030 : candidate + 2;
  }
  return candidate;
}

function readFields(call: MethodCall): Record<string, unknown> {
  if (call.params.fields === undefined) throw new RestError('100', 'Could not find value for parameter {fields}');
  const fields = asPhpArray(call.params.fields);
  if (!fields) throw new RestError('INVALID_ARG_VALUE', 'Invalid value for parameter {fields}: an object is expected');
  return fields;
}

function applyFields(type: SmartProcessType, fields: Record<string, unknown>): void {
  if (fields.title !== undefined) type.TITLE = String(fields.title).trim();
  if (fields.code !== undefined) type.CODE = String(fields.code);
  for (const name of Object.keys(FLAG_DEFAULTS)) if (fields[name] !== undefined) type.flags[name] = toFlag(fields[name]);
}

function renderType(type: SmartProcessType): Record<string, unknown> {
  return {
    id: type.ID,
    title: type.TITLE,
    code: type.CODE,
    createdBy: type.CREATED_BY,
    entityTypeId: type.ENTITY_TYPE_ID,
    customSectionId: null,
    ...type.flags,
    createdTime: phpIsoDate(type.CREATED_TIME),
    updatedTime: phpIsoDate(type.UPDATED_TIME),
    updatedBy: type.UPDATED_BY,
    relations: { parent: [], child: [] },
    linkedUserFields: [],
    customSections: [],
  };
}

function findById(call: MethodCall, description: string): SmartProcessType {
  const id = positiveInteger(call.params.id);
  const type = id === undefined ? undefined : call.portal.crm.smartTypes.get(id);
  if (!type) throw new RestError('0', description);
  return type;
}

function addType(call: MethodCall): MethodResult {
  const fields = readFields(call);
  let entityTypeId: number;
  if (fields.entityTypeId === undefined || fields.entityTypeId === '' || fields.entityTypeId === null) {
    entityTypeId = nextEntityTypeId(call);
  } else {
    const given = toInteger(fields.entityTypeId);
    if (given === undefined || !inAllowedRange(given)) throw new RestError('INVALID_ARG_VALUE', 'entityTypeId is out of allowed range');
    if (call.portal.crm.smartType(given) !== undefined)
      throw new RestError('INVALID_ARG_VALUE', `entityTypeId ${given} is already used by another smart process`);
    entityTypeId = given;
  }
  const table = call.portal.crm.smartTypes;
  const type: SmartProcessType = {
    ID: 0,
    ENTITY_TYPE_ID: entityTypeId,
    TITLE: '',
    CODE: '',
    CREATED_BY: call.auth.userId,
    UPDATED_BY: call.auth.userId,
    CREATED_TIME: call.nowMs,
    UPDATED_TIME: call.nowMs,
    flags: { ...FLAG_DEFAULTS },
  };
  applyFields(type, fields);
  if (type.TITLE === '') throw new RestError('CRM_FIELD_ERROR_REQUIRED', 'The field "Title" is required.');
  type.ID = table.allocateId();
  table.insert(type.ID, type);
  return { result: { type: renderType(type) } };
}

const resolveTypeField: ResolveField<SmartProcessType> = (name, where) => {
  const field = name.trim();
  const readers: Record<string, (type: SmartProcessType) => unknown> = {
    id: (type) => type.ID,
    entityTypeId: (type) => type.ENTITY_TYPE_ID,
    title: (type) => type.TITLE,
    code: (type) => type.CODE,
    createdBy: (type) => type.CREATED_BY,
    updatedBy: (type) => type.UPDATED_BY,
    createdTime: (type) => type.CREATED_TIME,
    updatedTime: (type) => type.UPDATED_TIME,
  };
  const read = readers[field] ?? (field in FLAG_DEFAULTS ? (type: SmartProcessType) => type.flags[field] : undefined);
  if (!read) throw new RestError('INVALID_ARG_VALUE', `Invalid ${where}: field '${field}' is not allowed in ${where}`);
  return { key: field === 'id' ? 'ID' : field, read };
};

function listTypes(call: MethodCall): MethodResult {
  const page = runListQuery(call.portal.crm.smartTypes, {
    filter: buildFilter(call.params.filter, resolveTypeField),
    order: parseOrder(call.params.order, resolveTypeField, (field, direction) => {
      throw new RestError('INVALID_ARG_VALUE', `Invalid order: allowed sort directions are ASC, DESC. But got '${direction}' for field '${field}'`);
    }),
    start: readStart(call.params.start),
    idKey: 'ID',
    readId: (type) => type.ID,
  });
  const result: MethodResult = { result: { types: page.rows.map(renderType) }, total: page.total };
  if (page.next !== undefined) result.next = page.next;
  return result;
}

export function crmTypeMethods(): MethodSpec[] {
  return [
    { name: 'crm.type.add', scope: 'crm', kind: 'write', handler: addType },
    { name: 'crm.type.get', scope: 'crm', kind: 'read', handler: (call) => ({ result: { type: renderType(findById(call, 'SPA not found')) } }) },
    {
      name: 'crm.type.getbyentitytypeid',
      scope: 'crm',
      kind: 'read',
      handler: (call) => {
        const entityTypeId = toInteger(call.params.entityTypeId);
        const type = entityTypeId === undefined ? undefined : call.portal.crm.smartType(entityTypeId);
        if (!type) throw new RestError('0', 'Smart process not found');
        return { result: { type: renderType(type) } };
      },
    },
    { name: 'crm.type.list', scope: 'crm', kind: 'read', handler: listTypes },
    {
      name: 'crm.type.update',
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const type = findById(call, 'SPA not found');
        const fields = readFields(call);
        const next: SmartProcessType = { ...type, flags: { ...type.flags } };
        applyFields(next, fields);
        if (next.TITLE === '') throw new RestError('CRM_FIELD_ERROR_REQUIRED', 'The field "Title" is required.');
        next.UPDATED_BY = call.auth.userId;
        next.UPDATED_TIME = call.nowMs;
        call.portal.crm.smartTypes.insert(next.ID, next);
        return { result: { type: renderType(next) } };
      },
    },
    {
      name: 'crm.type.delete',
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const type = findById(call, 'Smart process not found');
        if (call.portal.crm.table(type.ENTITY_TYPE_ID).size > 0) {
          throw new RestError('BX_ERROR', 'You cannot delete an entity type that has elements');
        }
        call.portal.crm.smartTypes.delete(type.ID);
        return { result: [] };
      },
    },
  ];
}
