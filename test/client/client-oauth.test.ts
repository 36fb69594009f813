import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPortal, caught, type TestPortal } from './emulator-client.ts';
import { B24Client } from '../../src/client/b24-client.ts';
import { resolveConnection } from '../../src/client/resolve-connection.ts';
import { writeCredentialsFile } from '../../src/client/credentials-file.ts';
import { MemoryTokenStore, type OAuthTokens } from '../../src/client/token-store.ts';
import { isAuthError } from '../../src/errors/auth-error.ts';
import type { TokenRefreshEvent } from '../../src/client/client-hooks.ts';

let portal: TestPortal;
const directory = mkdtempSync(join(tmpdir(), 'b24-oauth-'));
before(async () => {
  portal = await startTestPortal();
});
after(async () => {
  await portal.close();
  rmSync(directory, { recursive: true, force: true });
});
beforeEach(async () => portal.emulator.reset());

describe('OAuth refresh', () => {
  it('N parallel calls that meet an expired token cause exactly one refresh; all succeed; both tokens handed over', async () => {
    const saved: OAuthTokens[] = [];
    const refreshes: TokenRefreshEvent[] = [];
    const app = await portal.newApp();
    const client = portal.oauthClient({ onTokens: (tokens) => void saved.push(tokens), hooks: { onTokenRefresh: (event) => refreshes.push(event) } }, {}, app);
    await client.call('server.time');
    await portal.emulator.expireTokens();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, index) => client.call<number>('crm.lead.add', { fields: { TITLE: `L${index}` } })));
    assert.equal(new Set(answers.map((answer) => answer.result)).size, 10);
    const stats = await portal.emulator.stats();
    assert.equal(stats.tokenRefreshes, 1);
    assert.equal(stats.methods['crm.lead.add'], 10, 'the refused writes were re-sent once each');
    assert.equal(saved.length, 1);
    assert.ok(saved[0]?.accessToken && saved[0].refreshToken && saved[0].refreshToken !== app.refreshToken);
    assert.equal(refreshes.length, 1);
  });

  it('several clients sharing a credentials file (as several processes would): one refresh, the others reload', async () => {
    const path = join(directory, 'credentials.json');
    const app = await portal.newApp();
    writeCredentialsFile(path, {
      version: 1,
      portals: {
        demo: {
          domain: portal.emulator.url,
          authMode: 'oauth',
          accessToken: app.accessToken,
          refreshToken: app.refreshToken,
          clientId: app.clientId,
          clientSecret: app.clientSecret,
          serverEndpoint: app.serverEndpoint,
          memberId: app.memberId,
        },
      },
    });
    const reloads: boolean[] = [];
    const clients = Array.from(
      { length: 4 },
      () =>
        new B24Client({
          connection: resolveConnection({ profile: 'demo', credentialsFile: path, options: { rate: 1000, burst: 1000 } }),
          hooks: { onTokenRefresh: (event) => reloads.push(event.reloaded) },
        }),
    );
    try {
      await portal.emulator.expireTokens();
      await Promise.all(clients.flatMap((client) => [client.call('server.time'), client.call('crm.lead.list')]));
      assert.equal((await portal.emulator.stats()).tokenRefreshes, 1);
      assert.deepEqual(reloads.sort(), [false, true, true, true]);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const stored = JSON.parse(readFileSync(path, 'utf8')).portals.demo;
      assert.notEqual(stored.accessToken, app.accessToken);
      assert.notEqual(stored.refreshToken, app.refreshToken);
      assert.equal(stored.clientSecret, app.clientSecret, 'the rest of the profile is kept');
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('a refresh token already used gives a clear re-authorise error', async () => {
    const app = await portal.newApp();
    const first = portal.oauthClient({ tokenStore: new MemoryTokenStore() }, {}, app);
    await portal.emulator.expireTokens();
    await first.call('server.time'); // uses up the application's refresh token
    await portal.emulator.expireTokens();
    const second = portal.oauthClient({ tokenStore: new MemoryTokenStore() }, {}, app);
    const error = await caught(() => second.call('server.time'));
    assert.ok(isAuthError(error));
    assert.equal(error.code, 'REFRESH_TOKEN_REJECTED');
    assert.equal(error.serverCode, 'invalid_grant');
    assert.match(error.message, /already used, expired or revoked/);
    assert.match(error.hint, /Re-authorise the application/);
  });

  it('an expired token without refresh credentials says what to set', async () => {
    await portal.emulator.expireTokens();
    const bare = new B24Client({
      connection: resolveConnection({
        options: { domain: portal.emulator.url, authMode: 'oauth', accessToken: portal.emulator.app.accessToken, rate: 1000, burst: 1000 },
      }),
    });
    try {
      const error = await caught(() => bare.call('server.time'));
      assert.ok(isAuthError(error) && error.code === 'REFRESH_NOT_POSSIBLE');
      assert.match(error.hint, /B24_REFRESH_TOKEN/);
    } finally {
      await bare.close();
    }
  });
});
