import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHarness } from './method-harness.ts';

type Item = Record<string, unknown>;

function itemOf(result: { result: unknown }): Item {
  return (result.result as { item: Item }).item;
}

function itemsOf(result: { result: unknown }): Item[] {
  return (result.result as { items: Item[] }).items;
}

describe('crm.item.*', () => {
  it('adds with camelCase fields and answers {item} with typed values', () => {
    const harness = createHarness();
    const item = itemOf(
      harness.call('crm.item.add', { entityTypeId: 2, fields: { title: 'Big deal', opportunity: '1500.5', stageId: 'PREPARATION', leadId: 7 } }),
    );
    assert.equal(item.id, 1);
    assert.equal(item.title, 'Big deal');
    assert.equal(item.opportunity, 1500.5);
    assert.equal(item.stageId, 'PREPARATION');
    assert.equal(item.leadId, 7, 'leadId is writable through crm.item, unlike legacy LEAD_ID');
    assert.equal(item.createdBy, 1);
    assert.equal(item.entityTypeId, 2);
    assert.deepEqual(item.fm, []);
    assert.match(String(item.createdTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  });

  it('works over the same records as the legacy methods', () => {
    const harness = createHarness();
    harness.call('crm.lead.add', { fields: { TITLE: 'Legacy', STATUS_ID: 'IN_PROCESS', PHONE: [{ VALUE: '+1555', VALUE_TYPE: 'WORK' }] } });
    const item = itemOf(harness.call('crm.item.get', { entityTypeId: 1, id: 1 }));
    assert.equal(item.title, 'Legacy');
    assert.equal(item.stageId, 'IN_PROCESS');
    assert.deepEqual(item.fm, [{ id: 1, valueType: 'WORK', value: '+1555', typeId: 'PHONE' }]);
    itemOf(harness.call('crm.item.update', { entityTypeId: 1, id: 1, fields: { stageId: 'CONVERTED' } }));
    assert.equal((harness.call('crm.lead.get', { id: 1 }).result as Item).STATUS_ID, 'CONVERTED');
  });

  it('lists {items} with select, camelCase filters (>id) and total/next', () => {
    const harness = createHarness();
    for (let index = 0; index < 60; index += 1) harness.call('crm.item.add', { entityTypeId: 3, fields: { name: `N${index}`, lastName: 'Smith' } });
    const first = harness.call('crm.item.list', { entityTypeId: 3, select: ['id', 'name'], filter: { '>id': 5 } });
    assert.equal(itemsOf(first).length, 50);
    assert.deepEqual(itemsOf(first)[0], { id: 6, name: 'N5' });
    assert.equal(first.total, 55);
    assert.equal(first.next, 50);
    const keyset = harness.call('crm.item.list', { entityTypeId: 3, order: { id: 'ASC' }, filter: { '>id': 55 }, start: -1 });
    assert.equal(itemsOf(keyset).length, 5);
    assert.equal(keyset.total, 0);
    assert.equal(keyset.next, undefined);
  });

  it('deletes with result []', () => {
    const harness = createHarness();
    harness.call('crm.item.add', { entityTypeId: 4, fields: { title: 'Acme' } });
    assert.deepEqual(harness.call('crm.item.delete', { entityTypeId: 4, id: 1 }).result, []);
    assert.equal(harness.fail('crm.company.get', { id: 1 }).description, 'Not found');
  });

  it('serves smart processes created with crm.type.add as a generic store', () => {
    const harness = createHarness();
    harness.call('crm.type.add', { fields: { title: 'Shipments', entityTypeId: 1040 } });
    harness.call('crm.type.add', { fields: { title: 'Returns', entityTypeId: 1042 } });
    const item = itemOf(harness.call('crm.item.add', { entityTypeId: 1040, fields: { title: 'Shipment', ufCrm5_1700000000: 'x' } }));
    assert.equal(item.id, 1);
    assert.equal(item.ufCrm5_1700000000, 'x');
    assert.equal(item.entityTypeId, 1040);
    assert.equal(itemsOf(harness.call('crm.item.list', { entityTypeId: 1040 })).length, 1);
    assert.equal(itemsOf(harness.call('crm.item.list', { entityTypeId: 1042 })).length, 0, 'each type has its own table');
  });

  const errors: Array<[string, Record<string, unknown>, string, string]> = [
    ['the old invoice type 5', { entityTypeId: 5, id: 1 }, 'ENTITY_TYPE_NOT_SUPPORTED', 'crm.item.get'],
    ['an unknown id', { entityTypeId: 1, id: 42 }, 'NOT_FOUND', 'crm.item.get'],
    ['an unknown type', { entityTypeId: 9, id: 1 }, 'NOT_FOUND', 'crm.item.get'],
    ['a smart process never created', { entityTypeId: 1040, fields: { title: 'x' } }, 'NOT_FOUND', 'crm.item.add'],
    ['a missing entityTypeId', { id: 1 }, '100', 'crm.item.get'],
    ['a filter on an unknown field', { entityTypeId: 1, filter: { NOPE: 1 } }, 'INVALID_ARG_VALUE', 'crm.item.list'],
    ['an UPPER_CASE filter key', { entityTypeId: 1, filter: { '>ID': 1 } }, 'INVALID_ARG_VALUE', 'crm.item.list'],
    ['a bad order direction', { entityTypeId: 1, order: { id: 'UP' } }, 'INVALID_ARG_VALUE', 'crm.item.list'],
    ['fields that are not an object', { entityTypeId: 1, fields: 'x' }, 'INVALID_ARG_VALUE', 'crm.item.add'],
  ];
  for (const [name, params, code, method] of errors) {
    it(`refuses ${name} with ${code}`, () => {
      const error = createHarness().fail(method, params);
      assert.equal(error.code, code);
      assert.equal(error.status, 400);
    });
  }

  it('describes fields under {fields} with camelCase names', () => {
    const fields = (createHarness().call('crm.item.fields', { entityTypeId: 1 }).result as { fields: Record<string, Item> }).fields;
    assert.equal(fields.stageId?.upperName, 'STATUS_ID');
    assert.equal(fields.createdTime?.isReadOnly, true);
  });
});
