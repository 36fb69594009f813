import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnection, tokenEndpointFrom } from '../../src/client/resolve-connection.ts';
import { writeCredentialsFile } from '../../src/client/credentials-file.ts';
import { isLoopbackHost } from '../../src/client/loopback-guard.ts';
import { isConnectionConfigError } from '../../src/errors/connection-config-error.ts';
import { redactSecrets } from '../../src/errors/redact-secrets.ts';
import { startTestPortal } from './emulator-client.ts';
import { isNetworkError } from '../../src/errors/network-error.ts';

const directory = mkdtempSync(join(tmpdir(), 'b24-connection-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const webhookEnv = { B24_DOMAIN: 'acme.bitrix24.com', B24_AUTH_MODE: 'webhook', B24_WEBHOOK_USER_ID: '7', B24_WEBHOOK_CODE: 'k3ycod3s3cr3t123' };

function refused(work: () => unknown, code: string): void {
  assert.throws(work, (error: unknown) => isConnectionConfigError(error) && error.code === code, code);
}

describe('resolveConnection from the seed-compatible environment', () => {
  it('reads a webhook: host → https, portal and limiter keyed by host, seed spellings kept', () => {
    const connection = resolveConnection({ env: { ...webhookEnv, B24_RATE_LIMITER: 'file', B24_RATE_LIMITER_RATE: '5', B24_RATE_LIMITER_BURST: '250' } });
    assert.equal(connection.baseUrl, 'https://acme.bitrix24.com');
    assert.deepEqual(connection.auth, { mode: 'webhook', userId: '7', code: 'k3ycod3s3cr3t123' });
    assert.equal(connection.portalKey, 'acme.bitrix24.com');
    assert.deepEqual(connection.limiter, { store: 'sqlite', rate: 5, burst: 250 });
    assert.equal(redactSecrets('https://acme.bitrix24.com/rest/7/k3ycod3s3cr3t123/x'), 'https://acme.bitrix24.com/rest/7/***/x');
  });

  it('accepts a base URL with scheme and port; plain http only on loopback', () => {
    assert.equal(resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'https://crm.example.com:8443/' } }).baseUrl, 'https://crm.example.com:8443');
    assert.equal(resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://127.0.0.1:5000' } }).baseUrl, 'http://127.0.0.1:5000');
    assert.equal(resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://localhost:5000' } }).host, 'localhost:5000');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://acme.bitrix24.com' } }), 'INSECURE_URL');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://10.0.0.5' } }), 'INSECURE_URL');
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['128.0.0.1', '127.example.com', 'localhost.evil.com.', '10.0.0.1']) assert.ok(!isLoopbackHost(host), host);
  });

  it('reads OAuth: member_id keys the portal, the token endpoint comes from B24_OAUTH_URL or the default', () => {
    const connection = resolveConnection({
      env: {
        B24_DOMAIN: 'acme.bitrix24.com',
        B24_AUTH_MODE: 'oauth',
        B24_ACCESS_TOKEN: 'access-token-1',
        B24_REFRESH_TOKEN: 'refresh-token-1',
        B24_CLIENT_ID: 'app.1',
        B24_CLIENT_SECRET: 'secret-of-app',
      },
      options: { memberId: 'member-42' },
    });
    assert.equal(connection.portalKey, 'member-42');
    assert.equal(connection.limiterKey, 'acme.bitrix24.com');
    assert.ok(connection.auth.mode === 'oauth' && connection.auth.tokenUrl === 'https://oauth.bitrix.info/oauth/token/');
    assert.ok(connection.auth.mode === 'oauth' && connection.auth.clientEndpoint === 'https://acme.bitrix24.com/rest/');
    assert.equal(tokenEndpointFrom('https://oauth.bitrix24.tech/oauth/'), 'https://oauth.bitrix24.tech/oauth/token/');
    assert.equal(tokenEndpointFrom('https://oauth.bitrix.info/rest/'), 'https://oauth.bitrix.info/oauth/token/');
    assert.equal(tokenEndpointFrom('http://127.0.0.1:9/oauth/token/'), 'http://127.0.0.1:9/oauth/token/');
    assert.equal(redactSecrets('token secret-of-app and refresh-token-1'), 'token *** and ***');
  });

  it('says which setting is missing or wrong', () => {
    refused(() => resolveConnection({ env: {} }), 'MISSING_SETTING');
    refused(() => resolveConnection({ env: { B24_DOMAIN: 'acme.bitrix24.com' } }), 'MISSING_SETTING');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_WEBHOOK_USER_ID: '' } }), 'MISSING_SETTING');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_AUTH_MODE: 'password' } }), 'INVALID_SETTING');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_RATE_LIMITER: 'postgres' } }), 'INVALID_SETTING');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_RATE_LIMITER: 'redis' } }), 'MISSING_SETTING');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_RATE_LIMITER_RATE: 'fast' } }), 'INVALID_SETTING');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'acme.bitrix24.com/rest/7/abc/' } }), 'INVALID_URL');
  });

  it('accepts a base URL with a path prefix: requests, limiter and portal keyed by host and prefix', () => {
    const prefixed = resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://127.0.0.1:5000/portal/p7/' } });
    assert.equal(prefixed.baseUrl, 'http://127.0.0.1:5000/portal/p7');
    assert.equal(prefixed.portalKey, '127.0.0.1:5000/portal/p7');
    assert.equal(prefixed.limiterKey, '127.0.0.1:5000/portal/p7');
    assert.equal(resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://127.0.0.1:5000/portal/p7/rest/' } }).baseUrl, 'http://127.0.0.1:5000/portal/p7');
    assert.notEqual(resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://127.0.0.1:5000/portal/p8' } }).limiterKey, prefixed.limiterKey);
    const fromWebhook = resolveConnection({ options: { webhookUrl: 'http://127.0.0.1:5000/portal/p7/rest/1/abcdefgh12345678/' } });
    assert.equal(fromWebhook.baseUrl, 'http://127.0.0.1:5000/portal/p7');
    assert.deepEqual(fromWebhook.auth, { mode: 'webhook', userId: '1', code: 'abcdefgh12345678' });
    const oauth = resolveConnection({
      env: { B24_DOMAIN: 'http://127.0.0.1:5000/portal/p7', B24_AUTH_MODE: 'oauth', B24_ACCESS_TOKEN: 'access-token-7' },
      options: { serverEndpoint: 'http://127.0.0.1:5000/portal/p7/oauth/' },
    });
    assert.ok(oauth.auth.mode === 'oauth' && oauth.auth.clientEndpoint === 'http://127.0.0.1:5000/portal/p7/rest/');
    assert.ok(oauth.auth.mode === 'oauth' && oauth.auth.tokenUrl === 'http://127.0.0.1:5000/portal/p7/oauth/token/');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://10.0.0.5/portal/p7' } }), 'INSECURE_URL');
    refused(() => resolveConnection({ env: { ...webhookEnv, B24_DOMAIN: 'http://127.0.0.1:5000/portal/p7/rest/1/abc/' } }), 'INVALID_URL');
  });

  it('parses a full webhook URL', () => {
    const connection = resolveConnection({ options: { webhookUrl: 'https://acme.bitrix24.com/rest/1/abcdefgh12345678/' } });
    assert.deepEqual(connection.auth, { mode: 'webhook', userId: '1', code: 'abcdefgh12345678' });
  });
});

describe('named profiles in the credentials file', () => {
  const path = join(directory, 'credentials.json');
  writeCredentialsFile(path, {
    version: 1,
    portals: {
      prod: { domain: 'prod.bitrix24.com', webhookUserId: 1, webhookCode: 'prodcode12345678' },
      eu: { domain: 'eu.bitrix24.de', authMode: 'oauth', accessToken: 'eu-access-token', memberId: 'eu-member', oauthUrl: 'https://oauth.bitrix.info/oauth/' },
    },
  });

  it('keeps several portals apart, keyed by portal; the profile wins over the environment', () => {
    const prod = resolveConnection({ profile: 'prod', credentialsFile: path, env: webhookEnv });
    const eu = resolveConnection({ profile: 'eu', credentialsFile: path, env: webhookEnv });
    assert.equal(prod.portalKey, 'prod.bitrix24.com');
    assert.ok(prod.auth.mode === 'webhook' && prod.auth.code === 'prodcode12345678');
    assert.equal(eu.portalKey, 'eu-member');
    assert.equal(eu.tokenKey, 'eu');
    assert.equal(eu.credentialsFile, path);
    assert.equal(readFileSync(path, 'utf8').includes('prodcode12345678'), true);
  });

  it('refuses an unknown profile and a file readable by others', () => {
    refused(() => resolveConnection({ profile: 'staging', credentialsFile: path }), 'UNKNOWN_PROFILE');
    const open = join(directory, 'open.json');
    writeCredentialsFile(open, { version: 1, portals: { prod: { domain: 'x.bitrix24.com' } } });
    chmodSync(open, 0o644);
    refused(() => resolveConnection({ profile: 'prod', credentialsFile: open }), 'CREDENTIALS_FILE_PERMISSIONS');
  });
});

describe('TLS: the emulator with --tls', () => {
  it('is reached with its CA, and refused without it before anything is sent', async () => {
    const portal = await startTestPortal({ tls: true });
    try {
      const ca = readFileSync(portal.emulator.certificatePath as string, 'utf8');
      const trusted = portal.webhookClient({ transportOptions: { ca } });
      assert.equal(typeof (await trusted.call('server.time')).result, 'string');
      const untrusted = portal.webhookClient({ retry: { maxAttempts: 1 } });
      const error = await untrusted.call('crm.lead.add', { fields: { TITLE: 'x' } }).catch((caught: unknown) => caught);
      assert.ok(isNetworkError(error) && error.phase === 'connect', String(error));
      assert.equal((await portal.emulator.stats()).httpRequests, 1);
    } finally {
      await portal.close();
    }
  });
});
