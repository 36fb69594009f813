/**
 * Scrum (`tasks.api.scrum.*`, scope `task`; docs api-reference/sonet-group/scrum) with real state.
 * A workgroup is a scrum when SCRUM_MASTER_ID is set; its backlog is made on first use. Sprints go
 * planned → active (`sprint.start`: one active sprint per group; the sprint gets the kanban stages
 * New, In Progress, Done) → completed (`sprint.complete`: tasks not in the Done stage go back to the
 * backlog). Tasks join scrum through `tasks.api.scrum.task.update` (entityId: the backlog or a sprint,
 * storyPoints, epicId) and a sprint's kanban through `kanban.addTask`. Errors come as the docs show
 * them: code `0` with a text (`Sprint not found`), `100` for a missing `fields`.
 * Records answer in camelCase with integer ids; kanban stages with string values.
 */
import { phpIsoDate } from '../../envelope.ts';
import type { PortalState } from '../../portal-state.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asPhpArray, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';
import { readStart } from '../../list/parse-list-params.ts';

const ENTITIES = 'scrum.entity';
const ITEMS = 'scrum.item';
const STAGES = 'scrum.stage';
const EPICS = 'scrum.epic';
const PAGE = 50;

function fail(text: string, code = '0'): RestError {
  return new RestError(code, text);
}

function param(call: MethodCall, name: string): unknown {
  return pickParamAnyCase(call.params, name);
}

function readFields(call: MethodCall): Record<string, unknown> {
  const fields = param(call, 'fields');
  if (fields === undefined) throw fail('Could not find value for parameter {fields}', '100');
  const object = asPhpArray(fields);
  if (!object) throw fail(`Invalid value ${textOf(fields)} to match with parameter {fields}. Should be value of type array`, '100');
  return object;
}

function scrumGroup(portal: PortalState, groupId: number | undefined): GenericRecord {
  const group = groupId === undefined ? undefined : portal.genericTable('sonet_group').get(groupId);
  if (!group || positiveInteger(group.SCRUM_MASTER_ID) === undefined) throw fail('Access denied');
  return group;
}

function backlogOf(portal: PortalState, groupId: number): GenericRecord {
  const entities = portal.genericTable(ENTITIES);
  const found = [...entities.values()].find((entity) => entity.GROUP_ID === groupId && entity.ENTITY_TYPE === 'backlog');
  if (found) return found;
  const id = entities.allocateId();
  const backlog: GenericRecord = { ID: id, GROUP_ID: groupId, ENTITY_TYPE: 'backlog', NAME: '', CREATED_BY: 1, MODIFIED_BY: 1, SORT: 0 };
  entities.insert(id, backlog);
  return backlog;
}

function sprintOf(call: MethodCall, name = 'id'): GenericRecord {
  const raw = param(call, name);
  if (raw === undefined || textOf(raw) === '') throw fail('Sprint id not found');
  const sprint = call.portal.genericTable(ENTITIES).get(positiveInteger(raw) ?? 0);
  if (sprint?.ENTITY_TYPE !== 'sprint') throw fail('Sprint not found');
  return sprint;
}

function readDate(value: unknown, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = textOf(value);
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (Number.isNaN(ms)) throw fail(`Incorrect ${field} format`);
  return ms;
}

function renderSprint(sprint: GenericRecord): Record<string, unknown> {
  return {
    id: sprint.ID,
    groupId: sprint.GROUP_ID,
    entityType: 'sprint',
    name: sprint.NAME,
    goal: sprint.GOAL ?? '',
    sort: sprint.SORT,
    createdBy: sprint.CREATED_BY,
    modifiedBy: sprint.MODIFIED_BY,
    dateStart: sprint.DATE_START === undefined ? null : phpIsoDate(Number(sprint.DATE_START)),
    dateEnd: sprint.DATE_END === undefined ? null : phpIsoDate(Number(sprint.DATE_END)),
    status: sprint.STATUS,
  };
}

function addSprint(call: MethodCall): MethodResult {
  const fields = readFields(call);
  const group = scrumGroup(call.portal, positiveInteger(fields.groupId));
  const name = textOf(fields.name).trim();
  if (name === '') throw fail('Sprint not created');
  const status = textOf(fields.status) || 'planned';
  if (!['planned', 'active', 'completed'].includes(status)) throw fail('Sprint not created');
  const createdBy = positiveInteger(fields.createdBy) ?? call.auth.userId;
  if (!call.portal.users.has(createdBy)) throw fail('createdBy user not found');
  const dateStart = readDate(fields.dateStart, 'dateStart') ?? call.nowMs;
  const dateEnd = readDate(fields.dateEnd, 'dateEnd') ?? dateStart + 14 * 86_400_000;
  backlogOf(call.portal, group.ID);
  const entities = call.portal.genericTable(ENTITIES);
  const id = entities.allocateId();
  const sprint: GenericRecord = {
    ID: id,
    GROUP_ID: group.ID,
    ENTITY_TYPE: 'sprint',
    NAME: name,
    SORT: positiveInteger(fields.sort) ?? 0,
    CREATED_BY: createdBy,
    MODIFIED_BY: createdBy,
    DATE_START: dateStart,
    DATE_END: dateEnd,
    STATUS: 'planned',
  };
  entities.insert(id, sprint);
  if (status === 'active') activate(call, sprint);
  return { result: renderSprint(entities.get(id) ?? sprint) };
}

function activate(call: MethodCall, sprint: GenericRecord): GenericRecord {
  const entities = call.portal.genericTable(ENTITIES);
  if ([...entities.values()].some((other) => other.GROUP_ID === sprint.GROUP_ID && other.ENTITY_TYPE === 'sprint' && other.STATUS === 'active')) {
    throw fail('It is not possible to start a sprint while another one is active');
  }
  const stages = call.portal.genericTable(STAGES);
  for (const [sort, name, type, color] of [
    [100, 'New', 'NEW', '00C4FB'],
    [200, 'In Progress', 'WORK', '47D1E2'],
    [300, 'Done', 'FINISH', '75D900'],
  ] as const) {
    const id = stages.allocateId();
    stages.insert(id, { ID: id, SPRINT_ID: sprint.ID, NAME: name, SORT: sort, TYPE: type, COLOR: color });
  }
  const started: GenericRecord = { ...sprint, STATUS: 'active', MODIFIED_BY: call.auth.userId };
  entities.insert(sprint.ID, started);
  return started;
}

function startSprint(call: MethodCall): MethodResult {
  const sprint = sprintOf(call);
  if (sprint.STATUS !== 'planned') throw fail('Sprint not started');
  return { result: renderSprint(activate(call, sprint)) };
}

function completeSprint(call: MethodCall): MethodResult {
  const sprint = sprintOf(call);
  if (sprint.STATUS !== 'active') throw fail('Sprint not completed');
  const backlog = backlogOf(call.portal, Number(sprint.GROUP_ID));
  const stages = call.portal.genericTable(STAGES);
  const finish = [...stages.values()].find((stage) => stage.SPRINT_ID === sprint.ID && stage.TYPE === 'FINISH');
  const items = call.portal.genericTable(ITEMS);
  for (const item of [...items.values()]) {
    if (item.ENTITY_ID !== sprint.ID) continue;
    if (finish !== undefined && item.STAGE_ID === finish.ID) continue;
    items.insert(item.ID, { ...item, ENTITY_ID: backlog.ID, STAGE_ID: null });
  }
  const completed: GenericRecord = { ...sprint, STATUS: 'completed', DATE_END: call.nowMs, MODIFIED_BY: call.auth.userId };
  call.portal.genericTable(ENTITIES).insert(sprint.ID, completed);
  return { result: renderSprint(completed) };
}

/** Rows filtered by `filter` (camelCase or UPPER_CASE keys, exact values), paged by `start`. */
function pageOf(call: MethodCall, rows: Array<Record<string, unknown>>): MethodResult {
  const filter = asPhpArray(param(call, 'filter')) ?? {};
  const normalize = (key: string): string => key.replace(/_/g, '').toLowerCase();
  const matching = rows.filter((row) =>
    Object.entries(filter).every(([key, wanted]) => {
      const field = Object.keys(row).find((candidate) => normalize(candidate) === normalize(key));
      return field !== undefined && String(row[field]) === textOf(wanted);
    }),
  );
  const start = Math.max(0, readStart(param(call, 'start')));
  const result: MethodResult = { result: matching.slice(start, start + PAGE), total: matching.length };
  if (start + PAGE < matching.length) result.next = start + PAGE;
  return result;
}

function listSprints(call: MethodCall): MethodResult {
  const sprints = [...call.portal.genericTable(ENTITIES).values()].filter((entity) => entity.ENTITY_TYPE === 'sprint').map(renderSprint);
  return pageOf(call, sprints);
}

function getStages(call: MethodCall): MethodResult {
  const sprint = sprintOf(call, 'sprintId');
  const stages = [...call.portal.genericTable(STAGES).values()].filter((stage) => stage.SPRINT_ID === sprint.ID);
  return {
    result: stages.map((stage) => ({
      id: String(stage.ID),
      name: stage.NAME,
      sort: String(stage.SORT),
      type: stage.TYPE,
      sprintId: String(sprint.ID),
      color: stage.COLOR,
    })),
  };
}

function getBacklog(call: MethodCall): MethodResult {
  const groupId = positiveInteger(param(call, 'id'));
  if (groupId === undefined) throw fail('Group id not found');
  const group = call.portal.genericTable('sonet_group').get(groupId);
  if (!group) throw fail('Backlog not found');
  if (positiveInteger(group.SCRUM_MASTER_ID) === undefined) throw fail('Access denied');
  const backlog = backlogOf(call.portal, groupId);
  return { result: { id: backlog.ID, groupId, createdBy: backlog.CREATED_BY, modifiedBy: backlog.MODIFIED_BY } };
}

function taskOf(call: MethodCall, name: string): { taskId: number; groupId: number } {
  const taskId = positiveInteger(param(call, name));
  const task = taskId === undefined ? undefined : call.portal.tasks.get(taskId);
  if (!task || taskId === undefined) throw fail('Task not found');
  return { taskId, groupId: positiveInteger(task.GROUP_ID) ?? 0 };
}

function itemOf(portal: PortalState, taskId: number): GenericRecord | undefined {
  return [...portal.genericTable(ITEMS).values()].find((item) => item.TASK_ID === taskId);
}

function updateTask(call: MethodCall): MethodResult {
  const { taskId, groupId } = taskOf(call, 'id');
  const fields = readFields(call);
  const group = scrumGroup(call.portal, groupId);
  const entityId = positiveInteger(fields.entityId) ?? backlogOf(call.portal, group.ID).ID;
  const entity = call.portal.genericTable(ENTITIES).get(entityId);
  if (!entity || entity.GROUP_ID !== group.ID || entity.STATUS === 'completed') throw fail('Item not created');
  const epicId = fields.epicId === undefined ? undefined : positiveInteger(fields.epicId);
  if (fields.epicId !== undefined && fields.epicId !== '' && fields.epicId !== 0 && (epicId === undefined || !call.portal.genericTable(EPICS).get(epicId)))
    throw fail('Epic not found');
  const items = call.portal.genericTable(ITEMS);
  const current = itemOf(call.portal, taskId);
  const id = current?.ID ?? items.allocateId();
  const next: GenericRecord = {
    ID: id,
    TASK_ID: taskId,
    STAGE_ID: current?.ENTITY_ID === entityId ? (current.STAGE_ID ?? null) : null,
    STORY_POINTS: fields.storyPoints === undefined ? (current?.STORY_POINTS ?? '') : textOf(fields.storyPoints),
    EPIC_ID: epicId ?? current?.EPIC_ID ?? 0,
    SORT: positiveInteger(fields.sort) ?? current?.SORT ?? 0,
    ENTITY_ID: entityId,
  };
  if (current?.PENDING_STAGE !== undefined && current.PENDING_SPRINT === entityId) next.STAGE_ID = current.PENDING_STAGE;
  items.insert(id, next);
  return { result: true };
}

function getTask(call: MethodCall): MethodResult {
  const { taskId } = taskOf(call, 'id');
  const item = itemOf(call.portal, taskId);
  if (!item) throw fail('Task not found');
  return { result: { entityId: item.ENTITY_ID, storyPoints: item.STORY_POINTS, epicId: item.EPIC_ID, sort: item.SORT, createdBy: 1, modifiedBy: 1 } };
}

function addKanbanTask(call: MethodCall): MethodResult {
  const sprint = sprintOf(call, 'sprintId');
  const { taskId, groupId } = taskOf(call, 'taskId');
  if (groupId !== sprint.GROUP_ID) throw fail('Access denied');
  const stageId = positiveInteger(param(call, 'stageId'));
  const stage = stageId === undefined ? undefined : call.portal.genericTable(STAGES).get(stageId);
  if (!stage || stage.SPRINT_ID !== sprint.ID) throw fail('Stage not found');
  const items = call.portal.genericTable(ITEMS);
  const current = itemOf(call.portal, taskId);
  if (current?.ENTITY_ID === sprint.ID) items.insert(current.ID, { ...current, STAGE_ID: stage.ID });
  else {
    // The task joins the sprint's board; it enters the sprint itself with tasks.api.scrum.task.update.
    const id = current?.ID ?? items.allocateId();
    items.insert(id, {
      ...(current ?? { ID: id, TASK_ID: taskId, ENTITY_ID: backlogOf(call.portal, groupId).ID, STAGE_ID: null, STORY_POINTS: '', EPIC_ID: 0, SORT: 0 }),
      PENDING_SPRINT: sprint.ID,
      PENDING_STAGE: stage.ID,
    });
  }
  return { result: true };
}

function renderEpic(epic: GenericRecord): Record<string, unknown> {
  return {
    id: epic.ID,
    groupId: epic.GROUP_ID,
    name: epic.NAME,
    description: epic.DESCRIPTION,
    createdBy: epic.CREATED_BY,
    modifiedBy: epic.MODIFIED_BY,
    color: epic.COLOR,
  };
}

function addEpic(call: MethodCall): MethodResult {
  const fields = readFields(call);
  const group = scrumGroup(call.portal, positiveInteger(fields.groupId));
  const name = textOf(fields.name).trim();
  if (name === '') throw fail('Epic not created');
  const epics = call.portal.genericTable(EPICS);
  const id = epics.allocateId();
  const epic: GenericRecord = {
    ID: id,
    GROUP_ID: group.ID,
    NAME: name,
    DESCRIPTION: textOf(fields.description),
    CREATED_BY: call.auth.userId,
    MODIFIED_BY: call.auth.userId,
    COLOR: textOf(fields.color) || '#69dafc',
  };
  epics.insert(id, epic);
  return { result: renderEpic(epic) };
}

function listEpics(call: MethodCall): MethodResult {
  return pageOf(call, [...call.portal.genericTable(EPICS).values()].map(renderEpic));
}

export function scrumMethods(): MethodSpec[] {
  return [
    { name: 'tasks.api.scrum.sprint.add', scope: 'task', kind: 'write', handler: addSprint },
    { name: 'tasks.api.scrum.sprint.start', scope: 'task', kind: 'write', handler: startSprint },
    { name: 'tasks.api.scrum.sprint.complete', scope: 'task', kind: 'write', handler: completeSprint },
    { name: 'tasks.api.scrum.sprint.get', scope: 'task', kind: 'read', handler: (call) => ({ result: renderSprint(sprintOf(call)) }) },
    { name: 'tasks.api.scrum.sprint.list', scope: 'task', kind: 'read', handler: listSprints },
    { name: 'tasks.api.scrum.kanban.getstages', scope: 'task', kind: 'read', handler: getStages },
    { name: 'tasks.api.scrum.kanban.addtask', scope: 'task', kind: 'write', handler: addKanbanTask },
    { name: 'tasks.api.scrum.backlog.get', scope: 'task', kind: 'read', handler: getBacklog },
    { name: 'tasks.api.scrum.task.update', scope: 'task', kind: 'write', handler: updateTask },
    { name: 'tasks.api.scrum.task.get', scope: 'task', kind: 'read', handler: getTask },
    { name: 'tasks.api.scrum.epic.add', scope: 'task', kind: 'write', handler: addEpic },
    { name: 'tasks.api.scrum.epic.list', scope: 'task', kind: 'read', handler: listEpics },
  ];
}
