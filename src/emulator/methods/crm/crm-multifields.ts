/**
 * Multifields (PHONE, EMAIL, WEB, IM, LINK) as protocol.md §9 describes them. Written as
 * `[{VALUE, VALUE_TYPE}]` (crm.item: `fm: [{typeId, valueType, value}]`); on update an entry with `ID`
 * changes that value, `ID` plus `DELETE: "Y"` or an empty `VALUE` deletes it, and an entry without
 * `ID` is added — nothing is replaced wholesale.
 */
import type { MultifieldEntry } from '../../state/crm-state.ts';
import { toInteger } from './crm-values.ts';

const DEFAULT_VALUE_TYPE: Record<string, string> = { PHONE: 'WORK', EMAIL: 'WORK', WEB: 'WORK', IM: 'OTHER', LINK: 'USER' };

function entriesOf(input: unknown): Array<Record<string, unknown>> {
  const list = Array.isArray(input) ? input : input !== null && typeof input === 'object' ? Object.values(input) : [];
  return list.filter((entry): entry is Record<string, unknown> => entry !== null && typeof entry === 'object' && !Array.isArray(entry));
}

function pick(entry: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (entry[name] !== undefined) return entry[name];
  return undefined;
}

/** Applies written entries of one multifield type to the stored ones; returns the new list. */
export function mergeMultifield(existing: readonly MultifieldEntry[], input: unknown, typeId: string, nextId: () => number): MultifieldEntry[] {
  const result = existing.map((entry) => ({ ...entry }));
  for (const entry of entriesOf(input)) {
    const id = toInteger(pick(entry, 'ID', 'id'));
    const rawValue = pick(entry, 'VALUE', 'value');
    const value = rawValue === undefined || rawValue === null ? undefined : String(rawValue).trim();
    const valueType = pick(entry, 'VALUE_TYPE', 'valueType');
    const remove = String(pick(entry, 'DELETE', 'delete') ?? '').toUpperCase() === 'Y';
    const index = id === undefined ? -1 : result.findIndex((stored) => stored.ID === id);
    if (index !== -1) {
      if (remove || value === '') {
        result.splice(index, 1);
        continue;
      }
      const stored = result[index] as MultifieldEntry;
      if (value !== undefined) stored.VALUE = value;
      if (valueType !== undefined && valueType !== '') stored.VALUE_TYPE = String(valueType).toUpperCase();
      continue;
    }
    if (remove || value === undefined || value === '') continue;
    result.push({
      ID: nextId(),
      TYPE_ID: typeId,
      VALUE_TYPE: valueType === undefined || valueType === '' ? (DEFAULT_VALUE_TYPE[typeId] ?? 'OTHER') : String(valueType).toUpperCase(),
      VALUE: value,
    });
  }
  return result;
}

/** crm.item's `fm` input, grouped by `typeId`. */
export function groupItemMultifields(input: unknown): Map<string, Array<Record<string, unknown>>> {
  const groups = new Map<string, Array<Record<string, unknown>>>();
  for (const entry of entriesOf(input)) {
    const typeId = String(pick(entry, 'typeId', 'TYPE_ID') ?? '').toUpperCase();
    if (typeId === '') continue;
    const group = groups.get(typeId) ?? [];
    group.push(entry);
    groups.set(typeId, group);
  }
  return groups;
}

/** crm.item's `fm` output. */
export function renderItemMultifields(entries: readonly MultifieldEntry[]): Array<Record<string, unknown>> {
  return entries.map((entry) => ({ id: entry.ID, valueType: entry.VALUE_TYPE, value: entry.VALUE, typeId: entry.TYPE_ID }));
}

/** Flat alias → [TYPE_ID, VALUE_TYPE (undefined: any), value when absent]. */
const FLAT_ALIASES: ReadonlyArray<[string, string, string | undefined, string | null]> = [
  ['phoneMobile', 'PHONE', 'MOBILE', ''],
  ['phoneWork', 'PHONE', 'WORK', ''],
  ['phoneMailing', 'PHONE', 'MAILING', ''],
  ['emailHome', 'EMAIL', 'HOME', ''],
  ['emailWork', 'EMAIL', 'WORK', ''],
  ['emailMailing', 'EMAIL', 'MAILING', ''],
  ['skype', 'IM', 'SKYPE', null],
  ['icq', 'IM', 'ICQ', null],
  ['imol', 'IM', 'IMOL', ''],
  ['email', 'EMAIL', undefined, ''],
  ['phone', 'PHONE', undefined, ''],
];

/**
 * crm.item's flat multifield aliases beside `fm`: the first value of each type and value type
 * (docs crm-item-get.md: "flat aliases for convenient access to the first value ... from fm").
 */
export function renderFlatMultifields(entries: readonly MultifieldEntry[]): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [alias, typeId, valueType, absent] of FLAT_ALIASES) {
    const found = entries.find((entry) => entry.TYPE_ID === typeId && (valueType === undefined || entry.VALUE_TYPE === valueType));
    output[alias] = found ? found.VALUE : absent;
  }
  return output;
}
