import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHarness, type Harness } from './method-harness.ts';

type Item = Record<string, unknown>;

function contactsOf(harness: Harness, id: number): [unknown, unknown] {
  const item = (harness.call('crm.item.get', { entityTypeId: 2, id }).result as { item: Item }).item;
  return [item.contactId, item.contactIds];
}

function withContacts(count: number): Harness {
  const harness = createHarness();
  for (let index = 0; index < count; index += 1) harness.call('crm.contact.add', { fields: { NAME: `C${index}` } });
  return harness;
}

describe('deal contact bindings through the legacy fields', () => {
  it('CONTACT_IDS wins over CONTACT_ID on crm.deal.add; its first contact is primary', () => {
    const harness = withContacts(3);
    harness.call('crm.deal.add', { fields: { TITLE: 'D', CONTACT_ID: 3, CONTACT_IDS: [2, 1] } });
    assert.deepEqual(contactsOf(harness, 1), [2, [2, 1]]);
    assert.equal((harness.call('crm.deal.get', { id: 1 }).result as Item).CONTACT_ID, '2');
  });

  it('crm.deal.update {CONTACT_ID} binds that contact as primary and keeps the others; 0 unbinds the primary', () => {
    const harness = withContacts(3);
    harness.call('crm.deal.add', { fields: { TITLE: 'D', CONTACT_IDS: [1, 2] } });
    harness.call('crm.deal.update', { id: 1, fields: { CONTACT_ID: 3 } });
    assert.deepEqual(contactsOf(harness, 1), [3, [1, 2, 3]]);
    harness.call('crm.deal.update', { id: 1, fields: { CONTACT_ID: 2 } });
    assert.deepEqual(contactsOf(harness, 1), [2, [1, 2, 3]]);
    harness.call('crm.deal.update', { id: 1, fields: { CONTACT_ID: 0 } });
    assert.deepEqual(contactsOf(harness, 1), [1, [1, 3]]);
  });

  it('crm.item.update {contactIds} keeps the primary when it stays bound, else the first becomes primary', () => {
    const harness = withContacts(3);
    harness.call('crm.item.add', { entityTypeId: 2, fields: { title: 'D', contactIds: [1, 2], contactId: 2 } });
    harness.call('crm.item.update', { entityTypeId: 2, id: 1, fields: { contactIds: [3, 2] } });
    assert.deepEqual(contactsOf(harness, 1), [2, [3, 2]]);
    harness.call('crm.item.update', { entityTypeId: 2, id: 1, fields: { contactIds: [1] } });
    assert.deepEqual(contactsOf(harness, 1), [1, [1]]);
  });

  it('deleting a contact unbinds it from deals and leads', () => {
    const harness = withContacts(2);
    harness.call('crm.deal.add', { fields: { TITLE: 'D', CONTACT_IDS: [1, 2] } });
    harness.call('crm.lead.add', { fields: { TITLE: 'L', CONTACT_ID: 1 } });
    harness.call('crm.contact.delete', { id: 1 });
    assert.deepEqual(contactsOf(harness, 1), [2, [2]]);
    assert.deepEqual(harness.call('crm.lead.contact.items.get', { id: 1 }).result, []);
  });

  it('filters legacy lists on the primary contact', () => {
    const harness = withContacts(2);
    harness.call('crm.deal.add', { fields: { TITLE: 'First', CONTACT_IDS: [1, 2] } });
    harness.call('crm.deal.add', { fields: { TITLE: 'Second', CONTACT_ID: 2 } });
    const rows = harness.call('crm.deal.list', { filter: { CONTACT_ID: 2 }, select: ['ID'] }).result as Item[];
    assert.deepEqual(
      rows.map((row) => row.ID),
      ['2'],
    );
  });

  const errors: Array<[string, string, Record<string, unknown>, string]> = [
    ['an id below 1', 'crm.deal.contact.add', { id: 0, fields: { CONTACT_ID: 1 } }, "The parameter 'ownerEntityID' is invalid or not defined."],
    ['fields that are not an object', 'crm.deal.contact.add', { id: 1, fields: 'x' }, "The parameter 'fields' must be array."],
    ['a CONTACT_ID below 1', 'crm.deal.contact.add', { id: 1, fields: { CONTACT_ID: 0 } }, "The parameter 'fields' is not valid."],
    ['an unknown deal', 'crm.deal.contact.delete', { id: 9, fields: { CONTACT_ID: 1 } }, 'Not found.'],
    ['items that are not an array', 'crm.deal.contact.items.set', { id: 1, items: 'x' }, 'The parameter items must be array.'],
    ['an unknown deal', 'crm.deal.contact.items.delete', { id: 9 }, 'Not found'],
  ];
  for (const [name, method, params, description] of errors) {
    it(`${method} refuses ${name} with an empty code (docs crm/deals/contacts)`, () => {
      const harness = withContacts(1);
      harness.call('crm.deal.add', { fields: { TITLE: 'D' } });
      const error = harness.fail(method, params);
      assert.deepEqual([error.code, error.description, error.status], ['', description, 400]);
    });
  }
});
