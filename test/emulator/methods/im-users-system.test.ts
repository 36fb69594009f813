import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDemoSeed } from '../../../src/emulator/seed/load-demo-seed.ts';
import { createHarness, methodTable, rowsOf } from './method-harness.ts';

describe('im.*', () => {
  it('adds a message, returns its id and keeps it for tests to see', () => {
    const harness = createHarness();
    assert.equal(harness.call('im.message.add', { DIALOG_ID: 'chat12', MESSAGE: 'Deal won' }).result, 1);
    assert.equal(harness.call('im.message.add', { dialog_id: '1', message: 'Hi' }).result, 2);
    assert.deepEqual(
      Array.from(harness.portal.messages.values(), (message) => [message.DIALOG_ID, message.MESSAGE, message.AUTHOR_ID]),
      [
        ['chat12', 'Deal won', 1],
        ['1', 'Hi', 1],
      ],
    );
  });

  it('notifies a user with personal and system notifications', () => {
    const harness = createHarness();
    assert.equal(harness.call('im.notify.personal.add', { USER_ID: 1, MESSAGE: 'Check lead 5' }).result, 1);
    assert.equal(harness.call('im.notify.system.add', { USER_ID: 1, MESSAGE: 'Import done' }).result, 2);
    assert.equal(harness.call('im.notify', { to: 1, USER_ID: '1', MESSAGE: 'x', TYPE: 'SYSTEM' }).result, 3);
    assert.deepEqual(
      Array.from(harness.portal.notifications.values(), (notification) => notification.TYPE),
      ['USER', 'SYSTEM', 'SYSTEM'],
    );
  });

  const errors: Array<[string, string, Record<string, unknown>, string]> = [
    ['a message without text', 'im.message.add', { DIALOG_ID: '1', MESSAGE: ' ' }, 'MESSAGE_EMPTY'],
    ['a message without a dialog', 'im.message.add', { MESSAGE: 'x' }, 'USER_ID_EMPTY'],
    ['a chat dialog without a number', 'im.message.add', { DIALOG_ID: 'chat', MESSAGE: 'x' }, 'CHAT_ID_EMPTY'],
    ['a message to an unknown user', 'im.message.add', { DIALOG_ID: '42', MESSAGE: 'x' }, 'USER_NOT_FOUND'],
    ['a notification without a user', 'im.notify.system.add', { MESSAGE: 'x' }, 'USER_ID_EMPTY'],
    ['a notification without text', 'im.notify.personal.add', { USER_ID: 1 }, 'MESSAGE_EMPTY'],
  ];
  for (const [name, method, params, code] of errors) {
    it(`refuses ${name} with ${code}`, () => {
      const harness = createHarness();
      assert.equal(harness.fail(method, params).code, code);
      assert.equal(harness.portal.messages.size + harness.portal.notifications.size, 0);
    });
  }
});

describe('users and departments', () => {
  it('user.current answers the caller', () => {
    const user = createHarness().call('user.current').result as Record<string, unknown>;
    assert.equal(user.ID, '1');
    assert.equal(user.ACTIVE, true);
    assert.deepEqual(user.UF_DEPARTMENT, [1]);
  });

  it('user.get filters with FILTER or top-level fields, sorts, and answers a bare array with total', () => {
    const harness = createHarness();
    loadDemoSeed(harness.portal);
    const all = harness.call('user.get', {});
    assert.equal(all.total, 5);
    assert.deepEqual(
      rowsOf(all).map((user) => user.ID),
      ['1', '2', '3', '4', '5'],
    );
    assert.deepEqual(
      rowsOf(harness.call('user.get', { FILTER: { UF_DEPARTMENT: 2 } })).map((user) => user.ID),
      ['2', '3'],
    );
    assert.deepEqual(
      rowsOf(harness.call('user.get', { ID: 4 })).map((user) => user.LAST_NAME),
      ['Khan'],
    );
    assert.deepEqual(
      rowsOf(harness.call('user.get', { FILTER: { NAME_SEARCH: 'nova' } })).map((user) => user.ID),
      ['3'],
    );
    assert.deepEqual(
      rowsOf(harness.call('user.get', { sort: 'ID', order: 'DESC', FILTER: { '>ID': 3 } })).map((user) => user.ID),
      ['5', '4'],
    );
  });

  it('profile and department.get', () => {
    const harness = createHarness();
    loadDemoSeed(harness.portal);
    assert.equal((harness.call('profile').result as Record<string, unknown>).ADMIN, true);
    const departments = rowsOf(harness.call('department.get', {}));
    assert.deepEqual(
      departments.map((department) => department.NAME),
      ['Company', 'Sales', 'Marketing', 'Support'],
    );
    assert.deepEqual(
      rowsOf(harness.call('department.get', { PARENT: 1 })).map((department) => department.ID),
      ['2', '3', '4'],
    );
  });
});

describe('system methods', () => {
  it('server.time answers an ISO date with offset', () => {
    assert.match(String(createHarness().call('server.time').result), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  });

  it('scope answers the caller scopes', () => {
    assert.deepEqual(createHarness().call('scope').result, ['crm', 'task', 'im', 'user', 'department']);
  });

  it('method.get checks the table and the caller scopes', () => {
    const harness = createHarness();
    assert.deepEqual(harness.call('method.get', { name: 'crm.lead.add' }).result, { isExisting: true, isAvailable: true });
    assert.deepEqual(harness.call('method.get', { name: 'sale.order.add' }).result, { isExisting: true, isAvailable: false });
    assert.deepEqual(harness.call('method.get', { name: 'crm.lead.convert' }).result, { isExisting: false, isAvailable: false });
    assert.deepEqual(harness.call('method.get', { name: 'batch' }).result, { isExisting: true, isAvailable: true });
  });

  it('methods lists what the caller may call', () => {
    const names = createHarness().call('methods').result as string[];
    assert.ok(names.includes('batch') && names.includes('crm.lead.list') && names.includes('event.offline.get'));
    assert.ok(!names.includes('sale.order.add'));
  });

  it('feature.get answers {value} and refuses an empty CODE', () => {
    const harness = createHarness();
    assert.deepEqual(harness.call('feature.get', { CODE: 'rest_offline_extended' }).result, { value: 'Y' });
    harness.portal.features.set('rest_offline_extended', false);
    assert.deepEqual(harness.call('feature.get', { code: 'rest_offline_extended' }).result, { value: 'N' });
    assert.equal(harness.fail('feature.get', {}).code, 'CODE_EMPTY');
  });

  it('events lists the event names of the caller scopes', () => {
    const names = createHarness().call('events').result as string[];
    assert.ok(names.includes('ONCRMLEADADD') && names.includes('ONAPPINSTALL') && names.includes('ONTASKADD'));
    assert.ok(!names.includes('ONSALEORDERSAVED'));
  });

  it('app-only methods are marked for the core to refuse webhooks', () => {
    for (const name of ['event.bind', 'event.unbind', 'event.get', 'event.offline.get', 'event.offline.clear', 'event.offline.error', 'event.offline.list']) {
      assert.equal(methodTable().get(name)?.appOnly, true, name);
    }
  });
});
