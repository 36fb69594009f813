import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { registerTestMethods } from '../helpers/test-methods.ts';
import { http } from '../helpers/http.ts';

let emulator: RunningEmulator;
let added: Map<number, unknown>;
const internalErrors: string[] = [];

before(async () => {
  emulator = await startEmulator({ rate: 1000, burst: 1000, onInternalError: (method) => internalErrors.push(method) });
  added = registerTestMethods(emulator).added;
});
after(async () => emulator.close());
beforeEach(async () => {
  await emulator.reset();
  added.clear();
});

describe('envelope and request forms', () => {
  it('answers a webhook call with result and a full time object, with or without .json', async () => {
    for (const suffix of ['', '.json']) {
      const answer = await http(`${emulator.webhookUrl}test.echo${suffix}?a=1`);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.result, { a: '1' });
      for (const field of ['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating']) {
        assert.ok(field in answer.body.time, `time.${field} missing`);
      }
      assert.match(answer.body.time.date_start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8');
    }
  });

  it('merges query, form and JSON bodies, decoding PHP-style nested keys', async () => {
    const form = await http(`${emulator.webhookUrl}test.echo?q=1`, { form: 'fields[PHONE][0][VALUE]=112233&fields[PHONE][0][VALUE_TYPE]=WORK&select[]=ID' });
    assert.deepEqual(form.body.result, { q: '1', fields: { PHONE: [{ VALUE: '112233', VALUE_TYPE: 'WORK' }] }, select: ['ID'] });
    const json = await http(`${emulator.webhookUrl}test.echo?q=1`, { json: { fields: { TITLE: 'x' }, q: 2 } });
    assert.deepEqual(json.body.result, { q: 2, fields: { TITLE: 'x' } });
  });

  it('treats a malformed JSON body as no parameters and keeps serving', async () => {
    const answer = await http(`${emulator.webhookUrl}test.echo?q=1`, { json: '{"broken": ' });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.result, { q: '1' });
  });

  it('lifts total and next into the envelope; next only while rows remain', async () => {
    const first = await http(`${emulator.webhookUrl}test.list?count=120`);
    assert.equal(first.body.total, 120);
    assert.equal(first.body.next, 50);
    const last = await http(`${emulator.webhookUrl}test.list?count=120&start=100`);
    assert.equal(last.body.result.length, 20);
    assert.equal('next' in last.body, false);
  });
});

describe('errors and statuses', () => {
  // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes
  const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, string]> = [
    ['unknown method', () => http(`${emulator.webhookUrl}no.such.method`), 404, 'ERROR_METHOD_NOT_FOUND'],
    ['wrong webhook code', () => http(`${emulator.url}/rest/1/wrongcode1234567/test.echo`), 401, 'INVALID_CREDENTIALS'],
    ['wrong webhook user', () => http(`${emulator.url}/rest/7/${emulator.code}/test.echo`), 401, 'INVALID_CREDENTIALS'],
    ['no auth at all', () => http(`${emulator.url}/rest/test.echo`), 401, 'NO_AUTH_FOUND'],
    ['unknown token', () => http(`${emulator.url}/rest/test.echo?auth=nope`), 401, 'invalid_token'],
    ['app-only method through a webhook', () => http(`${emulator.webhookUrl}test.apponly`), 403, 'WRONG_AUTH_TYPE'],
    ['a handler bug', () => http(`${emulator.webhookUrl}test.crash`), 500, 'INTERNAL_SERVER_ERROR'],
    ['a REST 3.0-only method on the v2 path', () => http(`${emulator.url}/rest/1/${emulator.code}/main.eventlog.tail`), 404, 'ERROR_METHOD_NOT_FOUND'],
  ];
  for (const [name, call, status, code] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const answer = await call();
      assert.equal(answer.status, status);
      assert.equal(answer.body.error, code);
      assert.equal(typeof answer.body.error_description, 'string');
      assert.equal('time' in answer.body, false);
      if (code === 'INTERNAL_SERVER_ERROR') assert.deepEqual(internalErrors, ['test.crash'], 'a handler bug is reported, not silent');
    });
  }

  it('passes empty, numeric and in-200 error codes through as the method gives them', async () => {
    const empty = await http(`${emulator.webhookUrl}test.fail?code=&text=Not+found`);
    assert.deepEqual([empty.status, empty.body], [400, { error: '', error_description: 'Not found' }]);
    const numeric = await http(`${emulator.webhookUrl}test.fail?code=100&text=x`);
    assert.equal(numeric.body.error, '100');
    const in200 = await http(`${emulator.webhookUrl}test.fail?code=SOFT&status=200`);
    assert.deepEqual([in200.status, in200.body.error], [200, 'SOFT']);
  });

  it('refuses a method outside the webhook scopes with 401 insufficient_scope', async () => {
    const limited = (await http(`${emulator.url}/_emulator/apps`, { json: { kind: 'webhook', scopes: ['task'] } })).body;
    const answer = await http(`${limited.webhookUrl}test.add`, { json: { fields: {} } });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error, 'insufficient_scope');
    assert.equal(added.size, 0);
  });

  it('counts refusals by code and requests by status in the stats', async () => {
    await http(`${emulator.webhookUrl}no.such.method`);
    await http(`${emulator.webhookUrl}test.echo`);
    const stats = (await http(`${emulator.url}/_emulator/stats`)).body;
    assert.equal(stats.httpRequests, 2);
    assert.equal(stats.refusals.ERROR_METHOD_NOT_FOUND, 1);
    assert.equal(stats.statuses['200'], 1);
    assert.equal(stats.statuses['404'], 1);
    assert.equal(stats.methods['test.echo'], 1);
  });
});

describe('OAuth', () => {
  it('accepts the token as auth, access_token or a Bearer header', async () => {
    const token = emulator.app.accessToken;
    for (const answer of [
      await http(`${emulator.url}/rest/test.echo?auth=${token}`),
      await http(`${emulator.url}/rest/test.echo`, { json: { access_token: token } }),
      await http(`${emulator.url}/rest/test.echo`, { headers: { authorization: `Bearer ${token}` } }),
    ]) {
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.result, {}, 'the auth parameter never reaches the method');
    }
  });

  it('expires tokens; a refresh replaces both and the old refresh token stops working', async () => {
    const fresh = await startEmulator({ rate: 1000, burst: 1000 });
    registerTestMethods(fresh);
    try {
      await fresh.expireTokens();
      const expired = await http(`${fresh.url}/rest/test.echo?auth=${fresh.app.accessToken}`);
      assert.deepEqual([expired.status, expired.body.error], [401, 'expired_token']);
      const form = `grant_type=refresh_token&client_id=${fresh.app.clientId}&client_secret=${fresh.app.clientSecret}&refresh_token=${fresh.app.refreshToken}`;
      const refreshed = await http(`${fresh.url}/oauth/token/`, { form });
      assert.equal(refreshed.status, 200);
      assert.notEqual(refreshed.body.access_token, fresh.app.accessToken);
      assert.notEqual(refreshed.body.refresh_token, fresh.app.refreshToken);
      assert.equal(refreshed.body.member_id, fresh.app.memberId);
      assert.equal(refreshed.body.expires_in, 3600);
      assert.equal((await http(`${fresh.url}/rest/test.echo?auth=${refreshed.body.access_token}`)).status, 200);
      const reused = await http(`${fresh.url}/oauth/token/?${form}`);
      assert.deepEqual([reused.status, reused.body.error], [400, 'invalid_grant']);
      const badSecret = await http(
        `${fresh.url}/oauth/token/?grant_type=refresh_token&client_id=${fresh.app.clientId}&client_secret=x&refresh_token=${refreshed.body.refresh_token}`,
      );
      assert.deepEqual([badSecret.status, badSecret.body.error], [401, 'invalid_client']);
      assert.equal((await fresh.stats()).tokenRefreshes, 1);
    } finally {
      await fresh.close();
    }
  });

  it('honours the configured token lifetime on the injected clock', async () => {
    let now = 1_800_000_000_000;
    const timed = await startEmulator({ tokenLifetimeSeconds: 60, clock: { now: () => now } });
    registerTestMethods(timed);
    try {
      assert.equal((await http(`${timed.url}/rest/test.echo?auth=${timed.app.accessToken}`)).status, 200);
      now += 61_000;
      assert.equal((await http(`${timed.url}/rest/test.echo?auth=${timed.app.accessToken}`)).body.error, 'expired_token');
    } finally {
      await timed.close();
    }
  });
});

describe('request bodies over the limit', () => {
  for (const [label, path] of [
    ['v2', () => `/rest/${emulator.userId}/${emulator.code}/crm.lead.add`],
    ['v3', () => `/rest/api/${emulator.userId}/${emulator.code}/tasks.task.add`],
  ] as const) {
    it(`answers 413 on the ${label} path for a body over 16 MiB, and counts it`, async () => {
      const before = (await emulator.stats()).statuses['413'] ?? 0;
      const response = await fetch(`${emulator.url}${path()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fields: { title: 'x'.repeat(16 * 1024 * 1024 + 1) } }),
      });
      assert.equal(response.status, 413);
      await response.text();
      assert.equal((await emulator.stats()).statuses['413'], before + 1);
    });
  }
});
