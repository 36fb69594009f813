/**
 * Turning stored CRM records into answers, with `select` as protocol.md §5 describes it. Legacy:
 * `*` = every system field except multifields and UF_*; `UF_*` = custom fields; multifields only when
 * named; ID always. crm.item: field names or `*`; `fm` only with `*`; `id` always.
 */
import type { CrmRecord, MultifieldEntry } from '../../state/crm-state.ts';
import { asList } from '../read-params.ts';
import type { CrmFieldDefinition } from './crm-field-definition.ts';
import type { CrmEntityType } from './crm-entity-types.ts';
import { renderFlatMultifields, renderItemMultifields } from './crm-multifields.ts';
import { readStoredValue, renderItemValue, renderLegacyValue, userFieldItemName, userFieldUpperName } from './crm-values.ts';

export interface CrmSelection {
  fields: CrmFieldDefinition[];
  /** Every custom field (`UF_*`, or the full record). */
  allUserFields: boolean;
  /** Custom fields named one by one (UPPER names). */
  userFields: string[];
  /** crm.item: include `fm` and `entityTypeId`. */
  full: boolean;
}

export function fullSelection(type: CrmEntityType): CrmSelection {
  return { fields: type.fields, allUserFields: true, userFields: [], full: true };
}

export function legacySelection(type: CrmEntityType, select: unknown): CrmSelection {
  const names = asList(select).map((name) => String(name).toUpperCase());
  if (names.length === 0) names.push('*');
  const wanted = new Set<CrmFieldDefinition>();
  const selection: CrmSelection = { fields: [], allUserFields: false, userFields: [], full: false };
  for (const name of names) {
    if (name === '*') for (const definition of type.fields) if (!definition.hiddenFromStar) wanted.add(definition);
    if (name === 'UF_*') selection.allUserFields = true;
    else if (name.startsWith('UF_')) selection.userFields.push(name);
    const definition = type.byName.get(name);
    if (definition) wanted.add(definition);
  }
  wanted.add(type.byName.get('ID') as CrmFieldDefinition);
  selection.fields = type.fields.filter((definition) => wanted.has(definition));
  return selection;
}

export function itemSelection(type: CrmEntityType, select: unknown): CrmSelection {
  const names = asList(select).map(String);
  if (names.length === 0 || names.includes('*')) return { ...fullSelection(type) };
  const wanted = new Set<CrmFieldDefinition>([type.byName.get('ID') as CrmFieldDefinition]);
  const selection: CrmSelection = { fields: [], allUserFields: false, userFields: [], full: false };
  for (const name of names) {
    if (name.startsWith('ufCrm') || name.startsWith('UF_CRM_')) selection.userFields.push(name.startsWith('UF_') ? name : userFieldUpperName(name));
    const definition = type.byItemName.get(name);
    if (definition && definition.type !== 'crm_multifield') wanted.add(definition);
  }
  selection.fields = type.fields.filter((definition) => wanted.has(definition));
  return selection;
}

function userFieldNames(record: CrmRecord, selection: CrmSelection): string[] {
  if (selection.allUserFields) return Object.keys(record).filter((key) => key.startsWith('UF_'));
  return selection.userFields;
}

export function renderLegacyRecord(record: CrmRecord, selection: CrmSelection, includeFilledMultifields = false): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const definition of selection.fields) {
    if (definition.type === 'crm_multifield') {
      const entries = (record[definition.name] as MultifieldEntry[] | undefined) ?? [];
      if (entries.length > 0 || !includeFilledMultifields) output[definition.name] = renderLegacyValue(definition, entries);
      continue;
    }
    output[definition.name] = renderLegacyValue(definition, readStoredValue(record, definition));
  }
  for (const name of userFieldNames(record, selection)) output[name] = record[name] ?? null;
  return output;
}

export function renderItemRecord(type: CrmEntityType, record: CrmRecord, selection: CrmSelection): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const definition of selection.fields) {
    if (definition.type === 'crm_multifield') continue;
    output[definition.itemName] = renderItemValue(definition, readStoredValue(record, definition));
  }
  if (selection.full) {
    const entries: MultifieldEntry[] = [];
    for (const definition of type.fields) {
      if (definition.type === 'crm_multifield') entries.push(...((record[definition.name] as MultifieldEntry[] | undefined) ?? []));
    }
    entries.sort((left, right) => left.ID - right.ID);
    if (type.fields.some((definition) => definition.type === 'crm_multifield')) Object.assign(output, renderFlatMultifields(entries));
    output.fm = renderItemMultifields(entries);
  }
  for (const name of userFieldNames(record, selection)) output[userFieldItemName(name)] = record[name] ?? null;
  if (selection.full) output.entityTypeId = type.entityTypeId;
  return output;
}
