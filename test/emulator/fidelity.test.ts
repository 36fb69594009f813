/**
 * Issue 15 "Emulator fidelity": each answer below is asserted over HTTP against what a real portal sends,
 * as the cited public source shows it: captured server responses in leshchenko1979/fast_bitrix24
 * (`tests/real_responses/`, cited [fb file]) and the examples of the official docs bitrix24/b24restdocs
 * (cited [docs path]).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { http } from '../helpers/http.ts';

const START_MS = Date.UTC(2026, 5, 1, 9, 30, 0, 250);
let now = START_MS;
let emulator: RunningEmulator;

before(async () => {
  emulator = await startEmulator({ seed: 'demo', rate: 10_000, burst: 10_000, clock: { now: () => now } });
});
after(async () => emulator.close());
beforeEach(async () => {
  now = START_MS;
  await emulator.reset();
});

const call = (method: string, params: unknown) => http(`${emulator.webhookUrl}${method}`, { json: params });

describe('crm.item.* on an entityTypeId that is no CRM type and no smart process (item 1)', () => {
  // [docs api-reference/crm/universal/crm-item-add.md, crm-item-list.md, crm-item-get.md]:
  // HTTP 400 {"error":"NOT_FOUND","error_description":"Smart process not found"}
  const methods: Array<[string, Record<string, unknown>]> = [
    ['crm.item.add', { entityTypeId: 1036, fields: { title: 'x' } }],
    ['crm.item.get', { entityTypeId: 1036, id: 1 }],
    ['crm.item.list', { entityTypeId: 1036 }],
    ['crm.item.update', { entityTypeId: 1036, id: 1, fields: { title: 'y' } }],
    ['crm.item.delete', { entityTypeId: 1036, id: 1 }],
    ['crm.item.fields', { entityTypeId: 1036 }],
  ];
  for (const [method, params] of methods) {
    it(`${method} answers 400 NOT_FOUND "Smart process not found"`, async () => {
      const answer = await call(method, params);
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body, { error: 'NOT_FOUND', error_description: 'Smart process not found' });
    });
  }

  it('creates nothing, and serves the type once crm.type.add created it (crm.type.list lists it)', async () => {
    await call('crm.item.add', { entityTypeId: 1036, fields: { title: 'lost' } });
    assert.equal(emulator.portal.crm.table(1036).size, 0, 'the refused add stored no record');
    const created = await call('crm.type.add', { fields: { title: 'Shipments', entityTypeId: 1036 } });
    assert.equal(created.status, 200);
    assert.equal(created.body.result.type.entityTypeId, 1036);
    assert.equal(created.body.result.type.title, 'Shipments');
    const item = await call('crm.item.add', { entityTypeId: 1036, fields: { title: 'Box' } });
    assert.equal(item.status, 200);
    assert.deepEqual([item.body.result.item.id, item.body.result.item.entityTypeId], [1, 1036]);
    const listed = await call('crm.type.list', {});
    assert.deepEqual(
      listed.body.result.types.map((type: { entityTypeId: number }) => type.entityTypeId),
      [1036],
    );
    const outOfRange = await call('crm.type.add', { fields: { title: 'Odd', entityTypeId: 1031 } });
    assert.deepEqual([outOfRange.status, outOfRange.body.error_description], [400, 'entityTypeId is out of allowed range']);
    const busy = await call('crm.type.delete', { id: created.body.result.type.id });
    assert.deepEqual([busy.status, busy.body.error], [400, 'BX_ERROR'], 'a type with items cannot be deleted');
  });
});

describe('deal contact bindings: one set (item 2)', () => {
  async function contacts(count: number): Promise<number[]> {
    const ids: number[] = [];
    for (let index = 0; index < count; index += 1) ids.push((await call('crm.contact.add', { fields: { NAME: `C${index}` } })).body.result);
    return ids;
  }

  it('crm.item.add {contactId, contactIds} gives the docs example answer, and the legacy fields agree', async () => {
    const [, first, second] = (await contacts(3)) as [number, number, number];
    // [docs crm-item-add.md] sent contactId 4, contactIds [4,5] → item contactId 4, contactIds [4,5]
    const added = await call('crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', contactId: first, contactIds: [first, second] } });
    assert.equal(added.body.result.item.contactId, first);
    assert.deepEqual(added.body.result.item.contactIds, [first, second]);
    const legacy = await call('crm.deal.get', { id: added.body.result.item.id });
    assert.equal(legacy.body.result.CONTACT_ID, String(first));
    const onlyIds = await call('crm.item.add', { entityTypeId: 2, fields: { title: 'Ids only', contactIds: [second, first] } });
    assert.equal(onlyIds.body.result.item.contactId, second, 'the primary contact is always one of contactIds');
  });

  it('crm.deal.add {CONTACT_ID} fills contactIds, and crm.deal.contact.* read and change the same set', async () => {
    const [first, second, third] = (await contacts(3)) as [number, number, number];
    const id = (await call('crm.deal.add', { fields: { TITLE: 'Legacy', CONTACT_ID: first } })).body.result;
    const item = async () => (await call('crm.item.get', { entityTypeId: 2, id })).body.result.item;
    assert.deepEqual([(await item()).contactId, (await item()).contactIds], [first, [first]]);

    // [docs crm/deals/contacts/crm-deal-contact-add.md]: result true, false when already bound
    assert.equal((await call('crm.deal.contact.add', { id, fields: { CONTACT_ID: second } })).body.result, true);
    assert.equal((await call('crm.deal.contact.add', { id, fields: { CONTACT_ID: second } })).body.result, false);
    assert.equal((await call('crm.deal.contact.add', { id, fields: { CONTACT_ID: third, IS_PRIMARY: 'Y' } })).body.result, true);
    assert.deepEqual([(await item()).contactId, (await item()).contactIds], [third, [first, second, third]]);
    // [docs crm-deal-contact-items-get.md]: integers, ROLE_ID 0, IS_PRIMARY Y/N [fb crm_company_contact_items_get.py]
    const bindings = (await call('crm.deal.contact.items.get', { id })).body.result;
    assert.deepEqual(bindings, [
      { CONTACT_ID: first, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'N' },
      { CONTACT_ID: second, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      { CONTACT_ID: third, SORT: 30, ROLE_ID: 0, IS_PRIMARY: 'Y' },
    ]);
    // [docs crm-deal-contact-delete.md]: removing the primary makes the first remaining one primary
    assert.equal((await call('crm.deal.contact.delete', { id, fields: { CONTACT_ID: third } })).body.result, true);
    assert.equal((await call('crm.deal.get', { id })).body.result.CONTACT_ID, String(first));
    // [docs crm-deal-contact-items-set.md]: no IS_PRIMARY → the first item; SORT (i + 1) × 10
    await call('crm.deal.contact.items.set', { id, items: [{ CONTACT_ID: third }, { CONTACT_ID: second }] });
    assert.deepEqual([(await item()).contactId, (await item()).contactIds], [third, [third, second]]);
    assert.equal((await call('crm.deal.contact.items.delete', { id })).body.result, true);
    assert.deepEqual([(await item()).contactId, (await item()).contactIds], [0, []]);
    const missing = await call('crm.deal.contact.items.get', { id: 999 });
    assert.deepEqual([missing.status, missing.body], [400, { error: '', error_description: 'Not found.' }]);
  });

  it('the seeded deals agree with themselves', async () => {
    const items = (await call('crm.item.list', { entityTypeId: 2, select: ['id', 'contactId', 'contactIds'] })).body.result.items as Array<{
      contactId: number;
      contactIds: number[];
    }>;
    assert.ok(items.length > 0);
    for (const deal of items) assert.ok(deal.contactIds.includes(deal.contactId), `deal ${JSON.stringify(deal)}`);
  });
});

describe('task meta-statuses (item 3)', () => {
  // [docs api-reference/tasks/tasks-task-list.md]: filter STATUS is the meta-status (subStatus): -1
  // overdue, -2 not viewed, -3 almost overdue; REAL_STATUS is the status.
  // [fb get_all_tasks.py]: filter {"status": -1} answered {"status":"2","subStatus":"-1"} rows.
  async function addTask(fields: Record<string, unknown>): Promise<string> {
    const answer = await call('tasks.task.add', { fields: { TITLE: 'T', RESPONSIBLE_ID: 1, ...fields } });
    assert.equal(answer.status, 200, answer.text);
    return answer.body.result.task.id;
  }

  it('answers an overdue task with status "2" and subStatus "-1", and selects it by STATUS -1', async () => {
    const overdue = await addTask({ DEADLINE: new Date(START_MS + 3_600_000).toISOString() });
    const later = await addTask({ DEADLINE: new Date(START_MS + 10 * 86_400_000).toISOString() });
    now += 2 * 3_600_000;
    const task = (await call('tasks.task.get', { taskId: overdue, select: ['ID', 'STATUS'] })).body.result.task;
    assert.deepEqual([task.status, task.subStatus], ['2', '-1']);
    const listed = (await call('tasks.task.list', { filter: { STATUS: -1 }, select: ['ID', 'STATUS', 'STATUS_COMPLETE'] })).body.result.tasks;
    assert.deepEqual(
      listed.filter((row: { id: string }) => row.id === overdue || row.id === later),
      [{ id: overdue, status: '2', group: [], subStatus: '-1' }],
    );
    const real = (await call('tasks.task.list', { filter: { REAL_STATUS: 2, '>ID': Number(overdue) - 1 }, select: ['ID'] })).body.result.tasks;
    assert.deepEqual(real.map((row: { id: string }) => row.id).sort(), [overdue, later].sort(), 'REAL_STATUS matches the stored status');
    await call('tasks.task.complete', { taskId: overdue });
    const completed = (await call('tasks.task.get', { taskId: overdue, select: ['ID', 'STATUS'] })).body.result.task;
    assert.deepEqual([completed.status, completed.subStatus], ['5', '5'], 'a completed task is never overdue');
  });

  it('selects an almost overdue task by STATUS -3 and a task the caller never viewed by STATUS -2', async () => {
    const soon = await addTask({ DEADLINE: new Date(START_MS + 3_600_000).toISOString() });
    const assigned = await addTask({ RESPONSIBLE_ID: 2 });
    const other = (await http(`${emulator.url}/_emulator/apps`, { json: { kind: 'webhook', userId: 2 } })).body;
    const of = async (webhookUrl: string, status: number) =>
      (
        (await http(`${webhookUrl}tasks.task.list`, { json: { filter: { STATUS: status, '>ID': Number(soon) - 1 }, select: ['ID'] } })).body.result
          .tasks as Array<{ id: string }>
      ).map((row) => row.id);
    assert.deepEqual(await of(emulator.webhookUrl, -3), [soon]);
    assert.deepEqual(await of(other.webhookUrl, -2), [assigned], 'user 2 did not create and has not viewed it');
    assert.deepEqual(await of(emulator.webhookUrl, -2), [], 'its creator has');
  });
});

describe('batch halt as PHP (bool) (item 6)', () => {
  it('halts on the text "false" sent as form or query, not on JSON false', async () => {
    const cmd = 'cmd[a]=crm.lead.get%3Fid%3D999999&cmd[b]=crm.lead.add%3Ffields%5BTITLE%5D%3Dx';
    const form = await http(`${emulator.webhookUrl}batch`, { form: `halt=false&${cmd}` });
    assert.deepEqual(Object.keys(form.body.result.result_error), ['a']);
    assert.deepEqual(form.body.result.result, [], '"false" is a non-empty string: (bool) true, b never ran');
    const query = await http(`${emulator.webhookUrl}batch?halt=false&${cmd}`);
    assert.deepEqual(query.body.result.result, []);
    const zero = await http(`${emulator.webhookUrl}batch`, { form: `halt=0&${cmd}` });
    assert.deepEqual(Object.keys(zero.body.result.result), ['b'], '"0" is (bool) false');
    const json = await call('batch', { halt: false, cmd: { a: 'crm.lead.get?id=999999', b: 'crm.lead.add?fields[TITLE]=y' } });
    assert.deepEqual(Object.keys(json.body.result.result), ['b']);
  });
});

describe('batch command order (item 7)', () => {
  it('runs integer-like keys in the order sent, so "0" can use $result[lead]', async () => {
    const body = '{"halt":1,"cmd":{"lead":"crm.lead.add?fields[TITLE]=Order","0":"crm.lead.get?id=$result[lead]"}}';
    const answer = await http(`${emulator.webhookUrl}batch`, { json: body });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.result.result_error, []);
    assert.equal(answer.body.result.result['0'].TITLE, 'Order');
    assert.match(answer.text, /"result":\{"lead":\d+,"0":\{/, 'the result map keeps the order sent');
  });

  it('renders {"1":...,"0":...} as an object in that order, as PHP json_encode does', async () => {
    const answer = await http(`${emulator.webhookUrl}batch`, { form: 'cmd[1]=server.time&cmd[0]=server.time' });
    assert.match(answer.text, /"result":\{"1":"[^"]+","0":"[^"]+"\}/);
    const list = await http(`${emulator.webhookUrl}batch`, { form: 'cmd[0]=server.time&cmd[1]=server.time' });
    assert.ok(Array.isArray(list.body.result.result), 'keys 0..n-1 in order still make a list');
  });
});

describe('user date fields (item 8)', () => {
  it('answers LAST_ACTIVITY_DATE as Y-m-d H:i:s, TIMESTAMP_X in the site format, LAST_LOGIN and DATE_REGISTER as ISO', async () => {
    // [docs settings/how-to-call-rest-api/batch.md]: "LAST_LOGIN": "2024-08-29T10:29:54+03:00",
    // "DATE_REGISTER": "2023-08-24T03:00:00+03:00", "TIMESTAMP_X": "24.08.2023 13:19:39",
    // "LAST_ACTIVITY_DATE": "2024-08-29 10:30:11"
    const user = (await call('user.current', {})).body.result;
    assert.match(user.LAST_LOGIN, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    assert.match(user.DATE_REGISTER, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    assert.match(user.TIMESTAMP_X, /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/);
    assert.match(user.LAST_ACTIVITY_DATE, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const empty = await startEmulator({ seed: 'empty' });
    try {
      // [docs user-get.md]: "LAST_ACTIVITY_DATE": {} for a user with no activity
      assert.deepEqual((await http(`${empty.webhookUrl}user.get`, { json: { ID: 1 } })).body.result[0].LAST_ACTIVITY_DATE, {});
    } finally {
      await empty.close();
    }
  });
});

describe('time.operating_reset_at (item 9)', () => {
  it('is floor(start) + 600 while operating is 0, in time and in every result_time entry', async () => {
    // [fb crm_contact_add_batch.py]: start 1729696689.13 → operating_reset_at 1729697289, operating 0,
    // in the top-level time and in result_time
    const single = await call('server.time', {});
    assert.equal(single.body.time.operating, 0);
    assert.equal(single.body.time.operating_reset_at, Math.floor(START_MS / 1000) + 600);
    const batch = await call('batch', { cmd: { a: 'server.time', b: 'crm.lead.list?select[]=ID' } });
    assert.equal(batch.body.time.operating_reset_at, Math.floor(batch.body.time.start) + 600);
    for (const name of ['a', 'b']) {
      const time = batch.body.result.result_time[name];
      assert.deepEqual([time.operating, time.operating_reset_at], [0, Math.floor(time.start) + 600], name);
    }
    assert.match(single.text, /"operating_reset_at":\d+,"operating":0\}/, 'in the order the portal sends them');
  });
});

describe('lower items', () => {
  it('leaves an unresolved reference embedded in text as the literal text', async () => {
    const answer = await call('batch', { cmd: { a: 'crm.lead.add?fields[TITLE]=x $result[missing][ID] y' } });
    const id = answer.body.result.result.a;
    assert.equal((await call('crm.lead.get', { id })).body.result.TITLE, 'x $result[missing][ID] y');
  });

  it('answers an unknown method with a wrong secret 404 ERROR_METHOD_NOT_FOUND (the method is resolved first)', async () => {
    const answer = await http(`${emulator.url}/rest/1/wrong-code/crm.nothing.here`);
    assert.deepEqual([answer.status, answer.body.error], [404, 'ERROR_METHOD_NOT_FOUND']);
    const known = await http(`${emulator.url}/rest/1/wrong-code/crm.lead.list`);
    assert.equal(known.status, 401, 'a known method still checks the credentials');
  });

  it('answers bad credentials and a missing scope with 401 as measured, 403 as documented (switchable)', async () => {
    // protocol.md §10 CONFLICT: the docs list 403; the server source and live tests give 401
    const scoped = (await http(`${emulator.url}/_emulator/apps`, { json: { kind: 'webhook', scopes: ['user'] } })).body;
    assert.equal((await http(`${emulator.url}/rest/1/wrong-code/crm.lead.list`)).status, 401);
    assert.equal((await http(`${scoped.webhookUrl}crm.lead.list`)).status, 401);
    const documented = await startEmulator({ authErrorStatus: 'documented' });
    try {
      const other = (await http(`${documented.url}/_emulator/apps`, { json: { kind: 'webhook', scopes: ['user'] } })).body;
      const wrong = await http(`${documented.url}/rest/1/wrong-code/crm.lead.list`);
      assert.deepEqual([wrong.status, wrong.body.error], [403, 'INVALID_CREDENTIALS']);
      const scope = await http(`${other.webhookUrl}crm.lead.list`);
      assert.deepEqual([scope.status, scope.body.error], [403, 'insufficient_scope']);
    } finally {
      await documented.close();
    }
  });

  it('carries the flat multifield aliases beside fm in crm.item.get', async () => {
    // [docs crm-item-get.md]: "phoneWork": "+6111111111", "phoneMobile": "", "emailWork": ..., "skype": null,
    // "email": ..., "phone": ..., "fm": [...]
    const id = (
      await call('crm.lead.add', {
        fields: { TITLE: 'L', PHONE: [{ VALUE: '+6111111111', VALUE_TYPE: 'WORK' }], EMAIL: [{ VALUE: 'admin@example.com', VALUE_TYPE: 'WORK' }] },
      })
    ).body.result;
    const item = (await call('crm.item.get', { entityTypeId: 1, id })).body.result.item;
    assert.deepEqual(
      [item.phoneMobile, item.phoneWork, item.emailWork, item.emailHome, item.skype, item.email, item.phone],
      ['', '+6111111111', 'admin@example.com', '', null, 'admin@example.com', '+6111111111'],
    );
    assert.equal(item.fm.length, 2);
  });
});
