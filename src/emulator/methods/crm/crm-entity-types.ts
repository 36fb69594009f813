/**
 * The CRM object types the emulator serves (protocol.md §9): the four legacy entities with their
 * legacy method names and events, and the generic item types (quotes 7, smart invoices 31, smart
 * processes ≥ 128) that only `crm.item.*` reaches.
 */
import type { CrmRecord, CrmState } from '../../state/crm-state.ts';
import type { CrmFieldDefinition } from './crm-field-definition.ts';
import { companyFields, contactFields, dynamicItemFields } from './contact-company-fields.ts';
import { dealFields, dealSemantic, leadFields, leadSemantic } from './lead-deal-fields.ts';

export interface CrmEntityType {
  entityTypeId: number;
  /** Lower-case name used by legacy methods and timeline `ENTITY_TYPE` (`lead`, `deal`, `dynamic_128`). */
  code: string;
  /** Short code of binding values (`L_5`, `D_7`, `T80_6`). */
  shortCode: string;
  fields: CrmFieldDefinition[];
  byName: Map<string, CrmFieldDefinition>;
  byItemName: Map<string, CrmFieldDefinition>;
  /** Legacy field holding the stage (`STATUS_ID` for leads, `STAGE_ID` otherwise, '' for none). */
  stageField: string;
  /** Stored values a new record starts with. */
  defaults(): Record<string, unknown>;
  /** Keeps stored derived values in step after a write (CLOSED, DATE_CLOSED). */
  afterWrite(record: CrmRecord, nowMs: number): void;
  eventName(action: 'ADD' | 'UPDATE' | 'DELETE'): string;
  eventData(id: number): Record<string, unknown>;
  /** Legacy field names of the audit columns (they differ between legacy entities and items). */
  audit: { createdBy: string; updatedBy: string; created: string; updated: string; movedBy: string; movedTime: string };
}

const LEGACY_AUDIT = {
  createdBy: 'CREATED_BY_ID',
  updatedBy: 'MODIFY_BY_ID',
  created: 'DATE_CREATE',
  updated: 'DATE_MODIFY',
  movedBy: 'MOVED_BY_ID',
  movedTime: 'MOVED_TIME',
};

const ITEM_AUDIT = {
  createdBy: 'CREATED_BY',
  updatedBy: 'UPDATED_BY',
  created: 'CREATED_TIME',
  updated: 'UPDATED_TIME',
  movedBy: 'MOVED_BY',
  movedTime: 'MOVED_TIME',
};

function indexFields(fields: CrmFieldDefinition[]): Pick<CrmEntityType, 'fields' | 'byName' | 'byItemName'> {
  return {
    fields,
    byName: new Map(fields.map((definition) => [definition.name, definition])),
    byItemName: new Map(fields.map((definition) => [definition.itemName, definition])),
  };
}

function legacyType(
  entityTypeId: number,
  code: string,
  shortCode: string,
  fields: CrmFieldDefinition[],
  stageField: string,
  defaults: Record<string, unknown>,
  afterWrite: CrmEntityType['afterWrite'],
): CrmEntityType {
  const upper = code.toUpperCase();
  return {
    entityTypeId,
    code,
    shortCode,
    ...indexFields(fields),
    stageField,
    defaults: () => ({ ...defaults }),
    afterWrite,
    eventName: (action) => `ONCRM${upper}${action}`,
    eventData: (id) => ({ FIELDS: { ID: id } }),
    audit: LEGACY_AUDIT,
  };
}

const LEAD = legacyType(
  1,
  'lead',
  'L',
  leadFields(),
  'STATUS_ID',
  { STATUS_ID: 'NEW', OPENED: 'Y', CURRENCY_ID: 'USD', OPPORTUNITY: 0, IS_MANUAL_OPPORTUNITY: 'N' },
  (record, nowMs) => {
    if (leadSemantic(record.STATUS_ID) !== 'P') record.DATE_CLOSED ??= nowMs;
    else delete record.DATE_CLOSED;
  },
);

const DEAL = legacyType(
  2,
  'deal',
  'D',
  dealFields(),
  'STAGE_ID',
  { STAGE_ID: 'NEW', CATEGORY_ID: 0, OPENED: 'Y', CLOSED: 'N', CURRENCY_ID: 'USD', OPPORTUNITY: 0, IS_MANUAL_OPPORTUNITY: 'N' },
  (record) => {
    record.CLOSED = dealSemantic(record.STAGE_ID) === 'P' ? 'N' : 'Y';
  },
);

const CONTACT = legacyType(3, 'contact', 'C', contactFields(), '', { OPENED: 'Y', EXPORT: 'Y', TYPE_ID: 'CLIENT', SOURCE_ID: 'SELF' }, () => {});

const COMPANY = legacyType(
  4,
  'company',
  'CO',
  companyFields(),
  '',
  { OPENED: 'Y', COMPANY_TYPE: 'CUSTOMER', CURRENCY_ID: 'USD', IS_MY_COMPANY: 'N' },
  () => {},
);

export const LEGACY_ENTITY_TYPES: readonly CrmEntityType[] = [LEAD, DEAL, CONTACT, COMPANY];

const DYNAMIC_FIELDS = indexFields(dynamicItemFields());
const dynamicTypes = new Map<number, CrmEntityType>();

function dynamicType(entityTypeId: number): CrmEntityType {
  let type = dynamicTypes.get(entityTypeId);
  if (!type) {
    type = {
      entityTypeId,
      code: entityTypeId === 7 ? 'quote' : entityTypeId === 31 ? 'smart_invoice' : `dynamic_${entityTypeId}`,
      shortCode: entityTypeId === 7 ? 'Q' : entityTypeId === 31 ? 'SI' : `T${entityTypeId.toString(16)}`,
      ...DYNAMIC_FIELDS,
      stageField: 'STAGE_ID',
      defaults: () => ({ OPENED: 'N', CATEGORY_ID: 0, CURRENCY_ID: 'USD', OPPORTUNITY: 0, IS_MANUAL_OPPORTUNITY: 'N', STAGE_ID: `DT${entityTypeId}_0:NEW` }),
      afterWrite: () => {},
      eventName: (action) => `ONCRMDYNAMICITEM${action}`,
      eventData: (id) => ({ FIELDS: { ID: id, ENTITY_TYPE_ID: entityTypeId } }),
      audit: ITEM_AUDIT,
    };
    dynamicTypes.set(entityTypeId, type);
  }
  return type;
}

export type EntityTypeLookup = { type: CrmEntityType } | { error: 'NOT_SUPPORTED' | 'NOT_FOUND' };

/**
 * The entity type of an `entityTypeId`, as crm.item.* accepts it on this portal: the four legacy types,
 * quotes (7) and smart invoices (31) always; a smart process only once crm.type.add created it
 * (docs crm-item-add.md: 400 NOT_FOUND "Smart process not found" otherwise).
 */
export function findEntityType(crm: CrmState, entityTypeId: number): EntityTypeLookup {
  const legacy = LEGACY_ENTITY_TYPES.find((type) => type.entityTypeId === entityTypeId);
  if (legacy) return { type: legacy };
  if (entityTypeId === 5) return { error: 'NOT_SUPPORTED' };
  if (entityTypeId === 7 || entityTypeId === 31 || crm.smartType(entityTypeId) !== undefined) return { type: dynamicType(entityTypeId) };
  return { error: 'NOT_FOUND' };
}

export function legacyEntityType(code: string): CrmEntityType {
  const type = LEGACY_ENTITY_TYPES.find((candidate) => candidate.code === code);
  if (!type) throw new Error(`unknown legacy CRM entity ${code}`);
  return type;
}
