/**
 * How the environment picks the Redis limiter store and keys the limiter as Bitrix24 keys its limits:
 * the request bucket by portal (plus B24_EGRESS_LABEL), the operating budget by portal, auth kind and a
 * digest of the credential. No server needed: nothing here connects.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConnection } from '../../src/client/resolve-connection.ts';
import { isConnectionConfigError } from '../../src/errors/connection-config-error.ts';
import { redactSecrets } from '../../src/errors/redact-secrets.ts';

const webhookEnv = { B24_DOMAIN: 'acme.bitrix24.com', B24_AUTH_MODE: 'webhook', B24_WEBHOOK_USER_ID: '7', B24_WEBHOOK_CODE: 'k3ycod3s3cr3t123' };
const oauthEnv = { B24_DOMAIN: 'acme.bitrix24.com', B24_AUTH_MODE: 'oauth', B24_ACCESS_TOKEN: 'access-token-1', B24_CLIENT_ID: 'app.123' };

describe('B24_REDIS_URL picks the Redis limiter store', () => {
  const cases: Array<{ name: string; env: Record<string, string>; store: string }> = [
    { name: 'no Redis URL: the default', env: {}, store: 'sqlite' },
    { name: 'a Redis URL', env: { B24_REDIS_URL: 'redis://127.0.0.1:6379' }, store: 'redis' },
    {
      name: 'a Redis URL beats the per-host sqlite (and its seed spelling file)',
      env: { B24_REDIS_URL: 'redis://r:1', B24_RATE_LIMITER: 'file' },
      store: 'redis',
    },
    { name: 'an explicit memory keeps a private budget', env: { B24_REDIS_URL: 'redis://r:1', B24_RATE_LIMITER: 'memory' }, store: 'memory' },
    { name: 'B24_RATE_LIMITER=redis with a URL', env: { B24_REDIS_URL: 'rediss://cache.internal:6380/2', B24_RATE_LIMITER: 'redis' }, store: 'redis' },
  ];
  for (const { name, env, store } of cases) {
    it(name, () => {
      const connection = resolveConnection({ env: { ...webhookEnv, ...env }, defaultRateLimiter: 'sqlite' });
      assert.equal(connection.limiter.store, store);
      assert.equal(connection.limiter.redis?.url, store === 'redis' ? env.B24_REDIS_URL : undefined);
    });
  }

  it('passes B24_REDIS_PREFIX on', () => {
    const connection = resolveConnection({ env: { ...webhookEnv, B24_REDIS_URL: 'redis://r:1', B24_REDIS_PREFIX: 'tenant-a:' } });
    assert.deepEqual(connection.limiter.redis, { url: 'redis://r:1', prefix: 'tenant-a:' });
  });

  it('refuses a URL that is not redis:// without echoing its password, and registers the password for redaction', () => {
    assert.throws(
      () => resolveConnection({ env: { ...webhookEnv, B24_REDIS_URL: 'http://:pa55w0rd-x@cache:6379' } }),
      (error: unknown) =>
        isConnectionConfigError(error) &&
        error.code === 'INVALID_URL' &&
        error.message ===
          'B24_REDIS_URL: is not a redis:// or rediss:// URL (http://:***@cache:6379) (INVALID_URL). Give redis://[:password@]host:port[/db], or rediss:// for TLS.',
    );
    resolveConnection({ env: { ...webhookEnv, B24_REDIS_URL: 'redis://:an0ther-pa55@cache:6379' } });
    assert.equal(redactSecrets('auth failed for an0ther-pa55'), 'auth failed for ***');
  });
});

describe('limiter keys', () => {
  it('the request bucket is the portal, plus the egress label when set', () => {
    assert.equal(resolveConnection({ env: webhookEnv }).limiterKey, 'acme.bitrix24.com');
    assert.equal(resolveConnection({ env: { ...webhookEnv, B24_EGRESS_LABEL: 'nat-eu-1' } }).limiterKey, 'acme.bitrix24.com#nat-eu-1');
    assert.throws(
      () => resolveConnection({ env: { ...webhookEnv, B24_EGRESS_LABEL: 'two words' } }),
      (error: unknown) => isConnectionConfigError(error) && error.code === 'INVALID_SETTING' && error.setting === 'B24_EGRESS_LABEL',
    );
  });

  it('the operating budget is keyed by portal, auth kind and a digest of the credential, never the secret', () => {
    const webhook = resolveConnection({ env: webhookEnv }).operatingKey;
    assert.match(webhook, /^acme\.bitrix24\.com\|apauth\|[0-9a-f]{16}$/);
    assert.doesNotMatch(webhook, /k3ycod3s3cr3t123/);
    // The egress label splits the bucket, not the operating budget.
    assert.equal(resolveConnection({ env: { ...webhookEnv, B24_EGRESS_LABEL: 'b' } }).operatingKey, webhook);
    // Another webhook of the same portal has a budget of its own.
    assert.notEqual(resolveConnection({ env: { ...webhookEnv, B24_WEBHOOK_CODE: 'other0code0value' } }).operatingKey, webhook);

    const app = resolveConnection({ env: oauthEnv }).operatingKey;
    assert.match(app, /^acme\.bitrix24\.com\|oauth\|[0-9a-f]{16}$/);
    // An application's budget follows its client id, not the access token of the moment.
    assert.equal(resolveConnection({ env: { ...oauthEnv, B24_ACCESS_TOKEN: 'access-token-2' } }).operatingKey, app);
    assert.notEqual(resolveConnection({ env: { ...oauthEnv, B24_CLIENT_ID: 'app.456' } }).operatingKey, app);
  });
});
