/**
 * Workgroups and projects (`sonet_group.*`, scope `sonet_group`; docs api-reference/sonet-group):
 * fields are passed as the parameters themselves (NAME, DESCRIPTION, VISIBLE, OPENED, PROJECT,
 * KEYWORDS, INITIATE_PERMS...); `create` answers the new id, `update` the group id, `delete` true;
 * `get` lists groups (ORDER, FILTER, paged by `start`) with string values. Group names are unique on
 * a portal, as in the social network module.
 */
import { phpDate } from './collab-dates.ts';
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { pickParam, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

const GROUPS = 'sonet_group';
const EDITABLE = [
  'NAME',
  'DESCRIPTION',
  'VISIBLE',
  'OPENED',
  'CLOSED',
  'PROJECT',
  'KEYWORDS',
  'INITIATE_PERMS',
  'SPAM_PERMS',
  'SUBJECT_ID',
  'PROJECT_DATE_START',
  'PROJECT_DATE_FINISH',
  'SCRUM_MASTER_ID',
];
const FLAGS = new Set(['VISIBLE', 'OPENED', 'CLOSED', 'PROJECT']);

function readFields(call: MethodCall): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of EDITABLE) {
    const value = pickParamAnyCase(call.params, name);
    if (value === undefined) continue;
    const text = textOf(value).trim();
    fields[name] = FLAGS.has(name) ? (text.toUpperCase() === 'Y' ? 'Y' : 'N') : text;
  }
  return fields;
}

function nameTaken(call: MethodCall, name: string, exceptId?: number): boolean {
  return [...call.portal.genericTable(GROUPS).values()].some((group) => group.ID !== exceptId && String(group.NAME).toLowerCase() === name.toLowerCase());
}

function render(group: GenericRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(group).map(([key, value]) => [key, value === null || value === undefined ? '' : String(value)]));
}

function create(call: MethodCall): MethodResult {
  const fields = readFields(call);
  const name = fields.NAME ?? '';
  if (name === '') throw new RestError('ERROR_CORE', 'The group name is not specified.');
  if (nameTaken(call, name)) throw new RestError('ERROR_CORE', 'A group with this name already exists.');
  const table = call.portal.genericTable(GROUPS);
  const id = table.allocateId();
  const now = phpDate(call.nowMs);
  table.insert(id, {
    ID: id,
    SITE_ID: 's1',
    NAME: name,
    DESCRIPTION: '',
    VISIBLE: 'Y',
    OPENED: 'N',
    CLOSED: 'N',
    PROJECT: 'N',
    KEYWORDS: '',
    INITIATE_PERMS: 'K',
    SUBJECT_ID: '1',
    OWNER_ID: call.auth.userId,
    DATE_CREATE: now,
    DATE_UPDATE: now,
    DATE_ACTIVITY: now,
    NUMBER_OF_MEMBERS: 1,
    ...fields,
  });
  return { result: id };
}

function findGroup(call: MethodCall): GenericRecord {
  const id = positiveInteger(pickParamAnyCase(call.params, 'GROUP_ID'));
  if (id === undefined) throw new RestError('ERROR_CORE', 'Wrong socialnetwork group ID');
  const group = call.portal.genericTable(GROUPS).get(id);
  if (!group) throw new RestError('ERROR_CORE', 'Socialnetwork group not found');
  if (group.OWNER_ID !== call.auth.userId && !call.auth.isAdmin) throw new RestError('ERROR_CORE', 'User has no permissions to update socialnetwork group');
  return group;
}

function update(call: MethodCall): MethodResult {
  const group = findGroup(call);
  const fields = readFields(call);
  if (fields.NAME !== undefined) {
    if (fields.NAME === '') throw new RestError('ERROR_CORE', 'The group name is not specified.');
    if (nameTaken(call, fields.NAME, group.ID)) throw new RestError('ERROR_CORE', 'A group with this name already exists.');
  }
  call.portal.genericTable(GROUPS).insert(group.ID, { ...group, ...fields, DATE_UPDATE: phpDate(call.nowMs) });
  return { result: group.ID };
}

function remove(call: MethodCall): MethodResult {
  const group = findGroup(call);
  call.portal.genericTable(GROUPS).delete(group.ID);
  return { result: true };
}

function list(call: MethodCall): MethodResult {
  const resolve: ResolveField<GenericRecord> = (name) => {
    const key = name.toUpperCase();
    return key === 'ID' ? { key: 'ID', read: (row) => row.ID } : { key, read: (row) => (row[key] === undefined ? null : String(row[key])) };
  };
  const page = runListQuery(call.portal.genericTable(GROUPS), {
    filter: buildFilter(pickParam(call.params, 'FILTER', 'filter'), resolve),
    order: parseOrder(pickParam(call.params, 'ORDER', 'order'), resolve),
    start: readStart(pickParam(call.params, 'start', 'START')),
    idKey: 'ID',
    readId: (row) => row.ID,
  });
  const result: MethodResult = { result: page.rows.map(render), total: page.total };
  if (page.next !== undefined) result.next = page.next;
  return result;
}

export function sonetGroupMethods(): MethodSpec[] {
  return [
    { name: 'sonet_group.create', scope: 'sonet_group', kind: 'write', handler: create },
    { name: 'sonet_group.update', scope: 'sonet_group', kind: 'write', handler: update },
    { name: 'sonet_group.delete', scope: 'sonet_group', kind: 'write', handler: remove },
    { name: 'sonet_group.get', scope: 'sonet_group', kind: 'read', handler: list },
  ];
}
