import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type PortalDescription, type RunningEmulator } from '../../src/emulator/index.ts';
import { http } from '../helpers/http.ts';

let now = Date.parse('2026-03-02T10:00:00Z');
let emulator: RunningEmulator;
let p1: PortalDescription;
let p2: PortalDescription;
let p3: PortalDescription;

before(async () => {
  emulator = await startEmulator({
    portals: 3,
    seed: 'empty',
    leads: 4,
    leadStatus: 'NEW',
    rate: 1,
    burst: 3,
    tokenLifetimeSeconds: 10 * 365 * 86_400,
    clock: { now: () => now },
  });
  [p1, p2, p3] = emulator.portals as [PortalDescription, PortalDescription, PortalDescription];
});
after(async () => emulator.close());
beforeEach(async () => {
  now += 3_600_000; // every bucket drained
  await emulator.reset();
});

const leadTitles = async (portal: PortalDescription): Promise<string[]> =>
  (await http(`${portal.webhookUrl}crm.lead.list`, { json: { select: ['TITLE'], order: { ID: 'ASC' } } })).body.result.map(
    (row: { TITLE: string }) => row.TITLE,
  );

describe('one emulator, several portals', () => {
  it('serves the first portal at the root and the others under /portal/<name>/, each naming its own URL', () => {
    assert.deepEqual(
      emulator.portals.map((portal) => portal.name),
      ['p1', 'p2', 'p3'],
    );
    assert.equal(p1.url, emulator.url);
    assert.equal(p1.webhookUrl, emulator.webhookUrl);
    assert.equal(p2.url, `${emulator.url}/portal/p2`);
    assert.equal(p2.webhookUrl, `${emulator.url}/portal/p2/rest/1/${p2.code}/`);
    assert.equal(p2.app.clientEndpoint, `${emulator.url}/portal/p2/rest/`);
    assert.equal(p2.app.serverEndpoint, `${emulator.url}/portal/p2/oauth/`);
    assert.equal(p2.app.domain, `${new URL(emulator.url).host}/portal/p2`);
    assert.equal(new Set(emulator.portals.map((portal) => portal.memberId)).size, 3);
    assert.equal(new Set(emulator.portals.map((portal) => portal.code)).size, 3);
  });

  it('keeps data apart: seeded leads on every portal, a write on one is seen on no other', async () => {
    for (const portal of [p1, p2, p3]) assert.equal((await leadTitles(portal)).length, 4, portal.name);
    const added = await http(`${p2.webhookUrl}crm.lead.add`, { json: { fields: { TITLE: 'only on p2' } } });
    assert.equal(added.status, 200);
    assert.ok((await leadTitles(p2)).includes('only on p2'));
    assert.ok(!(await leadTitles(p1)).includes('only on p2'));
    assert.ok(!(await leadTitles(p3)).includes('only on p2'));
  });

  it('keeps buckets apart: a burst spent on one portal gives no 503 on the others', async () => {
    const statuses = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await http(`${p2.webhookUrl}server.time`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 503]);
    assert.equal((await http(`${p3.webhookUrl}server.time`)).status, 200);
    assert.equal((await http(`${p1.webhookUrl}server.time`)).status, 200);
    assert.deepEqual((await emulator.stats('p2')).statuses, { 200: 3, 503: 1 });
    assert.deepEqual((await emulator.stats('p3')).statuses, { 200: 1 });
    assert.deepEqual((await emulator.stats()).statuses, { 200: 5, 503: 1 });
  });

  it("refuses one portal's credentials on another's URL as wrong ones (401)", async () => {
    const webhookElsewhere = await http(`${p3.url}/rest/1/${p2.code}/server.time`);
    assert.equal(webhookElsewhere.status, 401);
    assert.equal(webhookElsewhere.body.error, 'INVALID_CREDENTIALS');
    const wrongCode = await http(`${p3.url}/rest/1/wrongcode1234567/server.time`);
    assert.deepEqual([wrongCode.status, wrongCode.body.error], [401, 'INVALID_CREDENTIALS']);
    assert.equal((await http(`${p1.url}/rest/1/${p2.code}/server.time`)).status, 401, "p2's webhook at the root");
    assert.equal((await http(`${p2.url}/rest/1/${p1.code}/server.time`)).status, 401, "the root's webhook at p2");
    const tokenElsewhere = await http(`${p3.url}/rest/server.time`, { json: { auth: p2.app.accessToken } });
    assert.deepEqual([tokenElsewhere.status, tokenElsewhere.body.error], [401, 'invalid_token']);
    const ownToken = await http(`${p2.url}/rest/app.info`, { json: { auth: p2.app.accessToken } });
    assert.equal(ownToken.status, 200);
    const v3Elsewhere = await http(`${p3.url}/rest/api/1/${p2.code}/tasks.task.get`, { json: { id: 1 } });
    assert.equal(v3Elsewhere.status, 401);
    assert.equal((await emulator.stats('p3')).refusals.INVALID_CREDENTIALS, 3);
  });

  it('answers 404 for a portal it does not serve, and serves admin endpoints at the root only', async () => {
    const unknown = await http(`${emulator.url}/portal/p9/rest/1/${p2.code}/server.time`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error_description, /No portal p9/);
    assert.equal((await http(`${emulator.url}/portal/p1/rest/1/${p1.code}/server.time`)).status, 404, 'p1 lives at the root only');
    assert.equal((await http(`${p2.url}/_emulator/stats`)).status, 404);
    assert.equal((await http(`${emulator.url}/_emulator/stats?portal=p9`)).status, 404);
  });

  it("refreshes a portal's tokens at its own token URL, never another portal's", async () => {
    const form = (portal: PortalDescription): string =>
      new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: portal.app.clientId,
        client_secret: portal.app.clientSecret,
        refresh_token: portal.app.refreshToken,
      }).toString();
    const foreign = await http(`${p2.url}/oauth/token/`, { form: form(p3) });
    assert.deepEqual([foreign.status, foreign.body.error], [401, 'invalid_client']);
    const own = await http(`${p2.url}/oauth/token/`, { form: form(p2) });
    assert.equal(own.status, 200);
    assert.equal(own.body.client_endpoint, `${p2.url}/rest/`);
    assert.equal(own.body.member_id, p2.memberId);
    assert.equal((await http(`${p2.url}/rest/server.time`, { json: { auth: own.body.access_token } })).status, 200);
    // The root token endpoint is the shared OAuth server: it refreshes any portal's application, pointing at that portal.
    const atRoot = await http(`${emulator.url}/oauth/token/`, { form: form(p3) });
    assert.equal(atRoot.status, 200);
    assert.equal(atRoot.body.client_endpoint, `${p3.url}/rest/`);
    assert.equal((await emulator.stats('p2')).tokenRefreshes, 1);
  });

  it('lists every portal with its credentials and statistics, first and last request times included', async () => {
    const first = now;
    await http(`${p2.webhookUrl}server.time`);
    now += 1500;
    await http(`${p2.webhookUrl}server.time`);
    const listed = await http(`${emulator.url}/_emulator/portals`);
    assert.equal(listed.status, 200);
    const byName = new Map<string, PortalDescription>(listed.body.portals.map((portal: PortalDescription) => [portal.name, portal]));
    assert.deepEqual([...byName.keys()], ['p1', 'p2', 'p3']);
    const second = byName.get('p2');
    assert.equal(second?.url, p2.url);
    assert.equal(second?.code, p2.code);
    assert.equal(second?.app.clientSecret, p2.app.clientSecret);
    assert.equal(second?.stats?.httpRequests, 2);
    assert.equal(second?.stats?.firstRequestAtMs, first);
    assert.equal(second?.stats?.lastRequestAtMs, first + 1500);
    assert.equal(byName.get('p3')?.stats?.httpRequests, 0);
    assert.equal(byName.get('p3')?.stats?.firstRequestAtMs, null);
    const single = await http(`${emulator.url}/_emulator/stats?portal=p2`);
    assert.deepEqual(single.body.methods, { 'server.time': 2 });
    const withoutStats = await http(`${emulator.url}/_emulator/portals?stats=0`);
    assert.equal('stats' in withoutStats.body.portals[0], false);
  });

  it('makes a webhook on a served portal through /_emulator/apps with that portal’s URL', async () => {
    const made = await http(`${emulator.url}/_emulator/apps`, { json: { kind: 'webhook', portal: p3.memberId } });
    assert.equal(made.body.webhookUrl.startsWith(`${p3.url}/rest/`), true);
    assert.equal((await http(`${made.body.webhookUrl}server.time`)).status, 200);
    assert.equal((await http(`${p2.url}/rest/1/${made.body.code}/server.time`)).status, 401);
  });
});

describe('a fleet of portals', () => {
  it('starts 200 empty portals in one process, each with its own credentials', async () => {
    const before = process.memoryUsage().heapUsed;
    const fleet = await startEmulator({ portals: 200, seed: 'empty' });
    try {
      assert.equal(fleet.portals.length, 200);
      assert.equal(fleet.portals[199]?.url, `${fleet.url}/portal/p200`);
      assert.equal((await http(`${fleet.portals[199]?.webhookUrl}server.time`)).status, 200);
      const grownMb = (process.memoryUsage().heapUsed - before) / 1e6;
      assert.ok(grownMb < 50, `200 empty portals took ${grownMb.toFixed(1)} MB of heap`);
    } finally {
      await fleet.close();
    }
  });

  it('refuses a portal count that is not a positive whole number', async () => {
    await assert.rejects(startEmulator({ portals: 0 }), /portals must be a positive number/);
    await assert.rejects(startEmulator({ portals: 1.5 }), /portals must be a whole number/);
  });
});
