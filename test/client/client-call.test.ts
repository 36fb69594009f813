import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { startTestPortal, caught, type TestPortal } from './emulator-client.ts';
import { isBitrixApiError } from '../../src/errors/bitrix-api-error.ts';
import { isInvalidRequestError } from '../../src/errors/invalid-request-error.ts';
import { isB24ChainError } from '../../src/errors/b24chain-error.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(async () => portal.close());
beforeEach(async () => portal.emulator.reset());

/** Every textual form of an error a user or a log could see. */
function everyForm(error: unknown): string {
  const json = isB24ChainError(error) ? JSON.stringify(error.toJSON()) : '';
  return [String(error), (error as Error).stack ?? '', json, inspect(error, { depth: 5 })].join('\n');
}

describe('B24Client.call', () => {
  it('calls a method and returns result, time and, for lists, total and next', async () => {
    const client = portal.webhookClient();
    const added = await client.call<number>('crm.lead.add', { fields: { TITLE: 'First' } });
    assert.equal(typeof added.result, 'number');
    assert.ok(added.time !== undefined && typeof added.time.start === 'number');
    const read = await client.call<{ TITLE: string }>('crm.lead.get', { id: added.result });
    assert.equal(read.result.TITLE, 'First');
    const list = await client.call('crm.lead.list', {});
    assert.equal(list.total, 1);
  });

  it('works the same over OAuth', async () => {
    const client = portal.oauthClient();
    const added = await client.call<number>('crm.lead.add', { fields: { TITLE: 'By app' } });
    assert.ok(added.result > 0);
  });

  it('gives a typed error for an unknown method: code, method, status, not retryable, a hint', async () => {
    const error = await caught(() => portal.webhookClient().call('crm.lead.nosuch', {}));
    assert.ok(isBitrixApiError(error));
    assert.equal(error.code, 'ERROR_METHOD_NOT_FOUND');
    assert.equal(error.method, 'crm.lead.nosuch');
    assert.equal(error.httpStatus, 404);
    assert.equal(error.retryable, false);
    assert.match(error.hint, /chain methods/);
    assert.match(error.message, /^crm\.lead\.nosuch: Method not found! \(ERROR_METHOD_NOT_FOUND, HTTP 404\)\. /);
    assert.equal((await portal.emulator.stats()).httpRequests, 1, 'not retried');
  });

  it('reports the legacy empty error code with its description', async () => {
    const error = await caught(() => portal.webhookClient().call('crm.lead.get', { id: 987654 }));
    assert.ok(isBitrixApiError(error));
    assert.equal(error.bitrixCode, '');
    assert.equal(error.category, 'not-found');
    assert.match(error.message, /Not found/);
  });

  it('refuses params that are not an object, and bad method names, before sending', async () => {
    const client = portal.webhookClient();
    for (const params of [[1, 2], 'id=5', null, 42]) {
      const error = await caught(() => client.call('crm.lead.get', params as unknown as Record<string, unknown>));
      assert.ok(isInvalidRequestError(error) && error.code === 'PARAMS_NOT_OBJECT', JSON.stringify(params));
    }
    const badName = await caught(() => client.call('crm.lead.get?id=1'));
    assert.ok(isInvalidRequestError(badName) && badName.code === 'INVALID_METHOD_NAME');
    assert.equal((await portal.emulator.stats()).httpRequests, 0);
  });

  it('never shows the webhook code, tokens or client secret in errors, JSON or stacks', async () => {
    const webhookError = await caught(() => portal.webhookClient().call('no.such.method'));
    const badCode = await caught(() => portal.webhookClient({}, { webhookCode: `${portal.emulator.code}x` }).call('server.time'));
    assert.ok(isBitrixApiError(badCode) && badCode.code === 'INVALID_CREDENTIALS');
    await portal.emulator.expireTokens();
    const oauthError = await caught(() =>
      portal.oauthClient({}, { refreshToken: 'a-refresh-token-that-is-not-valid', clientSecret: portal.emulator.app.clientSecret }).call('server.time'),
    );
    assert.equal((oauthError as { code?: string }).code, 'REFRESH_TOKEN_REJECTED');
    const secrets = [portal.emulator.code, portal.emulator.app.accessToken, portal.emulator.app.clientSecret, 'a-refresh-token-that-is-not-valid'];
    for (const error of [webhookError, badCode, oauthError]) {
      const text = everyForm(error);
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked in ${(error as Error).name}`);
    }
  });
});
