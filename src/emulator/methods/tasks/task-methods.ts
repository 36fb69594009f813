/**
 * `tasks.task.{add,get,list,update,complete,delete}` (v2, protocol.md §5, §9): `{task}` / `{tasks}`
 * with camelCase keys and string numbers, UPPER_CASE filter keys, default order ID descending, and the
 * module's own errors (`ERROR_CORE` with HTML text, `100` for missing parameters, `0` for a bad sort
 * key or a task the caller cannot act on).
 */
import { randomUUID } from 'node:crypto';
import { buildFilter } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { TaskRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asList, asPhpArray, isPlainObject, pickParam, positiveInteger } from '../read-params.ts';
import { newTaskRecord, renderTask, storeTaskFields, taskFieldResolver, TASK_FIELDS, TASK_SORT_KEYS, type TaskViewer } from './task-fields.ts';

const ALL_FIELDS = Object.keys(TASK_FIELDS);
const VALID_STATUSES = new Set([1, 2, 3, 4, 5, 6, 7]);

function readTaskId(call: MethodCall): number {
  const raw = pickParam(call.params, 'taskId', 'TASKID', 'id');
  if (raw === undefined || raw === '') throw new RestError('100', 'CTaskItem All parameters in the constructor must have real class type (internal error)');
  const id = positiveInteger(raw);
  if (id === undefined) throw new RestError('0', 'wrong task id');
  return id;
}

function findTask(call: MethodCall): TaskRecord {
  const record = call.portal.tasks.get(readTaskId(call));
  if (!record) throw new RestError('0', 'Action on the task is not allowed (internal error)');
  return record;
}

function readFields(call: MethodCall): Record<string, unknown> {
  const fields = asPhpArray(pickParam(call.params, 'fields', 'FIELDS'));
  if (!fields || Object.keys(fields).length === 0) throw new RestError('100', 'Could not find value for parameter {fields} (internal error)');
  return fields;
}

function validate(call: MethodCall, record: TaskRecord): void {
  const problems: string[] = [];
  if (typeof record.TITLE !== 'string' || record.TITLE.trim() === '') problems.push('Task title not specified');
  if (record.RESPONSIBLE_ID === null || record.RESPONSIBLE_ID === undefined) problems.push('Assignee not specified');
  else if (!call.portal.users.has(record.RESPONSIBLE_ID as number)) problems.push('User specified in the "Assignee" field not found');
  if (!VALID_STATUSES.has(record.STATUS as number)) problems.push('Invalid status');
  if (record.PARENT_ID !== null && record.PARENT_ID !== undefined && record.PARENT_ID !== 0) {
    if (record.PARENT_ID === record.ID) problems.push('Cannot bind the node to itself');
    else if (!call.portal.tasks.get(record.PARENT_ID as number)) problems.push('Task specified in the "Parent Task" field not found');
  }
  if (problems.length > 0) throw new RestError('ERROR_CORE', problems.map((problem) => `${problem}<br>`).join(''));
}

function viewerOf(call: MethodCall): TaskViewer {
  return { userId: call.auth.userId, nowMs: call.nowMs };
}

function taskResult(call: MethodCall, record: TaskRecord): MethodResult {
  return { result: { task: renderTask(call.portal, record, ALL_FIELDS, viewerOf(call)) } };
}

function addTask(call: MethodCall): MethodResult {
  const fields = readFields(call);
  const now = call.nowMs;
  const record = newTaskRecord(call.auth.userId);
  storeTaskFields(record, fields);
  record.CREATED_DATE = now;
  record.CHANGED_BY = call.auth.userId;
  record.CHANGED_DATE = now;
  record.ACTIVITY_DATE = now;
  record.STATUS_CHANGED_DATE = now;
  record.GUID = `{${randomUUID()}}`;
  record.VIEWED_BY = [call.auth.userId];
  validate(call, record);
  record.ID = call.portal.tasks.allocateId();
  call.portal.tasks.insert(record.ID, record);
  return taskResult(call, record);
}

function updateTask(call: MethodCall, change: (record: TaskRecord) => void): MethodResult {
  const current = findTask(call);
  const next: TaskRecord = { ...current };
  change(next);
  next.CHANGED_BY = call.auth.userId;
  next.CHANGED_DATE = call.nowMs;
  next.ACTIVITY_DATE = call.nowMs;
  if (next.STATUS !== current.STATUS) {
    next.STATUS_CHANGED_BY = call.auth.userId;
    next.STATUS_CHANGED_DATE = call.nowMs;
    if (next.STATUS === 5) {
      next.CLOSED_BY = call.auth.userId;
      next.CLOSED_DATE = call.nowMs;
    }
  }
  validate(call, next);
  call.portal.tasks.insert(next.ID, next);
  return taskResult(call, next);
}

function readSelect(call: MethodCall): string[] {
  const select = pickParam(call.params, 'select', 'SELECT');
  if (select === undefined) return ALL_FIELDS;
  if (!Array.isArray(select) && !isPlainObject(select)) {
    throw new RestError('100', `Invalid value ${JSON.stringify(select)} to match with parameter {select}. Should be value of type array. (internal error)`);
  }
  const names = asList(select).map((name) => String(name).toUpperCase());
  if (names.length === 0 || names.includes('*')) return ALL_FIELDS;
  return ['ID', ...names.filter((name) => name !== 'ID')];
}

function listTasks(call: MethodCall): MethodResult {
  const rawOrder = pickParam(call.params, 'order', 'ORDER');
  if (isPlainObject(rawOrder)) {
    for (const key of Object.keys(rawOrder)) {
      if (!TASK_SORT_KEYS.has(key.toUpperCase())) throw new RestError('0', 'Invalid sorting key (internal error)');
    }
  }
  const resolveTaskField = taskFieldResolver(viewerOf(call));
  const order = parseOrder(rawOrder, resolveTaskField);
  const names = readSelect(call);
  const page = runListQuery(call.portal.tasks, {
    filter: buildFilter(pickParam(call.params, 'filter', 'FILTER'), resolveTaskField),
    order: order.length > 0 ? order : parseOrder({ ID: 'DESC' }, resolveTaskField),
    start: readStart(pickParam(call.params, 'start', 'START')),
    idKey: 'ID',
    readId: (record) => record.ID,
  });
  const result: MethodResult = { result: { tasks: page.rows.map((record) => renderTask(call.portal, record, names, viewerOf(call))) }, total: page.total };
  if (page.next !== undefined) result.next = page.next;
  return result;
}

export function taskMethods(): MethodSpec[] {
  return [
    { name: 'tasks.task.add', scope: 'task', kind: 'write', handler: addTask },
    {
      name: 'tasks.task.get',
      scope: 'task',
      kind: 'read',
      handler: (call) => {
        const names = readSelect(call);
        const record = call.portal.tasks.get(readTaskId(call));
        return { result: record ? { task: renderTask(call.portal, record, names, viewerOf(call)) } : [] };
      },
    },
    { name: 'tasks.task.list', scope: 'task', kind: 'read', handler: listTasks },
    {
      name: 'tasks.task.update',
      scope: 'task',
      kind: 'write',
      handler: (call) => {
        findTask(call);
        const fields = readFields(call);
        return updateTask(call, (record) => storeTaskFields(record, fields));
      },
    },
    {
      name: 'tasks.task.complete',
      scope: 'task',
      kind: 'write',
      handler: (call) =>
        updateTask(call, (record) => {
          record.STATUS = 5;
        }),
    },
    {
      name: 'tasks.task.delete',
      scope: 'task',
      kind: 'write',
      handler: (call) => {
        call.portal.tasks.delete(findTask(call).ID);
        return { result: { task: true } };
      },
    },
  ];
}
