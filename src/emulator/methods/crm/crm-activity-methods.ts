/**
 * `crm.activity.{add,get,list,update,delete}` (deprecated but working), `crm.activity.todo.add`
 * and `crm.timeline.comment.add` (protocol.md §9). Activities are bound to an existing CRM owner.
 */
import { buildFilter } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { ActivityRecord } from '../../state/crm-state.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asList, asPhpArray, pickParam, positiveInteger } from '../read-params.ts';
import { ACTIVITY_FIELDS, readCommunications, renderActivity, resolveActivityField, storeActivityFields } from './crm-activity-fields.ts';
import { findEntityType, LEGACY_ENTITY_TYPES } from './crm-entity-types.ts';
import { invalidId, notFound } from './crm-legacy-methods.ts';
import { parseDateInput } from './crm-values.ts';

const STAR_FIELDS = Object.keys(ACTIVITY_FIELDS);
const ALL_FIELDS = [...STAR_FIELDS, 'COMMUNICATIONS'];

function ownerExists(call: MethodCall, ownerTypeId: number | undefined, ownerId: number | undefined): boolean {
  if (ownerTypeId === undefined || ownerId === undefined) return false;
  const lookup = findEntityType(call.portal.crm, ownerTypeId);
  return 'type' in lookup && call.portal.crm.table(ownerTypeId).get(ownerId) !== undefined;
}

function readFields(call: MethodCall): Record<string, unknown> {
  const fields = asPhpArray(pickParam(call.params, 'fields', 'FIELDS'));
  if (!fields) throw new RestError('', "The parameter 'fields' must be array.");
  return fields;
}

function findActivity(call: MethodCall): ActivityRecord {
  const id = positiveInteger(pickParam(call.params, 'id', 'ID'));
  if (id === undefined) throw invalidId();
  const record = call.portal.crm.activities.get(id);
  if (!record) throw notFound();
  return record;
}

function addActivity(call: MethodCall): MethodResult {
  const fields = readFields(call);
  if (positiveInteger(fields.TYPE_ID) === undefined) throw new RestError('', 'The field TYPE_ID is not defined or invalid.');
  const communications = readCommunications(fields.COMMUNICATIONS, () => call.portal.crm.nextMultifieldId());
  if (communications.length === 0) throw new RestError('', 'The field COMMUNICATIONS is not defined or invalid.');
  if (positiveInteger(fields.RESPONSIBLE_ID) === undefined) throw new RestError('', 'The field RESPONSIBLE_ID is not defined or invalid.');
  if (!ownerExists(call, positiveInteger(fields.OWNER_TYPE_ID), positiveInteger(fields.OWNER_ID))) {
    throw new RestError('', 'Could not build binding. Please ensure that owner info and communications are defined correctly.');
  }
  const table = call.portal.crm.activities;
  const record: ActivityRecord = { ID: 0, COMPLETED: 'N', PRIORITY: 2, DIRECTION: 0, DESCRIPTION_TYPE: 1, STATUS: 1, PROVIDER_ID: 'CRM_ACTIVITY' };
  storeActivityFields(record, fields);
  record.COMMUNICATIONS = communications;
  record.AUTHOR_ID = call.auth.userId;
  record.EDITOR_ID = call.auth.userId;
  record.CREATED = call.nowMs;
  record.LAST_UPDATED = call.nowMs;
  record.ID = table.allocateId();
  table.insert(record.ID, record);
  return { result: record.ID };
}

function listActivities(call: MethodCall): MethodResult {
  const names = asList(pickParam(call.params, 'select', 'SELECT')).map((name) => String(name).toUpperCase());
  const selected =
    names.length === 0 || names.includes('*') ? [...STAR_FIELDS] : ['ID', ...names.filter((name) => ACTIVITY_FIELDS[name] !== undefined && name !== 'ID')];
  if (names.includes('COMMUNICATIONS')) selected.push('COMMUNICATIONS');
  const page = runListQuery(call.portal.crm.activities, {
    filter: buildFilter(pickParam(call.params, 'filter', 'FILTER'), resolveActivityField),
    order: parseOrder(pickParam(call.params, 'order', 'ORDER'), resolveActivityField),
    start: readStart(pickParam(call.params, 'start', 'START')),
    idKey: 'ID',
    readId: (record) => record.ID,
  });
  const result: MethodResult = { result: page.rows.map((record) => renderActivity(record, selected)), total: page.total };
  if (page.next !== undefined) result.next = page.next;
  return result;
}

function addTodo(call: MethodCall): MethodResult {
  const params = call.params;
  for (const name of ['ownerTypeId', 'ownerId', 'deadline']) {
    if (params[name] === undefined || params[name] === '') throw new RestError('100', `Could not find value for parameter {${name}}`);
  }
  const ownerTypeId = positiveInteger(params.ownerTypeId);
  const ownerId = positiveInteger(params.ownerId);
  if (!ownerExists(call, ownerTypeId, ownerId)) throw new RestError('OWNER_NOT_FOUND', 'Owner not found');
  const deadline = parseDateInput(params.deadline);
  if (deadline === undefined) throw new RestError('INVALID_ARG_VALUE', 'Invalid value for parameter {deadline}');
  const table = call.portal.crm.activities;
  const id = table.allocateId();
  const record: ActivityRecord = {
    ID: id,
    OWNER_TYPE_ID: ownerTypeId,
    OWNER_ID: ownerId,
    TYPE_ID: 6,
    PROVIDER_ID: 'CRM_TODO',
    PROVIDER_TYPE_ID: 'TODO',
    SUBJECT: params.title === undefined ? '' : String(params.title),
    DESCRIPTION: params.description === undefined ? '' : String(params.description),
    DEADLINE: deadline,
    COMPLETED: 'N',
    STATUS: 1,
    PRIORITY: 2,
    DIRECTION: 0,
    DESCRIPTION_TYPE: 1,
    RESPONSIBLE_ID: positiveInteger(params.responsibleId) ?? call.auth.userId,
    AUTHOR_ID: call.auth.userId,
    EDITOR_ID: call.auth.userId,
    CREATED: call.nowMs,
    LAST_UPDATED: call.nowMs,
    COMMUNICATIONS: [],
  };
  table.insert(id, record);
  return { result: { id } };
}

function addComment(call: MethodCall): MethodResult {
  const fields = asPhpArray(call.params.fields);
  if (!fields) throw new RestError('100', 'Could not find value for parameter {fields}');
  if (fields.ENTITY_ID === undefined || fields.ENTITY_TYPE === undefined || fields.COMMENT === undefined) {
    throw new RestError('100', 'Required fields are not specified: ENTITY_ID, ENTITY_TYPE, COMMENT');
  }
  const entityType = String(fields.ENTITY_TYPE);
  const entityTypeId =
    LEGACY_ENTITY_TYPES.find((candidate) => candidate.code === entityType)?.entityTypeId ??
    (/^dynamic_\d+$/.test(entityType) ? findEntityTypeOf(call, Number(entityType.slice(8))) : undefined);
  const entityId = positiveInteger(fields.ENTITY_ID);
  if (entityTypeId === undefined || entityId === undefined || !call.portal.crm.table(entityTypeId).get(entityId)) {
    throw new RestError('OWNER_NOT_FOUND', 'Owner of the element not found');
  }
  const comment = String(fields.COMMENT).trim();
  if (comment === '') throw new RestError('INVALID_ARG_VALUE', 'Empty comment');
  const table = call.portal.crm.comments;
  const id = table.allocateId();
  table.insert(id, {
    ID: id,
    ENTITY_ID: entityId,
    ENTITY_TYPE: entityType,
    COMMENT: comment,
    AUTHOR_ID: positiveInteger(fields.AUTHOR_ID) ?? call.auth.userId,
    CREATED: call.nowMs,
  });
  return { result: id };
}

function findEntityTypeOf(call: MethodCall, entityTypeId: number): number | undefined {
  return 'type' in findEntityType(call.portal.crm, entityTypeId) ? entityTypeId : undefined;
}

export function crmActivityMethods(): MethodSpec[] {
  return [
    { name: 'crm.activity.add', scope: 'crm', kind: 'write', handler: addActivity },
    { name: 'crm.activity.get', scope: 'crm', kind: 'read', handler: (call) => ({ result: renderActivity(findActivity(call), ALL_FIELDS) }) },
    { name: 'crm.activity.list', scope: 'crm', kind: 'read', handler: listActivities },
    {
      name: 'crm.activity.update',
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        const current = findActivity(call);
        const fields = readFields(call);
        const next: ActivityRecord = { ...current };
        storeActivityFields(next, fields);
        if (fields.COMMUNICATIONS !== undefined) next.COMMUNICATIONS = readCommunications(fields.COMMUNICATIONS, () => call.portal.crm.nextMultifieldId());
        next.EDITOR_ID = call.auth.userId;
        next.LAST_UPDATED = call.nowMs;
        call.portal.crm.activities.insert(next.ID, next);
        return { result: true };
      },
    },
    {
      name: 'crm.activity.delete',
      scope: 'crm',
      kind: 'write',
      handler: (call) => {
        call.portal.crm.activities.delete(findActivity(call).ID);
        return { result: true };
      },
    },
    { name: 'crm.activity.todo.add', scope: 'crm', kind: 'write', handler: addTodo },
    { name: 'crm.timeline.comment.add', scope: 'crm', kind: 'write', handler: addComment },
  ];
}
