/**
 * Filter and order field names of CRM lists. Legacy lists take UPPER_CASE names (any case is
 * accepted) and ignore names they do not know; crm.item.list takes camelCase names and refuses
 * unknown ones with INVALID_ARG_VALUE (protocol.md §5).
 */
import type { ResolveField, ResolvedField } from '../../list/build-filter.ts';
import type { CrmRecord } from '../../state/crm-state.ts';
import { RestError } from '../../types.ts';
import type { CrmFieldDefinition } from './crm-field-definition.ts';
import type { CrmEntityType } from './crm-entity-types.ts';
import { readStoredValue, userFieldUpperName } from './crm-values.ts';

function resolved(definition: CrmFieldDefinition): ResolvedField<CrmRecord> {
  if (definition.name === 'ID') return { key: 'ID', read: (record) => record.ID };
  if (definition.compute) return { key: definition.name, read: definition.compute };
  if (definition.multiple || definition.binding) return { key: definition.name, read: (record) => readStoredValue(record, definition) };
  const name = definition.name;
  return { key: name, read: (record) => record[name] ?? null };
}

function userField(name: string): ResolvedField<CrmRecord> {
  return { key: name, read: (record) => record[name] ?? null };
}

export function legacyFieldResolver(type: CrmEntityType): ResolveField<CrmRecord> {
  return (name) => {
    const upper = name.trim().toUpperCase();
    if (upper.startsWith('UF_')) return userField(upper);
    const definition = type.byName.get(upper);
    return definition ? resolved(definition) : undefined;
  };
}

export function itemFieldResolver(type: CrmEntityType): ResolveField<CrmRecord> {
  return (name, where) => {
    const trimmed = name.trim();
    if (trimmed.startsWith('ufCrm')) return userField(userFieldUpperName(trimmed));
    if (trimmed.startsWith('UF_CRM_')) return userField(trimmed);
    const definition = type.byItemName.get(trimmed);
    if (definition) return resolved(definition);
    throw new RestError('INVALID_ARG_VALUE', `Invalid ${where}: field '${trimmed}' is not allowed in ${where}`);
  };
}
