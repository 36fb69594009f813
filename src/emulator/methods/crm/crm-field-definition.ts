/**
 * How the emulator describes a CRM field: its type (as `crm.*.fields` reports it), flags, the
 * camelCase name `crm.item.*` uses, and, for read-only derived fields, how it is computed.
 */
import type { CrmRecord } from '../../state/crm-state.ts';

export type CrmFieldType =
  | 'integer'
  | 'string'
  | 'char'
  | 'double'
  | 'date'
  | 'datetime'
  | 'user'
  | 'crm_status'
  | 'crm_currency'
  | 'crm_company'
  | 'crm_contact'
  | 'crm_lead'
  | 'crm_category'
  | 'crm_quote'
  | 'crm_multifield'
  | 'location';

export interface CrmFieldDefinition {
  name: string;
  type: CrmFieldType;
  title: string;
  /** Read-only for every API (ID, DATE_CREATE, HAS_PHONE...). */
  readOnly: boolean;
  /** Read-only for the legacy crm.X.* methods only (deal LEAD_ID), writable through crm.item. */
  legacyReadOnly: boolean;
  immutable: boolean;
  multiple: boolean;
  required: boolean;
  /** Not part of `select: ['*']` (multifields, and the multiple links such as CONTACT_IDS). */
  hiddenFromStar: boolean;
  itemName: string;
  statusType?: string;
  compute?: (record: CrmRecord) => unknown;
  /** Reads and writes the record's contact bindings (`crm-contact-bindings.ts`) instead of a column. */
  binding?: 'primary' | 'ids';
}

export interface FieldExtras {
  itemName?: string;
  statusType?: string;
  compute?: (record: CrmRecord) => unknown;
  binding?: 'primary' | 'ids';
}

/** `SOURCE_DESCRIPTION` → `sourceDescription`, `ADDRESS_2` → `address2`. */
export function camelName(upperName: string): string {
  return upperName
    .toLowerCase()
    .split('_')
    .map((part, index) => (index === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

/**
 * One field. Flags: `R` read-only, `L` read-only in legacy methods only, `I` immutable, `M` multiple,
 * `Q` required, `H` hidden from `*`.
 */
export function field(name: string, type: CrmFieldType, title: string, flags = '', extras: FieldExtras = {}): CrmFieldDefinition {
  const definition: CrmFieldDefinition = {
    name,
    type,
    title,
    readOnly: flags.includes('R') || extras.compute !== undefined,
    legacyReadOnly: flags.includes('L'),
    immutable: flags.includes('I'),
    multiple: flags.includes('M') || type === 'crm_multifield',
    required: flags.includes('Q'),
    hiddenFromStar: flags.includes('H') || type === 'crm_multifield',
    itemName: extras.itemName ?? camelName(name),
  };
  if (extras.statusType !== undefined) definition.statusType = extras.statusType;
  if (extras.compute !== undefined) definition.compute = extras.compute;
  if (extras.binding !== undefined) definition.binding = extras.binding;
  return definition;
}

export const MULTIFIELD_TYPES = ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'] as const;

export function multifields(): CrmFieldDefinition[] {
  const titles: Record<string, string> = { PHONE: 'Phone', EMAIL: 'E-mail', WEB: 'Website', IM: 'Messenger', LINK: 'LINK' };
  return MULTIFIELD_TYPES.map((name) => field(name, 'crm_multifield', titles[name] ?? name));
}

export function addressFields(): CrmFieldDefinition[] {
  return [
    field('ADDRESS', 'string', 'Address'),
    field('ADDRESS_2', 'string', 'Address (Line 2)'),
    field('ADDRESS_CITY', 'string', 'City'),
    field('ADDRESS_POSTAL_CODE', 'string', 'Postal Code'),
    field('ADDRESS_REGION', 'string', 'Region'),
    field('ADDRESS_PROVINCE', 'string', 'Province'),
    field('ADDRESS_COUNTRY', 'string', 'Country'),
    field('ADDRESS_COUNTRY_CODE', 'string', 'Country Code'),
    field('ADDRESS_LOC_ADDR_ID', 'integer', 'Location Address ID'),
  ];
}

export function utmFields(): CrmFieldDefinition[] {
  return [
    field('UTM_SOURCE', 'string', 'Advertising System'),
    field('UTM_MEDIUM', 'string', 'Traffic Type'),
    field('UTM_CAMPAIGN', 'string', 'Campaign Identifier'),
    field('UTM_CONTENT', 'string', 'Campaign Content'),
    field('UTM_TERM', 'string', 'Campaign Search Condition'),
  ];
}

/** Who and when: set by the portal on every add and update. */
export function auditFields(): CrmFieldDefinition[] {
  return [
    field('ASSIGNED_BY_ID', 'user', 'Responsible User'),
    field('CREATED_BY_ID', 'user', 'Created By', 'R', { itemName: 'createdBy' }),
    field('MODIFY_BY_ID', 'user', 'Modified By', 'R', { itemName: 'updatedBy' }),
    field('DATE_CREATE', 'datetime', 'Creation Date', 'R', { itemName: 'createdTime' }),
    field('DATE_MODIFY', 'datetime', 'Modification Date', 'R', { itemName: 'updatedTime' }),
  ];
}

export function originFields(): CrmFieldDefinition[] {
  return [field('ORIGINATOR_ID', 'string', 'External Source ID'), field('ORIGIN_ID', 'string', 'Element ID in External Source')];
}

export function activityFields(): CrmFieldDefinition[] {
  return [field('LAST_ACTIVITY_TIME', 'datetime', 'LAST_ACTIVITY_TIME', 'R'), field('LAST_ACTIVITY_BY', 'user', 'LAST_ACTIVITY_BY', 'R')];
}

function hasEntries(record: CrmRecord, name: string, valueTypes?: string[]): 'Y' | 'N' {
  const entries = record[name];
  if (!Array.isArray(entries) || entries.length === 0) return 'N';
  if (!valueTypes) return 'Y';
  return entries.some((entry: { VALUE_TYPE?: string }) => valueTypes.includes(entry.VALUE_TYPE ?? '')) ? 'Y' : 'N';
}

export function contactPresenceFields(): CrmFieldDefinition[] {
  return [
    field('HAS_PHONE', 'char', 'Phone Provided', 'R', { compute: (record) => hasEntries(record, 'PHONE') }),
    field('HAS_EMAIL', 'char', 'E-mail Provided', 'R', { compute: (record) => hasEntries(record, 'EMAIL') }),
    field('HAS_IMOL', 'char', 'Open Channel Set', 'R', { compute: (record) => hasEntries(record, 'IM', ['OPENLINE', 'IMOL']) }),
  ];
}
