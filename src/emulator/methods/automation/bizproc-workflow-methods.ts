/**
 * Business processes (`bizproc.*`, scope `bizproc`; docs api-reference/bizproc) with real state:
 * a portal has two workflow templates (deal and lead approval, made on first use) whose first activity
 * asks the responsible user for approval, so a started workflow stays running with one task
 * (`bizproc.task.list`) until it is terminated (`bizproc.workflow.terminate`, state kept as
 * TERMINATED) or killed (`bizproc.workflow.kill`, instance and tasks removed). Running workflows are
 * listed by `bizproc.workflow.instances`. Robots: `bizproc-robot-methods.ts`.
 */
import { randomBytes } from 'node:crypto';
import { phpIsoDate } from '../../envelope.ts';
import { buildFilter, matchesFilter, type ResolveField } from '../../list/build-filter.ts';
import { readStart } from '../../list/parse-list-params.ts';
import type { PortalState } from '../../portal-state.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asList, asPhpArray, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

const TEMPLATES = 'bizproc.template';
const WORKFLOWS = 'bizproc.workflow';
const TASKS = 'bizproc.task';
const PAGE = 50;

const DOCUMENT_CLASSES: Readonly<Record<string, string>> = {
  CCrmDocumentDeal: 'DEAL',
  CCrmDocumentLead: 'LEAD',
  CCrmDocumentContact: 'CONTACT',
  CCrmDocumentCompany: 'COMPANY',
};
/** CRM entityTypeId of each document type. */
const ENTITY_TYPE_IDS: Readonly<Record<string, number>> = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4 };

function templates(portal: PortalState) {
  const table = portal.genericTable(TEMPLATES);
  if (table.size === 0) {
    const add = (name: string, entity: string, type: string): void => {
      const id = table.allocateId();
      table.insert(id, {
        ID: id,
        MODULE_ID: 'crm',
        ENTITY: entity,
        DOCUMENT_TYPE: ['crm', entity, type],
        AUTO_EXECUTE: 0,
        NAME: name,
        DESCRIPTION: '',
        PARAMETERS: [],
        USER_ID: 1,
        SYSTEM_CODE: '',
      });
    };
    add('Deal approval', 'CCrmDocumentDeal', 'DEAL');
    add('Lead approval', 'CCrmDocumentLead', 'LEAD');
  }
  return table;
}

function param(call: MethodCall, name: string): unknown {
  return pickParamAnyCase(call.params, name);
}

function upperResolver(aliases: Readonly<Record<string, string>>): ResolveField<GenericRecord> {
  return (name) => {
    const key = aliases[name.toUpperCase()] ?? name.toUpperCase();
    return { key, read: (row) => (Array.isArray(row[key]) ? (row[key] as unknown[]).join('|') : ((row[key] ?? null) as string | number | null)) };
  };
}

/** SELECT/FILTER/ORDER (upper or lower case), `start` paging, only the selected fields. */
function listRows(
  call: MethodCall,
  rows: GenericRecord[],
  render: (row: GenericRecord) => Record<string, unknown>,
  defaultSelect: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): MethodResult {
  const filter = buildFilter(param(call, 'FILTER'), upperResolver(aliases));
  const matching = rows.filter((row) => matchesFilter(row, filter));
  const order = asPhpArray(param(call, 'ORDER'));
  if (order) {
    for (const [field, direction] of Object.entries(order).reverse()) {
      const key = aliases[field.toUpperCase()] ?? field.toUpperCase();
      const sign = textOf(direction).toUpperCase() === 'DESC' ? -1 : 1;
      matching.sort((left, right) => (String(left[key]) < String(right[key]) ? -sign : String(left[key]) > String(right[key]) ? sign : 0));
    }
  }
  const select = asList(param(call, 'SELECT')).map((field) => textOf(field).toUpperCase());
  const wanted = select.length === 0 ? defaultSelect : ['ID', ...select.filter((field) => field !== 'ID')];
  const start = Math.max(0, readStart(param(call, 'start')));
  const page = matching.slice(start, start + PAGE).map((row) => {
    const rendered = render(row);
    return Object.fromEntries(wanted.filter((field) => field in rendered).map((field) => [field, rendered[field]]));
  });
  const result: MethodResult = { result: page, total: matching.length };
  if (start + PAGE < matching.length) result.next = start + PAGE;
  return result;
}

function listTemplates(call: MethodCall): MethodResult {
  const rows = [...templates(call.portal).values()];
  return listRows(call, rows, (row) => ({ ...row, ID: String(row.ID), USER_ID: String(row.USER_ID) }), ['ID']);
}

function readDocumentId(call: MethodCall): string[] {
  const raw = param(call, 'DOCUMENT_ID');
  const parts = asList(raw).map((part) => textOf(part));
  if (parts.length !== 3 || parts.some((part) => part === '')) throw new RestError('ERROR_WRONG_DOCUMENT_ID', 'Wrong document ID');
  return parts;
}

function start(call: MethodCall): MethodResult {
  const templateId = positiveInteger(param(call, 'TEMPLATE_ID'));
  if (templateId === undefined) throw new RestError('ERROR_TEMPLATE_ID', 'Empty TEMPLATE_ID');
  const template = templates(call.portal).get(templateId);
  if (!template) throw new RestError('ERROR_TEMPLATE_NOT_FOUND', 'Template not found');
  const [moduleId, entity, documentId] = readDocumentId(call) as [string, string, string];
  if (moduleId !== template.MODULE_ID || entity !== template.ENTITY) throw new RestError('ERROR_WRONG_DOCUMENT_ID', 'Wrong document ID');
  const typeName = DOCUMENT_CLASSES[entity];
  const match = /^([A-Z]+)_(\d+)$/.exec(documentId);
  if (!typeName || !match || match[1] !== typeName) throw new RestError('ERROR_WRONG_DOCUMENT_ID', 'Wrong document ID');
  const recordId = Number(match[2]);
  if (!call.portal.crm.table(ENTITY_TYPE_IDS[typeName] ?? 0).get(recordId)) throw new RestError('ERROR_DOCUMENT_NOT_FOUND', 'Document not found');
  const id = `${randomBytes(7).toString('hex')}.${String(call.nowMs % 100_000_000).padStart(8, '0')}`;
  const parameters = asPhpArray(param(call, 'PARAMETERS')) ?? {};
  const workflows = call.portal.genericTable(WORKFLOWS);
  const rowId = workflows.allocateId();
  workflows.insert(rowId, {
    ID: rowId,
    WORKFLOW_ID: id,
    MODIFIED: call.nowMs,
    OWNED_UNTIL: null,
    MODULE_ID: moduleId,
    ENTITY: entity,
    DOCUMENT_ID: documentId,
    STARTED: call.nowMs,
    STARTED_BY: call.auth.userId,
    TEMPLATE_ID: templateId,
    STATE: 'InProgress',
    PARAMETERS: parameters,
  });
  const tasks = call.portal.genericTable(TASKS);
  const taskId = tasks.allocateId();
  tasks.insert(taskId, {
    ID: taskId,
    WORKFLOW_ID: id,
    DOCUMENT_NAME: `${typeName[0]}${typeName.slice(1).toLowerCase()} #${recordId}`,
    NAME: `Approve: ${template.NAME}`,
    DESCRIPTION: '',
    MODIFIED: call.nowMs,
    WORKFLOW_STARTED: call.nowMs,
    WORKFLOW_STARTED_BY: call.auth.userId,
    WORKFLOW_TEMPLATE_ID: templateId,
    WORKFLOW_TEMPLATE_NAME: template.NAME,
    STATUS: 0,
    USER_ID: call.auth.userId,
    USER_STATUS: 0,
    MODULE_ID: moduleId,
    ENTITY: entity,
    DOCUMENT_ID: documentId,
    ACTIVITY: 'ApproveActivity',
  });
  return { result: id };
}

function findWorkflow(call: MethodCall): GenericRecord {
  const id = textOf(param(call, 'ID')).trim();
  if (id === '') throw new RestError('ERROR_WRONG_WORKFLOW_ID', 'Empty workflow instance ID');
  const workflow = [...call.portal.genericTable(WORKFLOWS).values()].find((row) => row.WORKFLOW_ID === id);
  if (!workflow) throw new RestError('ERROR_WRONG_WORKFLOW_ID', 'Workflow instance not found');
  return workflow;
}

function closeTasks(portal: PortalState, workflowId: unknown, remove: boolean): void {
  const tasks = portal.genericTable(TASKS);
  for (const task of [...tasks.values()]) {
    if (task.WORKFLOW_ID !== workflowId) continue;
    if (remove) tasks.delete(task.ID);
    else tasks.insert(task.ID, { ...task, STATUS: 4, USER_STATUS: 0 });
  }
}

function terminate(call: MethodCall): MethodResult {
  const workflow = findWorkflow(call);
  if (workflow.STATE !== 'InProgress') throw new RestError('ERROR_WRONG_WORKFLOW_ID', 'Workflow instance not found');
  call.portal
    .genericTable(WORKFLOWS)
    .insert(workflow.ID, { ...workflow, STATE: 'Terminated', STATUS_TEXT: textOf(param(call, 'STATUS')), MODIFIED: call.nowMs });
  closeTasks(call.portal, workflow.WORKFLOW_ID, false);
  return { result: true };
}

function kill(call: MethodCall): MethodResult {
  const workflow = findWorkflow(call);
  call.portal.genericTable(WORKFLOWS).delete(workflow.ID);
  closeTasks(call.portal, workflow.WORKFLOW_ID, true);
  return { result: true };
}

function instances(call: MethodCall): MethodResult {
  const running = [...call.portal.genericTable(WORKFLOWS).values()].filter((row) => row.STATE === 'InProgress');
  return listRows(
    call,
    running,
    (row) => ({
      ID: row.WORKFLOW_ID,
      MODIFIED: phpIsoDate(Number(row.MODIFIED)),
      OWNED_UNTIL: row.OWNED_UNTIL,
      MODULE_ID: row.MODULE_ID,
      ENTITY: row.ENTITY,
      DOCUMENT_ID: row.DOCUMENT_ID,
      STARTED: phpIsoDate(Number(row.STARTED)),
      STARTED_BY: String(row.STARTED_BY),
      TEMPLATE_ID: String(row.TEMPLATE_ID),
    }),
    ['ID', 'MODIFIED', 'OWNED_UNTIL'],
    { ID: 'WORKFLOW_ID' },
  );
}

function taskList(call: MethodCall): MethodResult {
  const own = [...call.portal.genericTable(TASKS).values()].filter((task) => call.auth.isAdmin || task.USER_ID === call.auth.userId);
  return listRows(
    call,
    own,
    (task) => ({
      ...task,
      ID: String(task.ID),
      MODIFIED: phpIsoDate(Number(task.MODIFIED)),
      WORKFLOW_STARTED: phpIsoDate(Number(task.WORKFLOW_STARTED)),
      WORKFLOW_STARTED_BY: String(task.WORKFLOW_STARTED_BY),
      WORKFLOW_TEMPLATE_ID: String(task.WORKFLOW_TEMPLATE_ID),
      STATUS: String(task.STATUS),
      USER_ID: String(task.USER_ID),
      USER_STATUS: String(task.USER_STATUS),
      DOCUMENT_ID: [task.MODULE_ID, task.ENTITY, task.DOCUMENT_ID],
    }),
    ['ID', 'WORKFLOW_ID', 'DOCUMENT_NAME', 'NAME'],
  );
}

export function bizprocMethods(): MethodSpec[] {
  return [
    { name: 'bizproc.workflow.template.list', scope: 'bizproc', kind: 'read', handler: listTemplates },
    { name: 'bizproc.workflow.start', scope: 'bizproc', kind: 'write', handler: start },
    { name: 'bizproc.workflow.instances', scope: 'bizproc', kind: 'read', handler: instances },
    { name: 'bizproc.workflow.terminate', scope: 'bizproc', kind: 'write', handler: terminate },
    { name: 'bizproc.workflow.kill', scope: 'bizproc', kind: 'write', handler: kill },
    { name: 'bizproc.task.list', scope: 'bizproc', kind: 'read', handler: taskList },
  ];
}
