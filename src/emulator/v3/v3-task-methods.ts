/**
 * `tasks.task.{add,get,update,delete,list}` on REST 3.0 (docs rest-v3/tasks/*): camelCase fields,
 * integer ids, `{item}`/`{items}`/`{result: true}`, validation errors with the field, filter on `id`
 * only, pagination up to 1000. They read and write the same task table as the v2 methods, so a chain
 * has the same effect on either version.
 */
import { randomUUID } from 'node:crypto';
import { phpIsoDate } from '../envelope.ts';
import { parseDateInput } from '../methods/crm/crm-values.ts';
import type { PortalState } from '../portal-state.ts';
import type { TaskRecord } from '../state/portal-records.ts';
import { newTaskRecord } from '../methods/tasks/task-fields.ts';
import { V3Error, validationError } from './v3-error.ts';
import { lowestIdOf, pageOf, selectFields } from './v3-list-query.ts';
import { isRecord, type V3Call, type V3MethodSpec } from './v3-method.ts';

type FieldKind = 'integer' | 'string' | 'datetime' | 'status' | 'priority' | 'strings' | 'boolean';

/** v3 field → stored UPPER_CASE key and kind. */
const FIELDS: Record<string, { key: string; kind: FieldKind; readOnly?: boolean }> = {
  id: { key: 'ID', kind: 'integer', readOnly: true },
  title: { key: 'TITLE', kind: 'string' },
  description: { key: 'DESCRIPTION', kind: 'string' },
  creatorId: { key: 'CREATED_BY', kind: 'integer' },
  responsibleId: { key: 'RESPONSIBLE_ID', kind: 'integer' },
  groupId: { key: 'GROUP_ID', kind: 'integer' },
  parentId: { key: 'PARENT_ID', kind: 'integer' },
  deadline: { key: 'DEADLINE', kind: 'datetime' },
  startPlan: { key: 'START_DATE_PLAN', kind: 'datetime' },
  endPlan: { key: 'END_DATE_PLAN', kind: 'datetime' },
  priority: { key: 'PRIORITY', kind: 'priority' },
  status: { key: 'STATUS', kind: 'status' },
  xmlId: { key: 'XML_ID', kind: 'string' },
  crmItemIds: { key: 'UF_CRM_TASK', kind: 'strings' },
  estimatedTime: { key: 'TIME_ESTIMATE', kind: 'integer' },
  needsControl: { key: 'TASK_CONTROL', kind: 'boolean' },
  allowsChangeDeadline: { key: 'ALLOW_CHANGE_DEADLINE', kind: 'boolean' },
  allowsTimeTracking: { key: 'ALLOW_TIME_TRACKING', kind: 'boolean' },
  created: { key: 'CREATED_DATE', kind: 'datetime', readOnly: true },
  changed: { key: 'CHANGED_DATE', kind: 'datetime', readOnly: true },
  closed: { key: 'CLOSED_DATE', kind: 'datetime', readOnly: true },
  activity: { key: 'ACTIVITY_DATE', kind: 'datetime', readOnly: true },
  guid: { key: 'GUID', kind: 'string', readOnly: true },
};
const FIELD_NAMES = new Set(Object.keys(FIELDS));
const SORTABLE = new Set([
  'id',
  'title',
  'creatorId',
  'created',
  'responsibleId',
  'deadline',
  'startPlan',
  'endPlan',
  'groupId',
  'priority',
  'status',
  'estimatedTime',
  'changed',
  'closed',
  'activity',
  'allowsChangeDeadline',
  'allowsTimeTracking',
]);
const FILTERABLE = new Set(['id']);
const STATUSES = ['', 'new', 'pending', 'in_progress', 'supposedly_completed', 'completed', 'deferred', 'declined'];
const PRIORITIES = ['low', 'average', 'high'];

function render(record: TaskRecord): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [name, { key, kind }] of Object.entries(FIELDS)) {
    const value = record[key];
    if (kind === 'datetime') item[name] = typeof value === 'number' ? phpIsoDate(value) : null;
    else if (kind === 'status') item[name] = STATUSES[Number(value)] ?? 'pending';
    else if (kind === 'priority') item[name] = PRIORITIES[Number(value)] ?? 'average';
    else if (kind === 'boolean') item[name] = value === 'Y';
    else if (kind === 'strings') item[name] = Array.isArray(value) ? value.map(String) : [];
    else if (kind === 'integer') item[name] = value === null || value === undefined || (value === 0 && key === 'PARENT_ID') ? null : Number(value);
    else item[name] = value === null || value === undefined ? (key === 'DESCRIPTION' ? '' : null) : String(value);
  }
  return item;
}

function typeError(field: string, type: string): V3Error {
  return validationError(field, `The \`${field}\` field requires a \`${type}\` data type for this request`);
}

function storeFields(record: TaskRecord, fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) {
    const spec = FIELDS[name];
    if (spec === undefined || spec.readOnly) continue;
    const { key, kind } = spec;
    if (kind === 'integer') {
      if (value === null) record[key] = null;
      else if (typeof value === 'number' && Number.isInteger(value)) record[key] = value;
      else throw typeError(name, 'int');
    } else if (kind === 'string') {
      if (typeof value !== 'string') throw typeError(name, 'string');
      record[key] = value;
    } else if (kind === 'datetime') {
      const parsed = value === null ? null : typeof value === 'string' ? parseDateInput(value) : undefined;
      if (parsed === undefined) throw typeError(name, 'DateTime');
      record[key] = parsed;
    } else if (kind === 'status') {
      const index = STATUSES.indexOf(String(value));
      if (index <= 0) throw typeError(name, 'Status');
      record[key] = index;
    } else if (kind === 'priority') {
      const index = PRIORITIES.indexOf(String(value));
      if (index < 0) throw typeError(name, 'Priority');
      record[key] = index;
    } else if (kind === 'boolean') {
      if (typeof value !== 'boolean') throw typeError(name, 'bool');
      record[key] = value ? 'Y' : 'N';
    } else {
      if (!Array.isArray(value)) throw typeError(name, 'array');
      record[key] = value.map(String);
    }
  }
}

function readFields(call: V3Call): Record<string, unknown> {
  const fields = call.query.fields;
  if (fields === undefined) throw validationError('fields', 'Required field `fields` is missing');
  if (!isRecord(fields)) throw typeError('fields', 'array');
  return fields;
}

function readId(call: V3Call): number {
  const id = call.query.id;
  if (id === undefined) throw validationError('id', 'Required field `id` is missing');
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) throw typeError('id', 'int');
  return id;
}

function findTask(portal: PortalState, id: number): TaskRecord {
  const record = portal.tasks.get(id);
  if (!record) throw new V3Error('ENTITYNOTFOUNDEXCEPTION', `Task with id \`${id}\` not found`);
  return record;
}

function checkReferences(portal: PortalState, record: TaskRecord): void {
  if (record.RESPONSIBLE_ID !== null && record.RESPONSIBLE_ID !== undefined && !portal.users.has(record.RESPONSIBLE_ID as number)) {
    throw validationError('responsibleId', 'The user specified in the "Executor" field was not found');
  }
  if (record.CREATED_BY !== null && record.CREATED_BY !== undefined && !portal.users.has(record.CREATED_BY as number)) throw validationError('creatorId', '');
  const parent = record.PARENT_ID;
  if (parent !== null && parent !== undefined && parent !== 0 && (parent === record.ID || !portal.tasks.get(parent as number))) {
    throw validationError('parentId', 'The task specified in the "Parent Task" field was not found');
  }
}

function addTask(call: V3Call): Record<string, unknown> {
  const fields = readFields(call);
  for (const required of ['title', 'creatorId', 'responsibleId']) {
    if (fields[required] === undefined) throw validationError(required, `Required field \`${required}\` is missing`);
  }
  const now = call.nowMs;
  const record = newTaskRecord(call.auth.userId);
  storeFields(record, fields);
  if (typeof record.TITLE !== 'string' || record.TITLE.trim() === '') throw validationError('title', 'Required field `title` is missing');
  checkReferences(call.auth.portal, record);
  Object.assign(record, {
    CREATED_DATE: now,
    CHANGED_BY: call.auth.userId,
    CHANGED_DATE: now,
    ACTIVITY_DATE: now,
    STATUS_CHANGED_DATE: now,
    GUID: `{${randomUUID()}}`,
    VIEWED_BY: [call.auth.userId],
  });
  record.ID = call.auth.portal.tasks.allocateId();
  call.auth.portal.tasks.insert(record.ID, record);
  return { item: render(record) };
}

function updateTask(call: V3Call): Record<string, unknown> {
  const current = findTask(call.auth.portal, readId(call));
  const next: TaskRecord = { ...current };
  storeFields(next, readFields(call));
  checkReferences(call.auth.portal, next);
  Object.assign(next, { CHANGED_BY: call.auth.userId, CHANGED_DATE: call.nowMs, ACTIVITY_DATE: call.nowMs });
  if (next.STATUS !== current.STATUS) {
    Object.assign(next, { STATUS_CHANGED_BY: call.auth.userId, STATUS_CHANGED_DATE: call.nowMs });
    if (next.STATUS === 5) Object.assign(next, { CLOSED_BY: call.auth.userId, CLOSED_DATE: call.nowMs });
  }
  call.auth.portal.tasks.insert(next.ID, next);
  return { result: true };
}

function listTasks(call: V3Call): Record<string, unknown> {
  const portal = call.auth.portal;
  const from = portal.tasks.lowerBound(lowestIdOf(call.query.filter));
  const rows = (function* () {
    for (let index = from; index < portal.tasks.size; index += 1) {
      const record = portal.tasks.rowAt(index);
      if (record !== undefined) yield render(record);
    }
  })();
  const page = pageOf(rows, call.query, { filterable: FILTERABLE, sortable: SORTABLE, dtoName: 'TaskDto' });
  return { items: page.map((item) => selectFields(item, call.query.select, FIELD_NAMES)) };
}

export function v3TaskMethods(): V3MethodSpec[] {
  return [
    { name: 'tasks.task.add', scope: 'task', kind: 'write', handler: addTask },
    {
      name: 'tasks.task.get',
      scope: 'task',
      kind: 'read',
      handler: (call) => {
        const item = render(findTask(call.auth.portal, readId(call)));
        return { item: Array.isArray(call.query.select) && call.query.select.length > 0 ? selectFields(item, call.query.select, FIELD_NAMES) : item };
      },
    },
    { name: 'tasks.task.update', scope: 'task', kind: 'write', handler: updateTask },
    {
      name: 'tasks.task.delete',
      scope: 'task',
      kind: 'write',
      handler: (call) => {
        call.auth.portal.tasks.delete(findTask(call.auth.portal, readId(call)).ID);
        return { result: true };
      },
    },
    { name: 'tasks.task.list', scope: 'task', kind: 'read', handler: listTasks },
  ];
}
