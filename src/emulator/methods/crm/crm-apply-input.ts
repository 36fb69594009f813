/**
 * Writing caller input into a stored CRM record: legacy UPPER_CASE `fields` or crm.item camelCase
 * `fields`. Read-only fields are ignored as the portal ignores them (deal `LEAD_ID` on crm.deal.*,
 * `ID`, `DATE_CREATE`, `HAS_PHONE`...); unknown keys are ignored; `UF_*` custom fields are stored as given.
 */
import type { CrmRecord, MultifieldEntry } from '../../state/crm-state.ts';
import { RestError } from '../../types.ts';
import { isEmptyValue } from '../../list/compare-values.ts';
import type { CrmFieldDefinition } from './crm-field-definition.ts';
import type { CrmEntityType } from './crm-entity-types.ts';
import { setContactIds, setPrimaryContact } from './crm-contact-bindings.ts';
import { groupItemMultifields, mergeMultifield } from './crm-multifields.ts';
import { toStoredValue, userFieldUpperName } from './crm-values.ts';

function storeValue(record: CrmRecord, definition: CrmFieldDefinition, value: unknown, nextMultifieldId: () => number): void {
  if (definition.type === 'crm_multifield') {
    const existing = (record[definition.name] as MultifieldEntry[] | undefined) ?? [];
    const merged = mergeMultifield(existing, value, definition.name, nextMultifieldId);
    if (merged.length > 0) record[definition.name] = merged;
    else delete record[definition.name];
    return;
  }
  const stored = toStoredValue(definition, value);
  if (stored === null || (Array.isArray(stored) && stored.length === 0)) delete record[definition.name];
  else record[definition.name] = stored;
}

/** Contact binding values of one write, applied after the other fields. */
interface BindingWrite {
  ids?: unknown;
  primary?: unknown;
}

/**
 * One set of bindings whatever was written. Legacy methods: `CONTACT_IDS` wins over `CONTACT_ID`
 * (the primary is then the first of them); crm.item: `contactIds` sets the set, then `contactId`
 * names the primary (bound too when it was not).
 */
function applyBindings(type: CrmEntityType, record: CrmRecord, write: BindingWrite, legacy: boolean): void {
  const idsDefinition = type.fields.find((definition) => definition.binding === 'ids');
  const primaryDefinition = type.fields.find((definition) => definition.binding === 'primary');
  if (write.ids !== undefined && idsDefinition) setContactIds(record, toStoredValue(idsDefinition, write.ids) as number[]);
  if (write.primary !== undefined && primaryDefinition && !(legacy && write.ids !== undefined)) {
    setPrimaryContact(record, toStoredValue(primaryDefinition, write.primary) as number | null);
  }
}

function collectBinding(write: BindingWrite, definition: CrmFieldDefinition, value: unknown): void {
  if (definition.binding === 'ids') write.ids = value;
  else write.primary = value;
}

export function applyLegacyFields(type: CrmEntityType, record: CrmRecord, fields: Record<string, unknown>, nextMultifieldId: () => number): void {
  const bindings: BindingWrite = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith('UF_')) {
      record[key] = value;
      continue;
    }
    const definition = type.byName.get(key);
    if (!definition || definition.readOnly || definition.legacyReadOnly) continue;
    if (definition.binding) collectBinding(bindings, definition, value);
    else storeValue(record, definition, value, nextMultifieldId);
  }
  applyBindings(type, record, bindings, true);
}

export function applyItemFields(type: CrmEntityType, record: CrmRecord, fields: Record<string, unknown>, nextMultifieldId: () => number): void {
  const bindings: BindingWrite = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'fm') {
      for (const [typeId, entries] of groupItemMultifields(value)) {
        const definition = type.byName.get(typeId);
        if (definition?.type === 'crm_multifield') storeValue(record, definition, entries, nextMultifieldId);
      }
      continue;
    }
    if (key.startsWith('ufCrm') || key.startsWith('UF_CRM_')) {
      record[key.startsWith('UF_') ? key : userFieldUpperName(key)] = value;
      continue;
    }
    const definition = type.byItemName.get(key);
    if (!definition || definition.readOnly || definition.type === 'crm_multifield') continue;
    if (definition.binding) collectBinding(bindings, definition, value);
    else storeValue(record, definition, value, nextMultifieldId);
  }
  applyBindings(type, record, bindings, false);
}

/** Refuses a record missing a required field (company TITLE). */
export function checkRequiredFields(type: CrmEntityType, record: CrmRecord, code: string): void {
  for (const definition of type.fields) {
    if (definition.required && isEmptyValue(record[definition.name])) {
      throw new RestError(code, `The field "${definition.title}" is required.`);
    }
  }
}
