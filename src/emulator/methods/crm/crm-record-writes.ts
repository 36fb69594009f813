/**
 * Creating, changing and deleting CRM records, shared by the legacy methods and crm.item.*: the
 * portal sets the audit columns (who, when), stage moves, derived values, and offers each change to
 * the offline-event bindings (ONCRMLEADADD, ONCRMDEALUPDATE, ONCRMDYNAMICITEMDELETE...).
 */
import type { PortalState } from '../../portal-state.ts';
import type { CrmRecord } from '../../state/crm-state.ts';
import type { MethodCall } from '../../types.ts';
import { authConnectorOf } from '../read-params.ts';
import { readBindings, removeContactBinding } from './crm-contact-bindings.ts';
import type { CrmEntityType } from './crm-entity-types.ts';

export interface WriteContext {
  portal: PortalState;
  userId: number;
  nowMs: number;
  authConnector: string;
}

export function writeContextOf(call: MethodCall): WriteContext {
  return { portal: call.portal, userId: call.auth.userId, nowMs: call.nowMs, authConnector: authConnectorOf(call) };
}

function emit(context: WriteContext, type: CrmEntityType, action: 'ADD' | 'UPDATE' | 'DELETE', id: number): void {
  context.portal.emitEvent(type.eventName(action), type.eventData(id), {
    userId: context.userId,
    authConnector: context.authConnector,
    nowMs: context.nowMs,
  });
}

/** `apply` writes the caller's fields (it may throw a RestError: nothing is stored then). */
export function createCrmRecord(context: WriteContext, type: CrmEntityType, apply: (record: CrmRecord) => void): CrmRecord {
  const record: CrmRecord = { ID: 0, ...type.defaults() };
  apply(record);
  if (type.byName.has('ASSIGNED_BY_ID') && record.ASSIGNED_BY_ID === undefined) record.ASSIGNED_BY_ID = context.userId;
  const audit = type.audit;
  record[audit.createdBy] = context.userId;
  record[audit.updatedBy] = context.userId;
  record[audit.created] = context.nowMs;
  record[audit.updated] = context.nowMs;
  if (type.stageField !== '') {
    record[audit.movedBy] = context.userId;
    record[audit.movedTime] = context.nowMs;
  }
  type.afterWrite(record, context.nowMs);
  const table = context.portal.crm.table(type.entityTypeId);
  record.ID = table.allocateId();
  table.insert(record.ID, record);
  emit(context, type, 'ADD', record.ID);
  return record;
}

export function updateCrmRecord(context: WriteContext, type: CrmEntityType, current: CrmRecord, apply: (record: CrmRecord) => void): CrmRecord {
  const next: CrmRecord = { ...current };
  apply(next);
  const audit = type.audit;
  next[audit.updatedBy] = context.userId;
  next[audit.updated] = context.nowMs;
  if (type.stageField !== '' && next[type.stageField] !== current[type.stageField]) {
    next[audit.movedBy] = context.userId;
    next[audit.movedTime] = context.nowMs;
    if (type.byName.has('PREVIOUS_STAGE_ID')) next.PREVIOUS_STAGE_ID = current[type.stageField];
  }
  type.afterWrite(next, context.nowMs);
  context.portal.crm.table(type.entityTypeId).insert(next.ID, next);
  emit(context, type, 'UPDATE', next.ID);
  return next;
}

/** Deleting a contact removes it from every deal's and lead's bindings, as the portal does. */
function unbindContact(context: WriteContext, contactId: number): void {
  for (const ownerTypeId of [1, 2]) {
    const table = context.portal.crm.table(ownerTypeId);
    for (const record of table.values()) {
      if (!readBindings(record).some((binding) => binding.CONTACT_ID === contactId)) continue;
      const next: CrmRecord = { ...record };
      removeContactBinding(next, contactId);
      table.insert(next.ID, next);
    }
  }
}

export function deleteCrmRecord(context: WriteContext, type: CrmEntityType, id: number): void {
  context.portal.crm.table(type.entityTypeId).delete(id);
  if (type.entityTypeId === 3) unbindContact(context, id);
  emit(context, type, 'DELETE', id);
}
