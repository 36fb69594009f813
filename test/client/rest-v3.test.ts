/**
 * REST 3.0 through the real client and transport against the emulator over HTTP: version choice,
 * the v3 envelope and errors, Idempotency-Key replays after a lost answer, 422 reuse, v3 lists and
 * the v3 batch, and the v2 path's 404 for v3-only methods.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { B24Client } from '../../src/client/b24-client.ts';
import { resolveConnection } from '../../src/client/resolve-connection.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { isIdempotencyKeyReusedError } from '../../src/errors/idempotency-key-reused-error.ts';
import { isV3ApiError } from '../../src/errors/v3-api-error.ts';
import { http } from '../helpers/http.ts';

let emulator: RunningEmulator;
let client: B24Client;

function newClient(): B24Client {
  const env = {
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'webhook',
    B24_WEBHOOK_USER_ID: String(emulator.userId),
    B24_WEBHOOK_CODE: emulator.code,
    B24_RATE_LIMITER_RATE: '1000',
    B24_RATE_LIMITER_BURST: '1000',
  };
  return new B24Client({ connection: resolveConnection({ env }), retry: { baseDelayMs: 1, maxDelayMs: 2 } });
}

before(async () => {
  emulator = await startEmulator({ seed: 'demo', rate: 1000, burst: 1000 });
});
after(async () => {
  await client?.close();
  await emulator.close();
});
beforeEach(async () => {
  await client?.close();
  await emulator.reset();
  client = newClient();
});

const taskFields = (title: string): Record<string, unknown> => ({ fields: { title, creatorId: 1, responsibleId: 1 } });

describe('REST 3.0 client', () => {
  it('auto picks v3 for task methods with v3 parameters and v2 for CRM and for v2-shaped task parameters', async () => {
    const added = await client.call<{ item: { id: number } }>('tasks.task.add', taskFields('Auto v3'));
    assert.equal(added.version, 3);
    assert.equal(typeof added.result.item.id, 'number', 'v3 ids are integers');
    const lead = await client.call('crm.lead.add', { fields: { TITLE: 'Auto v2' } });
    assert.equal(lead.version, 2);
    const legacy = await client.call('tasks.task.add', { fields: { TITLE: 'Legacy form', RESPONSIBLE_ID: 1 } });
    assert.equal(legacy.version, 2);
    const stats = await emulator.stats();
    assert.equal(stats.v3.methods['tasks.task.add'], 1);
    assert.equal(stats.methods['tasks.task.add'], 2, 'methods counts both paths');
    assert.equal(stats.methods['crm.lead.add'], 1);
    assert.equal(stats.v3.methods['crm.lead.add'], undefined);
  });

  it('re-sends a v3 write whose connection dropped after the portal executed it, and the portal replays: one task', async () => {
    await emulator.setFaults({ rules: [{ method: 'tasks.task.add', rate: 1, drop: 'after', times: 1 }] });
    const retries: string[] = [];
    await client.close();
    client = new B24Client({
      connection: newClient().connection,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      hooks: { onRetry: (event) => retries.push(event.code) },
    });
    const added = await client.call<{ item: { id: number; title: string } }>('tasks.task.add', taskFields('Exactly once'), {
      idempotencyKey: 'run-1/step-add/item-7',
    });
    assert.equal(added.replayed, true);
    assert.equal(added.result.item.title, 'Exactly once');
    assert.equal(retries.length, 1, 'one re-send');
    const stats = await emulator.stats();
    assert.equal(stats.droppedConnections, 1);
    assert.equal(stats.v3.replays, 1, 'the emulator answered the re-send from its idempotency store');
    const titles = [...emulator.portal.tasks.values()].filter((task) => task.TITLE === 'Exactly once');
    assert.equal(titles.length, 1, 'exactly one task');
  });

  it('never has two requests with one key in flight: the portal would run both (it stores a key when the write finished)', async () => {
    const slow = await startEmulator({ seed: 'demo', rate: 1000, burst: 1000, executionMs: { methods: { 'tasks.task.add': 300 } } });
    const env = { B24_DOMAIN: slow.url, B24_AUTH_MODE: 'webhook', B24_WEBHOOK_USER_ID: String(slow.userId), B24_WEBHOOK_CODE: slow.code };
    const slowClient = new B24Client({ connection: resolveConnection({ env: { ...env, B24_RATE_LIMITER_RATE: '1000', B24_RATE_LIMITER_BURST: '1000' } }) });
    try {
      const sends = await Promise.all(
        [1, 2].map(() => slowClient.call('tasks.task.add', taskFields('One key, two sends'), { idempotencyKey: 'concurrent-key' })),
      );
      assert.deepEqual(sends.map((send) => send.replayed === true).sort(), [false, true], 'the second send was answered as a replay');
      assert.equal([...slow.portal.tasks.values()].filter((task) => task.TITLE === 'One key, two sends').length, 1, 'exactly one task');
      // The emulator really runs both when they overlap: two raw requests at once make two tasks.
      const raw = () =>
        fetch(`${slow.url}/rest/api/${slow.userId}/${slow.code}/tasks.task.add`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'raw-key' },
          body: JSON.stringify(taskFields('Raw overlap')),
        }).then((response) => response.text());
      await Promise.all([raw(), raw()]);
      assert.equal([...slow.portal.tasks.values()].filter((task) => task.TITLE === 'Raw overlap').length, 2, 'overlapping sends both ran');
    } finally {
      await slowClient.close();
      await slow.close();
    }
  });

  it('reports a key reused with a different body as IDEMPOTENCY_KEY_REUSED and sends it once', async () => {
    await client.call('tasks.task.add', taskFields('First body'), { idempotencyKey: 'same-key' });
    await assert.rejects(client.call('tasks.task.add', taskFields('Second body'), { idempotencyKey: 'same-key' }), (error: unknown) => {
      assert.ok(isIdempotencyKeyReusedError(error));
      assert.match(error.message, /^tasks\.task\.add: the idempotency key same-key was already used with a different body.*\(IDEMPOTENCY_KEY_REUSED\)\. /);
      return true;
    });
    const stats = await emulator.stats();
    assert.equal(stats.statuses['422'], 1, 'not retried');
    assert.equal([...emulator.portal.tasks.values()].filter((task) => task.TITLE === 'Second body').length, 0);
  });

  it('maps a v3 validation error into a BitrixApiError that names the field', async () => {
    await assert.rejects(client.call('tasks.task.add', { fields: { title: 'No people' } }), (error: unknown) => {
      assert.ok(isV3ApiError(error));
      assert.equal(error.bitrixCode, 'BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION');
      assert.deepEqual(
        error.validation.map((problem) => problem.field),
        ['creatorId'],
      );
      assert.match(error.message, /creatorId: Required field `creatorId` is missing/);
      return true;
    });
  });

  it('scans 2,500 more tasks on v3 in 3 requests of up to 1000 rows (keyset on id), every row once', async () => {
    for (let index = 0; index < 2500; index += 1) {
      const id = emulator.portal.tasks.allocateId();
      emulator.portal.tasks.insert(id, { ID: id, TITLE: `T${index}`, RESPONSIBLE_ID: 1, CREATED_BY: 1, STATUS: 2, PRIORITY: 1 });
    }
    const before = client.counters().requests;
    const ids: number[] = [];
    for await (const row of client.list('tasks.task.list', { select: ['id', 'title'] }).rows()) ids.push((row as { id: number }).id);
    assert.equal(ids.length, emulator.portal.tasks.size, 'the seeded tasks and the 2,500');
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(client.counters().requests - before, 3);
  });

  it('tails main.eventlog by its keyset cursor', async () => {
    const rows: Array<{ id: number }> = [];
    for await (const row of client.list('main.eventlog.tail', { select: ['id'] }, { version: 3 }).rows()) rows.push(row as { id: number });
    assert.equal(rows.length, 120);
    assert.deepEqual(
      rows.slice(0, 2).map((row) => row.id),
      [1, 2],
    );
  });

  it('runs a v3 batch with $ref, and a failing command undoes the whole batch', async () => {
    const added = await client.call<{ item: { id: number } }>('tasks.task.add', taskFields('Batch base'));
    const ok = await client.batchV3({
      found: { method: 'tasks.task.list', params: { filter: [['id', '=', added.result.item.id]] } },
      renamed: { method: 'tasks.task.update', params: { id: { $ref: 'found.items.0.id' }, fields: { title: 'Renamed by batch' } } },
    });
    assert.deepEqual(ok.results.renamed, { result: true });
    assert.equal(emulator.portal.tasks.get(added.result.item.id)?.TITLE, 'Renamed by batch');
    await assert.rejects(
      client.batchV3({
        extra: { method: 'tasks.task.add', params: taskFields('Rolled back') },
        bad: { method: 'tasks.task.get', params: { id: 999_999 } },
      }),
      /ENTITYNOTFOUNDEXCEPTION/,
    );
    assert.equal([...emulator.portal.tasks.values()].filter((task) => task.TITLE === 'Rolled back').length, 0, 'all or nothing');
  });

  it('refreshes the method registry from rest.scope.list', async () => {
    assert.equal(await client.refreshMethodVersions(), 'rest.scope.list');
    assert.equal(client.methodVersions.source, 'portal');
    assert.ok(client.methodVersions.hasV3('main.eventlog.tail'));
    assert.ok(!client.methodVersions.hasV3('crm.lead.add'));
  });

  it('answers a v3-only method on the v2 path with the real 404, a malformed key with 400 and a non-JSON body with 400', async () => {
    const v2 = await http(`${emulator.url}/rest/${emulator.userId}/${emulator.code}/main.eventlog.tail`, { json: {} });
    assert.equal(v2.status, 404);
    assert.equal(v2.body.error, 'ERROR_METHOD_NOT_FOUND');
    const base = `${emulator.url}/rest/api/${emulator.userId}/${emulator.code}/`;
    const badKey = await http(`${base}tasks.task.add`, { json: taskFields('x'), headers: { 'idempotency-key': 'has space' } });
    assert.equal(badKey.status, 400);
    assert.equal(badKey.body.error.code, 'BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION');
    const form = await http(`${base}tasks.task.list`, { form: 'select[]=id' });
    assert.equal(form.status, 400);
    assert.equal(form.body.error.code, 'BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION');
  });

  it('calls v3 as an application (auth in the body) and a v3 batch with a Bearer token', async () => {
    const app = emulator.app;
    const oauth = new B24Client({
      connection: resolveConnection({
        options: {
          domain: emulator.url,
          authMode: 'oauth',
          accessToken: app.accessToken,
          refreshToken: app.refreshToken,
          clientId: app.clientId,
          clientSecret: app.clientSecret,
          oauthUrl: app.serverEndpoint,
          memberId: app.memberId,
        },
        env: { B24_RATE_LIMITER_RATE: '1000', B24_RATE_LIMITER_BURST: '1000' },
      }),
    });
    try {
      const added = await oauth.call<{ item: { id: number } }>('tasks.task.add', taskFields('From the app'), { version: 3 });
      assert.equal(added.version, 3);
      const batch = await oauth.batchV3({ task: { method: 'tasks.task.get', params: { id: added.result.item.id, select: ['id', 'title'] } } });
      assert.deepEqual(batch.results.task, { item: { id: added.result.item.id, title: 'From the app' } });
    } finally {
      await oauth.close();
    }
  });
});
