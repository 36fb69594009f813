import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createHarness, rowsOf, type Harness } from './method-harness.ts';

interface OfflineBatch {
  process_id: string | null;
  events: Array<Record<string, unknown>>;
}

function batchOf(result: { result: unknown }): OfflineBatch {
  return result.result as OfflineBatch;
}

function withLeadUpdates(): Harness {
  const harness = createHarness();
  harness.call('event.bind', { event: 'onCrmLeadUpdate', event_type: 'offline' });
  harness.call('event.bind', { event: 'ONCRMLEADADD', event_type: 'offline' });
  return harness;
}

describe('event.bind / event.unbind / event.get', () => {
  it('binds offline events for administrators only', () => {
    const error = createHarness().fail('event.bind', { event: 'ONCRMLEADADD', event_type: 'offline' }, { isAdmin: false, userId: 2 });
    assert.equal(error.code, 'ACCESS_DENIED');
    assert.equal(error.status, 403);
    assert.equal(error.description, 'Access denied! Offline events binding requires administrator access rights');
  });

  const refusals: Array<[string, Record<string, unknown>, string, Record<string, unknown>]> = [
    ['an unknown event', { event: 'ONNOTHING', event_type: 'offline' }, 'ERROR_EVENT_NOT_FOUND', {}],
    ['an event outside the granted scopes', { event: 'ONCRMLEADADD', event_type: 'offline' }, 'ERROR_EVENT_NOT_FOUND', {}],
    ['an online binding without a handler', { event: 'ONCRMLEADADD' }, 'ERROR_ARGUMENT', { argument: 'HANDLER' }],
    ['a binding without an event', { event_type: 'offline' }, 'ERROR_ARGUMENT', { argument: 'EVENT' }],
    ['an unknown event type', { event: 'ONCRMLEADADD', event_type: 'sometimes' }, 'ERROR_ARGUMENT', { argument: 'EVENT_TYPE' }],
  ];
  for (const [name, params, code, extra] of refusals) {
    it(`refuses ${name} with ${code}`, () => {
      const scopes = name.includes('outside') ? new Set(['task']) : new Set(['crm']);
      const error = createHarness().fail('event.bind', params, { scopes });
      assert.equal(error.code, code);
      assert.equal(error.status, 400);
      assert.deepEqual(error.extra, extra);
    });
  }

  it('refuses a duplicate with ERROR_CORE, lists bindings, and unbinds with a count', () => {
    const harness = createHarness();
    assert.equal(harness.call('event.bind', { EVENT: 'ONCRMDEALADD', HANDLER: 'https://app.example.test/hook' }).result, true);
    assert.equal(harness.call('event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' }).result, true);
    assert.equal(harness.fail('event.bind', { event: 'oncrmdealadd', handler: 'https://app.example.test/hook' }).code, 'ERROR_CORE');
    assert.deepEqual(harness.call('event.get').result, [
      { event: 'ONCRMDEALADD', handler: 'https://app.example.test/hook', auth_type: '0', offline: 0 },
      { event: 'ONCRMDEALADD', connector_id: '', offline: 1 },
    ]);
    assert.deepEqual(harness.call('event.unbind', { event: 'ONCRMDEALADD', event_type: 'offline' }).result, { count: 1 });
    assert.deepEqual(harness.call('event.unbind', { event: 'ONCRMDEALADD', handler: 'https://app.example.test/hook' }).result, { count: 1 });
    assert.deepEqual(harness.call('event.get').result, []);
  });
});

describe('offline queue', () => {
  it('keeps one row per changed object: a second change only moves TIMESTAMP_X', () => {
    const harness = withLeadUpdates();
    harness.call('crm.lead.add', { fields: { TITLE: 'A' } });
    harness.call('crm.lead.add', { fields: { TITLE: 'B' } });
    for (let step = 0; step < 3; step += 1) {
      harness.advance(60_000);
      harness.call('crm.lead.update', { id: 1, fields: { TITLE: `A${step}` } });
    }
    harness.call('crm.lead.update', { id: 2, fields: { TITLE: 'B1' } });
    assert.equal(harness.portal.offlineQueueSize('app.test'), 4, 'two adds and two updated objects');
    const rows = rowsOf(harness.call('event.offline.list', { filter: { EVENT_NAME: 'ONCRMLEADUPDATE' } }));
    assert.equal(rows.length, 2);
    const first = rows[0] as Record<string, unknown>;
    assert.deepEqual(first.EVENT_DATA, { FIELDS: { ID: 1 } });
    assert.equal(first.MESSAGE_ID, createHash('md5').update('ONCRMLEADUPDATE|{"FIELDS":{"ID":1}}').digest('hex'));
    assert.equal(first.TIMESTAMP_X, `${new Date(harness.now()).toISOString().slice(0, 19)}+00:00`);
    assert.equal(first.PROCESS_ID, '');
    assert.equal(first.ERROR, '0');
    assert.deepEqual(first.EVENT_ADDITIONAL, { user_id: 1 });
  });

  it('get (default clear=1) returns the oldest rows first and deletes them, with process_id null', () => {
    const harness = withLeadUpdates();
    harness.call('crm.lead.add', { fields: { TITLE: 'A' } });
    harness.advance(1000);
    harness.call('crm.lead.add', { fields: { TITLE: 'B' } });
    const batch = batchOf(harness.call('event.offline.get', { limit: 1 }));
    assert.equal(batch.process_id, null);
    assert.deepEqual(
      batch.events.map((event) => event.EVENT_DATA),
      [{ FIELDS: { ID: 1 } }],
    );
    assert.deepEqual(Object.keys(batch.events[0] ?? {}), ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'EVENT_DATA', 'EVENT_ADDITIONAL', 'MESSAGE_ID']);
    assert.equal(harness.portal.offlineQueueSize('app.test'), 1);
  });

  it('clear=0 reserves rows under a new process_id, hidden from other readers and re-read by process_id', () => {
    const harness = withLeadUpdates();
    for (let index = 0; index < 3; index += 1) harness.call('crm.lead.add', { fields: { TITLE: `L${index}` } });
    const first = batchOf(harness.call('event.offline.get', { clear: 0, limit: 2 }));
    assert.match(first.process_id ?? '', /^[0-9a-f]{32}$/);
    assert.equal(first.events.length, 2);
    const second = batchOf(harness.call('event.offline.get', { clear: '0', limit: 10 }));
    assert.notEqual(second.process_id, first.process_id);
    assert.deepEqual(
      second.events.map((event) => event.ID),
      ['3'],
      'the other reader gets the rest only',
    );
    const again = batchOf(harness.call('event.offline.get', { clear: 0, process_id: first.process_id }));
    assert.equal(again.process_id, first.process_id);
    assert.deepEqual(
      again.events.map((event) => event.ID),
      first.events.map((event) => event.ID),
    );
    const listed = rowsOf(harness.call('event.offline.list', { filter: { PROCESS_ID: first.process_id } }));
    assert.deepEqual(
      listed.map((row) => row.ID),
      ['1', '2'],
    );
  });

  it('a change to a reserved object makes a new unreserved row and leaves the reservation alone', () => {
    const harness = withLeadUpdates();
    harness.call('crm.lead.add', { fields: { TITLE: 'A' } });
    harness.call('crm.lead.update', { id: 1, fields: { TITLE: 'A1' } });
    const reserved = batchOf(harness.call('event.offline.get', { clear: 0, filter: { EVENT_NAME: 'ONCRMLEADUPDATE' } }));
    harness.call('crm.lead.update', { id: 1, fields: { TITLE: 'A2' } });
    const rows = rowsOf(harness.call('event.offline.list', { filter: { EVENT_NAME: 'ONCRMLEADUPDATE' } }));
    assert.deepEqual(
      rows.map((row) => row.PROCESS_ID),
      [reserved.process_id, ''],
    );
  });

  it('clears a reservation by id, by message_id, or whole', () => {
    const harness = withLeadUpdates();
    for (let index = 0; index < 4; index += 1) harness.call('crm.lead.add', { fields: { TITLE: `L${index}` } });
    const batch = batchOf(harness.call('event.offline.get', { clear: 0 }));
    const processId = batch.process_id as string;
    harness.call('event.offline.clear', { process_id: processId, id: [batch.events[0]?.ID] });
    harness.call('event.offline.clear', { process_id: processId, message_id: [batch.events[1]?.MESSAGE_ID] });
    assert.deepEqual(
      batchOf(harness.call('event.offline.get', { clear: 0, process_id: processId })).events.map((event) => event.ID),
      ['3', '4'],
    );
    harness.call('event.offline.clear', { process_id: processId });
    assert.equal(harness.portal.offlineQueueSize('app.test'), 0);
  });

  it('marks errors: the rows leave the reservation and come back only with error=1', () => {
    const harness = withLeadUpdates();
    harness.call('crm.lead.add', { fields: { TITLE: 'A' } });
    harness.call('crm.lead.add', { fields: { TITLE: 'B' } });
    const batch = batchOf(harness.call('event.offline.get', { clear: 0 }));
    const failed = batch.events[0] as Record<string, unknown>;
    assert.equal(harness.call('event.offline.error', { process_id: batch.process_id, message_id: [failed.MESSAGE_ID] }).result, true);
    assert.deepEqual(batchOf(harness.call('event.offline.get', { clear: 0 })).events, [], 'a normal read does not see error rows');
    const errors = batchOf(harness.call('event.offline.get', { clear: 0, error: 1 }));
    assert.deepEqual(
      errors.events.map((event) => event.MESSAGE_ID),
      [failed.MESSAGE_ID],
    );
    const listed = rowsOf(harness.call('event.offline.list', { filter: { ERROR: 1 } }));
    assert.equal(listed[0]?.ERROR, '1');
  });

  const argumentErrors: Array<[string, string, Record<string, unknown>, string]> = [
    ['a limit of 0', 'event.offline.get', { limit: 0 }, 'LIMIT'],
    ['a negative limit', 'event.offline.get', { limit: -5 }, 'LIMIT'],
    ['clear without process_id', 'event.offline.clear', {}, 'PROCESS_ID'],
    ['a message_id that is not 32 characters', 'event.offline.clear', { process_id: 'p', message_id: ['short'] }, 'message_id'],
    ['ids that are not integers', 'event.offline.clear', { process_id: 'p', id: ['x'] }, 'id'],
    ['error without a message_id list', 'event.offline.error', { process_id: 'p', message_id: 'x' }, 'message_id'],
    ['a filter operation the queue does not know', 'event.offline.get', { filter: { '!EVENT_NAME': 'X' } }, 'filter'],
  ];
  for (const [name, method, params, argument] of argumentErrors) {
    it(`refuses ${name} with ERROR_ARGUMENT`, () => {
      const error = createHarness().fail(method, params);
      assert.equal(error.code, 'ERROR_ARGUMENT');
      assert.equal(error.extra.argument, argument);
    });
  }

  it('refuses clear=0 with 403 WRONG_LICENSE when rest_offline_extended is off; clear=1 still works', () => {
    const harness = withLeadUpdates();
    harness.call('crm.lead.add', { fields: { TITLE: 'A' } });
    harness.portal.features.set('rest_offline_extended', false);
    const error = harness.fail('event.offline.get', { clear: 0 });
    assert.equal(error.code, 'WRONG_LICENSE');
    assert.equal(error.status, 403);
    assert.equal(batchOf(harness.call('event.offline.get', {})).events.length, 1);
  });

  it('does not enqueue writes made with the binding connector; readers see their connector only', () => {
    const harness = createHarness();
    harness.call('event.bind', { event: 'ONCRMDEALADD', event_type: 'offline', auth_connector: 'sync1' });
    harness.call('crm.deal.add', { fields: { TITLE: 'own write' }, auth_connector: 'sync1' });
    harness.call('crm.item.add', { entityTypeId: 2, fields: { title: 'someone else' } });
    assert.equal(harness.portal.offlineQueueSize('app.test'), 1);
    assert.deepEqual(batchOf(harness.call('event.offline.get', { clear: 0 })).events, [], 'no connector: no rows');
    const batch = batchOf(harness.call('event.offline.get', { clear: 0, auth_connector: 'sync1' }));
    assert.deepEqual(
      batch.events.map((event) => event.EVENT_DATA),
      [{ FIELDS: { ID: 2 } }],
    );
  });

  it('enqueues crm.item and legacy writes of every entity, deletes included', () => {
    const harness = createHarness();
    for (const event of ['ONCRMCONTACTADD', 'ONCRMCOMPANYUPDATE', 'ONCRMDEALDELETE', 'ONCRMDYNAMICITEMADD']) {
      harness.call('event.bind', { event, event_type: 'offline' });
    }
    harness.call('crm.item.add', { entityTypeId: 3, fields: { name: 'C' } });
    harness.call('crm.company.add', { fields: { TITLE: 'Co' } });
    harness.call('crm.item.update', { entityTypeId: 4, id: 1, fields: { title: 'Co2' } });
    harness.call('crm.deal.add', { fields: { TITLE: 'D' } });
    harness.call('crm.item.delete', { entityTypeId: 2, id: 1 });
    harness.call('crm.type.add', { fields: { title: 'Shipments', entityTypeId: 128 } });
    harness.call('crm.item.add', { entityTypeId: 128, fields: { title: 'S' } });
    const names = batchOf(harness.call('event.offline.get', {})).events.map((event) => `${String(event.EVENT_NAME)} ${JSON.stringify(event.EVENT_DATA)}`);
    assert.deepEqual(names, [
      'ONCRMCONTACTADD {"FIELDS":{"ID":1}}',
      'ONCRMCOMPANYUPDATE {"FIELDS":{"ID":1}}',
      'ONCRMDEALDELETE {"FIELDS":{"ID":1}}',
      'ONCRMDYNAMICITEMADD {"FIELDS":{"ID":1,"ENTITY_TYPE_ID":128}}',
    ]);
  });

  it('belongs to the calling application and to one portal; clearAll empties it', () => {
    const harness = withLeadUpdates();
    const other = createHarness();
    harness.call('crm.lead.add', { fields: { TITLE: 'A' } });
    assert.deepEqual(batchOf(harness.call('event.offline.get', { clear: 0 }, { appId: 'app.other' })).events, []);
    assert.equal(other.portal.offlineQueueSize('app.test'), 0);
    harness.portal.clearAll();
    assert.equal(harness.portal.offlineQueueSize('app.test'), 0);
    assert.deepEqual(harness.call('event.get').result, []);
    assert.equal(harness.portal.crm.table(1).size, 0);
  });

  it('reads offline events for administrators only', () => {
    const error = createHarness().fail('event.offline.get', {}, { isAdmin: false, userId: 2 });
    assert.equal(error.code, 'ACCESS_DENIED');
    assert.equal(error.status, 403);
  });
});
