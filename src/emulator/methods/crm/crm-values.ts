/**
 * CRM values in their three forms: what a caller sends (strings or numbers, as PHP accepts both),
 * how the emulator stores them (numbers, 'Y'/'N', milliseconds for dates), and how each API returns
 * them: legacy methods as strings (`"ID":"5"`, `"OPPORTUNITY":"15000.00"`), crm.item typed.
 */
import { phpIsoDate } from '../../envelope.ts';
import { toDateMs } from '../../list/compare-values.ts';
import type { CrmRecord, MultifieldEntry } from '../../state/crm-state.ts';
import { boundContactIds, primaryContactId } from './crm-contact-bindings.ts';
import type { CrmFieldDefinition, CrmFieldType } from './crm-field-definition.ts';

type ValueKind = 'reference' | 'integer' | 'double' | 'char' | 'date' | 'string' | 'multifield';

const KINDS: Record<CrmFieldType, ValueKind> = {
  integer: 'integer',
  user: 'reference',
  crm_company: 'reference',
  crm_contact: 'reference',
  crm_lead: 'reference',
  crm_quote: 'reference',
  crm_category: 'integer',
  double: 'double',
  char: 'char',
  date: 'date',
  datetime: 'date',
  crm_multifield: 'multifield',
  string: 'string',
  crm_status: 'string',
  crm_currency: 'string',
  location: 'string',
};

export function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string' && /^\s*[-+]?\d+/.test(value)) return Number.parseInt(value, 10);
  return undefined;
}

export function toFlag(value: unknown): 'Y' | 'N' {
  return value === true || value === 1 || value === '1' || value === 'Y' || value === 'y' || value === 'true' ? 'Y' : 'N';
}

/** `DD.MM.YYYY[ HH:MM[:SS]]` (the portal's site format) or ISO-8601. */
export function parseDateInput(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const site = /^(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
  if (site) {
    const [, day, month, year, hour = '00', minute = '00', second = '00'] = site;
    return toDateMs(`${year}-${month}-${day}T${hour}:${minute}:${second}`);
  }
  return toDateMs(value.trim());
}

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  if (value === null || value === undefined || value === '') return [];
  return [value];
}

function toStoredScalar(kind: ValueKind, value: unknown): unknown {
  switch (kind) {
    case 'reference': {
      const number = toInteger(value);
      return number !== undefined && number > 0 ? number : null;
    }
    case 'integer':
      return toInteger(value) ?? null;
    case 'double': {
      const number = typeof value === 'number' ? value : Number.parseFloat(String(value ?? ''));
      return Number.isFinite(number) ? number : 0;
    }
    case 'char':
      return toFlag(value);
    case 'date':
      return value === null || value === '' ? null : (parseDateInput(value) ?? null);
    default:
      if (value === null || value === undefined) return null;
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** The stored form of an input value (multifields are merged separately). */
export function toStoredValue(definition: CrmFieldDefinition, value: unknown): unknown {
  const kind = KINDS[definition.type];
  if (definition.multiple) {
    return listOf(value)
      .map((item) => toStoredScalar(kind, item))
      .filter((item) => item !== null);
  }
  return toStoredScalar(kind, value);
}

/** The stored (or computed) value of a field; absent values are null, absent lists empty. */
export function readStoredValue(record: CrmRecord, definition: CrmFieldDefinition): unknown {
  if (definition.compute) return definition.compute(record);
  if (definition.binding === 'primary') return primaryContactId(record);
  if (definition.binding === 'ids') return boundContactIds(record);
  const value = record[definition.name];
  if (value === undefined) return definition.multiple ? [] : null;
  return value;
}

function legacyScalar(kind: ValueKind, value: unknown): unknown {
  if (value === null || value === undefined) return kind === 'date' ? '' : null;
  switch (kind) {
    case 'double':
      return typeof value === 'number' ? value.toFixed(2) : String(value);
    case 'date':
      return typeof value === 'number' ? phpIsoDate(value) : String(value);
    default:
      return String(value);
  }
}

/** Legacy crm.X.* form: strings, `''` for empty dates, multifields with `ID` and `TYPE_ID`. */
export function renderLegacyValue(definition: CrmFieldDefinition, value: unknown): unknown {
  const kind = KINDS[definition.type];
  if (kind === 'multifield') {
    return (value as MultifieldEntry[]).map((entry) => ({
      ID: String(entry.ID),
      VALUE_TYPE: entry.VALUE_TYPE,
      VALUE: entry.VALUE,
      TYPE_ID: entry.TYPE_ID,
    }));
  }
  if (definition.multiple) return (value as unknown[]).map((item) => legacyScalar(kind, item));
  return legacyScalar(kind, value);
}

function itemScalar(definition: CrmFieldDefinition, kind: ValueKind, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (definition.type === 'crm_company' || definition.type === 'crm_contact') return 0;
    return null;
  }
  if (kind === 'date') return typeof value === 'number' ? phpIsoDate(value) : String(value);
  return value;
}

/** crm.item form: integers and numbers typed, dates ISO, lists as arrays. */
export function renderItemValue(definition: CrmFieldDefinition, value: unknown): unknown {
  const kind = KINDS[definition.type];
  if (definition.multiple) return (value as unknown[]).map((item) => itemScalar(definition, kind, item));
  return itemScalar(definition, kind, value);
}

/** `UF_CRM_2_1639669411830` → `ufCrm2_1639669411830`; `UF_CRM_1720019876534` → `ufCrm_1720019876534`. */
export function userFieldItemName(upperName: string): string {
  const rest = upperName.replace(/^UF_CRM_/, '');
  const typed = /^(\d+)_(.+)$/.exec(rest);
  return typed ? `ufCrm${typed[1]}_${typed[2]}` : `ufCrm_${rest}`;
}

/** The reverse of `userFieldItemName`. */
export function userFieldUpperName(itemName: string): string {
  const typed = /^ufCrm(\d+)_(.+)$/.exec(itemName);
  if (typed) return `UF_CRM_${typed[1]}_${typed[2]}`;
  return `UF_CRM_${itemName.replace(/^ufCrm_?/, '')}`;
}
