import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPortal, type TestPortal } from './emulator-client.ts';
import { writeCredentialsFile } from '../../src/client/credentials-file.ts';
import { runChildClients } from './run-child-clients.ts';

let portal: TestPortal;
const directory = mkdtempSync(join(tmpdir(), 'b24-processes-'));
before(async () => {
  // The portal drains at 25/s while the clients plan for 20/s: the margin absorbs the event-loop lag of
  // a loaded machine (this portal shares the test runner's process). Two processes each on a private
  // budget would still send 9 + 9 at once against a bucket of 10.
  portal = await startTestPortal({ rate: 25, burst: 10 });
});
after(async () => {
  await portal.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('several processes on one host', () => {
  it('share one refresh: 3 processes whose token expired cause exactly 1 refresh', async () => {
    await portal.emulator.reset();
    const app = await portal.newApp();
    const credentialsFile = join(directory, 'credentials.json');
    writeCredentialsFile(credentialsFile, {
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
    await portal.emulator.expireTokens();
    const results = await runChildClients(
      Array.from({ length: 3 }, () => ({
        connection: { profile: 'demo', credentialsFile, rateLimiter: 'sqlite' },
        limiterPath: join(directory, 'limiter-oauth.db'),
        method: 'server.time',
        calls: 3,
      })),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    assert.equal((await portal.emulator.stats()).tokenRefreshes, 1);
    assert.notEqual(JSON.parse(readFileSync(credentialsFile, 'utf8')).portals.demo.refreshToken, app.refreshToken);
  });

  it('share one budget through the SQLite limiter: 2 processes × 25 requests against burst 10, no 503', async () => {
    await portal.emulator.reset();
    const results = await runChildClients(
      Array.from({ length: 2 }, () => ({
        connection: { webhookUrl: portal.emulator.webhookUrl, rate: 20, burst: 10, rateLimiter: 'sqlite' },
        limiterPath: join(directory, 'limiter-shared.db'),
        method: 'server.time',
        calls: 25,
      })),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const stats = await portal.emulator.stats();
    assert.equal(stats.httpRequests, 50);
    assert.equal(stats.statuses['503'], undefined, `503s: ${JSON.stringify(stats.statuses)}`);
  });
});
