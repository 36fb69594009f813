/**
 * The contacts of a deal (or lead): one ordered set of bindings `{CONTACT_ID, SORT, ROLE_ID,
 * IS_PRIMARY}`, exactly one of them primary while any exist. `CONTACT_ID` / `contactId` is the primary
 * one, `CONTACT_IDS` / `contactIds` the whole set by SORT, and crm.deal.contact.* read and change the
 * same set (docs crm-item-add.md example, crm-deal-contact-add.md, crm-deal-contact-items-set.md).
 * Bindings are replaced, never mutated, so a record copy never shares them with the original.
 */
import type { CrmRecord } from '../../state/crm-state.ts';

export interface ContactBinding {
  CONTACT_ID: number;
  SORT: number;
  IS_PRIMARY: 'Y' | 'N';
}

const KEY = 'CONTACT_BINDINGS';

export function readBindings(record: CrmRecord): readonly ContactBinding[] {
  const stored = record[KEY];
  return Array.isArray(stored) ? (stored as ContactBinding[]) : [];
}

/** Stores bindings sorted by SORT (stable), with exactly one primary: `primary` when given and bound, else the first. */
function store(record: CrmRecord, bindings: ContactBinding[], primary?: number): void {
  if (bindings.length === 0) {
    delete record[KEY];
    return;
  }
  const sorted = bindings
    .map((binding, index) => ({ binding, index }))
    .sort((left, right) => left.binding.SORT - right.binding.SORT || left.index - right.index)
    .map(({ binding }) => binding);
  const wanted =
    primary !== undefined && sorted.some((binding) => binding.CONTACT_ID === primary)
      ? primary
      : (sorted.find((binding) => binding.IS_PRIMARY === 'Y') ?? sorted[0])?.CONTACT_ID;
  record[KEY] = sorted.map((binding) => ({ ...binding, IS_PRIMARY: binding.CONTACT_ID === wanted ? 'Y' : 'N' }));
}

export function primaryContactId(record: CrmRecord): number | null {
  return readBindings(record).find((binding) => binding.IS_PRIMARY === 'Y')?.CONTACT_ID ?? null;
}

export function boundContactIds(record: CrmRecord): number[] {
  return readBindings(record).map((binding) => binding.CONTACT_ID);
}

function nextSort(bindings: readonly ContactBinding[]): number {
  return bindings.reduce((max, binding) => Math.max(max, binding.SORT), 0) + 10;
}

/** `CONTACT_IDS` / `contactIds`: the set becomes exactly these contacts; the primary stays if still bound. */
export function setContactIds(record: CrmRecord, contactIds: readonly number[]): void {
  const previous = primaryContactId(record) ?? undefined;
  const unique = [...new Set(contactIds.filter((id) => id > 0))];
  store(
    record,
    unique.map((id, index) => ({ CONTACT_ID: id, SORT: (index + 1) * 10, IS_PRIMARY: 'N' })),
    previous,
  );
}

/** `CONTACT_ID` / `contactId`: this contact becomes the primary one (bound first if it was not); 0 unbinds the primary. */
export function setPrimaryContact(record: CrmRecord, contactId: number | null): void {
  const bindings = [...readBindings(record)];
  if (contactId === null || contactId <= 0) {
    store(
      record,
      bindings.filter((binding) => binding.IS_PRIMARY !== 'Y'),
    );
    return;
  }
  if (!bindings.some((binding) => binding.CONTACT_ID === contactId)) bindings.push({ CONTACT_ID: contactId, SORT: nextSort(bindings), IS_PRIMARY: 'N' });
  store(record, bindings, contactId);
}

/** crm.deal.contact.add: false when the contact is already bound. */
export function addContactBinding(record: CrmRecord, contactId: number, sort: number | undefined, isPrimary: boolean): boolean {
  const bindings = [...readBindings(record)];
  if (bindings.some((binding) => binding.CONTACT_ID === contactId)) return false;
  bindings.push({ CONTACT_ID: contactId, SORT: sort ?? nextSort(bindings), IS_PRIMARY: 'N' });
  store(record, bindings, isPrimary ? contactId : (primaryContactId(record) ?? contactId));
  return true;
}

/** crm.deal.contact.delete: false when the contact was not bound; the first remaining becomes primary. */
export function removeContactBinding(record: CrmRecord, contactId: number): boolean {
  const bindings = readBindings(record);
  if (!bindings.some((binding) => binding.CONTACT_ID === contactId)) return false;
  store(
    record,
    bindings.filter((binding) => binding.CONTACT_ID !== contactId),
    primaryContactId(record) ?? undefined,
  );
  return true;
}

export interface BindingInput {
  contactId: number;
  sort?: number;
  isPrimary: boolean;
}

/** crm.deal.contact.items.set: the first item marked primary is primary, else the first item; SORT defaults to (i + 1) × 10. */
export function replaceBindings(record: CrmRecord, items: readonly BindingInput[]): void {
  const seen = new Set<number>();
  const bindings: ContactBinding[] = [];
  items.forEach((item, index) => {
    if (item.contactId <= 0 || seen.has(item.contactId)) return;
    seen.add(item.contactId);
    bindings.push({ CONTACT_ID: item.contactId, SORT: item.sort ?? (index + 1) * 10, IS_PRIMARY: 'N' });
  });
  const primary = items.find((item) => item.isPrimary && seen.has(item.contactId))?.contactId ?? items.find((item) => seen.has(item.contactId))?.contactId;
  store(record, bindings, primary);
}

/** The bindings as crm.deal.contact.items.get answers them (integers, ROLE_ID 0) [fb crm_company_contact_items_get.py]. */
export function renderBindings(record: CrmRecord): Array<Record<string, unknown>> {
  return readBindings(record).map((binding) => ({ CONTACT_ID: binding.CONTACT_ID, SORT: binding.SORT, ROLE_ID: 0, IS_PRIMARY: binding.IS_PRIMARY }));
}
