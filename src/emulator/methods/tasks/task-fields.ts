/**
 * Task fields of tasks.task.* (v2): stored under UPPER_CASE keys (as `fields` takes them), returned
 * with camelCase keys and string numbers (`"id":"8017"`), ISO dates and `Y`/`N` flags.
 */
import { phpIsoDate } from '../../envelope.ts';
import type { ResolveField } from '../../list/build-filter.ts';
import type { PortalState } from '../../portal-state.ts';
import type { TaskRecord } from '../../state/portal-records.ts';
import { camelName } from '../crm/crm-field-definition.ts';
import { parseDateInput, toFlag, toInteger } from '../crm/crm-values.ts';

type TaskKind = 'integer' | 'string' | 'char' | 'datetime' | 'users' | 'strings';

export const TASK_FIELDS: Record<string, TaskKind> = {
  ID: 'integer',
  PARENT_ID: 'integer',
  TITLE: 'string',
  DESCRIPTION: 'string',
  MARK: 'string',
  PRIORITY: 'integer',
  MULTITASK: 'char',
  NOT_VIEWED: 'char',
  REPLICATE: 'char',
  STAGE_ID: 'integer',
  CREATED_BY: 'integer',
  CREATED_DATE: 'datetime',
  RESPONSIBLE_ID: 'integer',
  CHANGED_BY: 'integer',
  CHANGED_DATE: 'datetime',
  STATUS_CHANGED_BY: 'integer',
  CLOSED_BY: 'integer',
  CLOSED_DATE: 'datetime',
  ACTIVITY_DATE: 'datetime',
  DATE_START: 'datetime',
  DEADLINE: 'datetime',
  START_DATE_PLAN: 'datetime',
  END_DATE_PLAN: 'datetime',
  GUID: 'string',
  XML_ID: 'string',
  ALLOW_CHANGE_DEADLINE: 'char',
  ALLOW_TIME_TRACKING: 'char',
  TASK_CONTROL: 'char',
  ADD_IN_REPORT: 'char',
  TIME_ESTIMATE: 'integer',
  MATCH_WORK_TIME: 'char',
  SITE_ID: 'string',
  DESCRIPTION_IN_BBCODE: 'char',
  STATUS: 'integer',
  STATUS_CHANGED_DATE: 'datetime',
  FAVORITE: 'char',
  GROUP_ID: 'integer',
  ACCOMPLICES: 'users',
  AUDITORS: 'users',
  UF_CRM_TASK: 'strings',
  TAGS: 'strings',
  UF_TASK_WEBDAV_FILES: 'strings',
};

const READ_ONLY = new Set([
  'ID',
  'CREATED_DATE',
  'CHANGED_BY',
  'CHANGED_DATE',
  'STATUS_CHANGED_BY',
  'STATUS_CHANGED_DATE',
  'CLOSED_BY',
  'CLOSED_DATE',
  'ACTIVITY_DATE',
  'GUID',
]);

/** Order keys tasks.task.list accepts (anything else: `{"error":"0"}` "Invalid sorting key"). */
export const TASK_SORT_KEYS = new Set([
  'ID',
  'TITLE',
  'TIME_SPENT_IN_LOGS',
  'DATE_START',
  'CREATED_DATE',
  'CHANGED_DATE',
  'CLOSED_DATE',
  'ACTIVITY_DATE',
  'START_DATE_PLAN',
  'END_DATE_PLAN',
  'DEADLINE',
  'REAL_STATUS',
  'STATUS',
  'STATUS_COMPLETE',
  'PRIORITY',
  'MARK',
  'CREATED_BY_LAST_NAME',
  'RESPONSIBLE_LAST_NAME',
  'GROUP_ID',
  'TIME_ESTIMATE',
  'ALLOW_CHANGE_DEADLINE',
  'ALLOW_TIME_TRACKING',
  'MATCH_WORK_TIME',
  'FAVORITE',
  'SORTING',
  'IS_PINNED',
  'IS_PINNED_IN_GROUP',
]);

/** Filter and order names that point at another stored field (`STATUS` is the meta-status, below). */
const ALIASES: Record<string, string> = { REAL_STATUS: 'STATUS', STATUS_COMPLETE: 'STATUS', ACCOMPLICE: 'ACCOMPLICES', AUDITOR: 'AUDITORS', TAG: 'TAGS' };

/** Who is looking, and when: the meta-status depends on both. */
export interface TaskViewer {
  userId: number;
  nowMs: number;
}

const ALMOST_OVERDUE_MS = 86_400_000;

/**
 * The meta-status (`subStatus`, and what `filter {STATUS}` matches; docs tasks-task-list.md): -1 overdue
 * (deadline passed, not completed or awaiting control), -3 almost overdue (deadline within a day), -2
 * not yet viewed by the caller (a new or pending task someone else created), else the real status.
 * A captured live list of `filter {STATUS: -1}` shows `status` "2", "3" and "6" with `subStatus` "-1"
 * [fb get_all_tasks.py].
 */
export function taskSubStatus(record: TaskRecord, viewer: TaskViewer): number {
  const status = Number(record.STATUS);
  if (status === 4 || status === 5 || (status === 7 && record.RESPONSIBLE_ID === viewer.userId)) return status;
  const deadline = record.DEADLINE;
  if (typeof deadline === 'number') {
    if (deadline < viewer.nowMs) return -1;
    if (deadline < viewer.nowMs + ALMOST_OVERDUE_MS) return -3;
  }
  const viewed = Array.isArray(record.VIEWED_BY) && (record.VIEWED_BY as number[]).includes(viewer.userId);
  if (!viewed && record.CREATED_BY !== viewer.userId && (status === 1 || status === 2)) return -2;
  return status;
}

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return value === undefined || value === null || value === '' ? [] : [value];
}

/** Writes `fields` (UPPER_CASE keys, any case accepted) into a task; unknown and read-only keys are ignored. */
export function storeTaskFields(record: TaskRecord, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    const name = key.toUpperCase();
    const kind = TASK_FIELDS[name];
    if (kind === undefined || READ_ONLY.has(name)) continue;
    if (kind === 'integer') record[name] = toInteger(value) ?? null;
    else if (kind === 'char') record[name] = toFlag(value);
    else if (kind === 'datetime') record[name] = value === '' || value === null ? null : (parseDateInput(value) ?? null);
    else if (kind === 'users')
      record[name] = listOf(value)
        .map((item) => toInteger(item))
        .filter((item): item is number => item !== undefined && item > 0);
    else if (kind === 'strings') record[name] = listOf(value).map(String);
    else record[name] = value === null || value === undefined ? null : String(value);
  }
}

function renderValue(kind: TaskKind, value: unknown): unknown {
  if (kind === 'users' || kind === 'strings') return ((value as unknown[] | undefined) ?? []).map(String);
  if (value === null || value === undefined) return null;
  if (kind === 'datetime') return phpIsoDate(value as number);
  return String(value);
}

function userCard(portal: PortalState, userId: unknown): Record<string, unknown> {
  const user = portal.users.get(Number(userId));
  return {
    id: String(userId ?? ''),
    name: user ? `${user.NAME} ${user.LAST_NAME}`.trim() : '',
    link: `/company/personal/user/${String(userId ?? '')}/`,
    icon: '/bitrix/images/tasks/default_avatar.png',
    workPosition: user?.WORK_POSITION ?? '',
  };
}

/** A task as tasks.task.* returns it; `names` are the UPPER_CASE fields to include. */
export function renderTask(portal: PortalState, record: TaskRecord, names: readonly string[], viewer: TaskViewer): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const name of names) {
    const kind = TASK_FIELDS[name];
    if (kind !== undefined) output[camelName(name)] = renderValue(kind, record[name]);
  }
  if (names.includes('STATUS')) output.subStatus = String(taskSubStatus(record, viewer));
  output.group = [];
  if (names.includes('CREATED_BY')) output.creator = userCard(portal, record.CREATED_BY);
  if (names.includes('RESPONSIBLE_ID')) output.responsible = userCard(portal, record.RESPONSIBLE_ID);
  return output;
}

/** Filter and order fields for one viewer: `STATUS` is the meta-status, `REAL_STATUS` the stored one. */
export function taskFieldResolver(viewer: TaskViewer): ResolveField<TaskRecord> {
  return (name) => {
    const upper = name.trim().toUpperCase();
    if (upper === 'STATUS') return { key: 'SUB_STATUS', read: (record) => taskSubStatus(record, viewer) };
    const stored = ALIASES[upper] ?? upper;
    if (TASK_FIELDS[stored] === undefined) return undefined;
    return { key: stored, read: (record) => record[stored] ?? null };
  };
}

/** A new task's stored defaults (v2 and v3 `tasks.task.add` alike), before the given fields are applied. */
export function newTaskRecord(creatorId: number): TaskRecord {
  return {
    ID: 0,
    PRIORITY: 1,
    STATUS: 2,
    STAGE_ID: 0,
    GROUP_ID: 0,
    PARENT_ID: null,
    CREATED_BY: creatorId,
    DESCRIPTION: '',
    MULTITASK: 'N',
    NOT_VIEWED: 'N',
    REPLICATE: 'N',
    ALLOW_CHANGE_DEADLINE: 'N',
    ALLOW_TIME_TRACKING: 'N',
    TASK_CONTROL: 'N',
    ADD_IN_REPORT: 'N',
    MATCH_WORK_TIME: 'N',
    DESCRIPTION_IN_BBCODE: 'Y',
    FAVORITE: 'N',
    SITE_ID: 's1',
    TIME_ESTIMATE: 0,
    ACCOMPLICES: [],
    AUDITORS: [],
    UF_CRM_TASK: [],
    TAGS: [],
  };
}
