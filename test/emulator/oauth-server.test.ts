/**
 * The emulator as OAuth server and `app.info` (issue 15, items 4 and 5), over HTTP.
 * Sources: bitrix24/b24restdocs settings/oauth/auto-renewal.md (the refresh answer: `"domain":
 * "oauth.bitrix.info"`, REST calls go to `client_endpoint`), api-reference/common/system/app-info.md
 * (the application's answer) and the rest module's `appInfo` (a webhook gets `SCOPE` and `LICENSE` only).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { http } from '../helpers/http.ts';

let emulator: RunningEmulator;

before(async () => {
  emulator = await startEmulator({ rate: 1000, burst: 1000 });
});
after(async () => emulator.close());

const APP_FIELDS = ['ID', 'CODE', 'VERSION', 'STATUS', 'INSTALLED', 'PAYMENT_EXPIRED', 'DAYS', 'LANGUAGE_ID', 'LICENSE', 'LICENSE_TYPE', 'LICENSE_FAMILY'];

describe('the OAuth token answer', () => {
  it('names the OAuth server in domain and the portal in client_endpoint, where the new token works', async () => {
    const app = emulator.app;
    const refreshed = await http(`${emulator.url}/oauth/token/`, {
      form: `grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${app.refreshToken}`,
    });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.domain, 'oauth.bitrix.info');
    assert.equal(refreshed.body.client_endpoint, `${emulator.url}/rest/`);
    assert.equal(refreshed.body.server_endpoint, `${emulator.url}/oauth/`);
    assert.equal(refreshed.body.member_id, app.memberId);
    const call = await http(`${refreshed.body.client_endpoint}app.info?auth=${refreshed.body.access_token}`);
    assert.equal(call.status, 200);
    assert.equal(call.body.result.CODE, app.clientId);
  });
});

describe('app.info', () => {
  it('answers a webhook SCOPE and LICENSE only', async () => {
    const answer = await http(`${emulator.webhookUrl}app.info`);
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body.result).sort(), ['LICENSE', 'SCOPE']);
    assert.ok(Array.isArray(answer.body.result.SCOPE) && answer.body.result.SCOPE.includes('crm'));
  });

  it("answers an application token the application's record, CODE being its client id", async () => {
    const answer = await http(`${emulator.url}/rest/app.info`, { json: { auth: emulator.app.accessToken } });
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body.result).sort(), [...APP_FIELDS].sort());
    assert.equal(answer.body.result.CODE, emulator.app.clientId);
    assert.equal(answer.body.result.INSTALLED, true);
    assert.equal(answer.body.result.STATUS, 'L');
    assert.equal(typeof answer.body.result.ID, 'number');
    assert.ok('time' in answer.body);
  });

  it('works inside batch, for an application and for a webhook', async () => {
    const asApp = await http(`${emulator.url}/rest/batch`, {
      json: { auth: emulator.app.accessToken, halt: 1, cmd: { info: 'app.info', time: 'server.time' } },
    });
    assert.equal(asApp.status, 200);
    assert.equal(asApp.body.result.result.info.CODE, emulator.app.clientId);
    const asWebhook = await http(`${emulator.webhookUrl}batch`, { json: { halt: 1, cmd: { info: 'app.info' } } });
    assert.deepEqual(Object.keys(asWebhook.body.result.result.info).sort(), ['LICENSE', 'SCOPE']);
  });

  it("is answered by the OAuth server (server_endpoint + app.info) with the portal's member_id and the client id", async () => {
    const answer = await http(`${emulator.app.serverEndpoint}app.info`, { form: `auth=${emulator.app.accessToken}` });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.result.member_id, emulator.app.memberId);
    assert.equal(answer.body.result.client_id, emulator.app.clientId);
    assert.equal(answer.body.result.CODE, emulator.app.clientId);
  });

  it("tells a second portal's token apart: its own member_id and client id", async () => {
    const second = await http(`${emulator.url}/_emulator/apps`, { json: { portal: 'new', admin: true } });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.memberId, emulator.app.memberId);
    const answer = await http(`${second.body.serverEndpoint}app.info?auth=${second.body.accessToken}`);
    assert.deepEqual([answer.body.result.member_id, answer.body.result.client_id], [second.body.memberId, second.body.clientId]);
  });

  const refusals: Array<[string, () => Promise<{ status: number; body: { error?: string } }>, number, string]> = [
    ['an unknown token at the OAuth server', () => http(`${emulator.url}/oauth/app.info?auth=invented-token`), 401, 'invalid_token'],
    ['no token at the OAuth server', () => http(`${emulator.url}/oauth/app.info`), 401, 'NO_AUTH_FOUND'],
    ['an unknown token at the portal', () => http(`${emulator.url}/rest/app.info?auth=invented-token`), 401, 'invalid_token'],
    ['another OAuth server path', () => http(`${emulator.url}/oauth/user.current?auth=${emulator.app.accessToken}`), 404, 'ERROR_METHOD_NOT_FOUND'],
  ];
  for (const [name, send, status, code] of refusals) {
    it(`refuses ${name} (${status} ${code})`, async () => {
      const answer = await send();
      assert.deepEqual([answer.status, answer.body.error], [status, code]);
    });
  }
});
