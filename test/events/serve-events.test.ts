/**
 * `chain serve-events` as a user runs it (the real `bin/chain.js`), against two emulator processes,
 * each a portal with its own OAuth server and installed application. Portal A is not configured: the
 * environment names the application (B24_CLIENT_ID) and the OAuth server (B24_OAUTH_URL) that must
 * confirm its install. Portal B is a profile of the credentials file. Installs are the posts each
 * portal makes when the application is installed; forgeries change one part of them.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { buildQuery } from '../../src/protocol/php-query.ts';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import { fetchStats } from '../helpers/emulator-process.ts';
import { http } from '../helpers/http.ts';
import { runCli } from '../helpers/run-cli.ts';
import { addLeads, applicationEnv, contactsByOrigin, handlerPath, resetPortal, startEventsEmulator, temporaryDatabase } from './helpers/events-fixture.ts';
import { doneCount, eventForm, installForm, startReceiverCli, type ReceiverProcess } from './helpers/install-forms.ts';

let portalA: EmulatorProcess;
let portalB: EmulatorProcess;

before(async () => {
  [portalA, portalB] = await Promise.all([startEventsEmulator(), startEventsEmulator()]);
});
after(async () => {
  await Promise.all([portalA?.stop(), portalB?.stop()]);
});

/** The environment of the receiver: application A, OAuth server A, and a credentials file with profile "portal-b". */
function receiverEnv(database: string): Record<string, string> {
  const credentials = join(dirname(database), 'credentials.json');
  writeFileSync(
    credentials,
    JSON.stringify({
      version: 1,
      portals: {
        'portal-b': {
          domain: portalB.url,
          authMode: 'oauth',
          memberId: portalB.app.memberId,
          clientId: portalB.app.clientId,
          clientSecret: portalB.app.clientSecret,
          serverEndpoint: portalB.app.serverEndpoint,
        },
      },
    }),
  );
  chmodSync(credentials, 0o600);
  const { B24_DOMAIN: _domain, B24_ACCESS_TOKEN: _access, B24_REFRESH_TOKEN: _refresh, B24_AUTH_MODE: _mode, ...env } = applicationEnv(portalA, database);
  return { ...env, B24_CREDENTIALS: credentials };
}

async function appInfoCalls(emulator: EmulatorProcess): Promise<number> {
  return ((await fetchStats(emulator.url)) as { methods: Record<string, number> }).methods['app.info'] ?? 0;
}

function inboxCount(database: string): number {
  const db = new Database(database, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS count FROM event_inbox').get() as { count: number }).count;
  } finally {
    db.close();
  }
}

describe('chain serve-events: installs must be proven, events go to their own portal', () => {
  let database: string;
  let receiver: ReceiverProcess | undefined;
  const post = (form: string) => http(receiver?.url ?? '', { form });

  beforeEach(async () => {
    await Promise.all([resetPortal(portalA), resetPortal(portalB)]);
    database = temporaryDatabase('serve-events');
  });
  afterEach(async () => {
    const stopped = await receiver?.stop();
    receiver = undefined;
    if (stopped) assert.equal(stopped.code, 0, stopped.stderr);
  });

  it("applies two real portals' events each to its own portal, with its own tokens", async () => {
    receiver = await startReceiverCli(['--handler', handlerPath, '--confirm-write'], receiverEnv(database));
    const [leadA] = await addLeads(portalA, 1);
    const leadsB = await addLeads(portalB, 2);
    const leadB = leadsB[1] as string;

    assert.equal((await post(installForm(portalA.app))).status, 200);
    assert.equal((await post(installForm(portalB.app))).status, 200);
    assert.ok(receiver.logs.some((line) => line.startsWith(`installed member ${portalA.app.memberId}`) && line.includes('verified by the OAuth server')));
    assert.ok(
      receiver.logs.some(
        (line) => line.startsWith(`installed member ${portalB.app.memberId}`) && line.includes('verified by profile portal-b and the OAuth server'),
      ),
    );

    assert.equal((await post(eventForm('ONCRMLEADADD', portalA.app.memberId, portalA.app.applicationToken, { FIELDS: { ID: leadA } }))).status, 200);
    assert.equal((await post(eventForm('ONCRMLEADADD', portalB.app.memberId, portalB.app.applicationToken, { FIELDS: { ID: leadB } }))).status, 200);
    await receiver.waitForLog((_message, all) => doneCount(all) >= 2);

    assert.deepEqual(Object.fromEntries(await contactsByOrigin(portalA)), { [`lead-${leadA}`]: 1 });
    assert.deepEqual(Object.fromEntries(await contactsByOrigin(portalB)), { [`lead-${leadB}`]: 1 });
    const tokens = join(dirname(database), 'receiver-tokens.json');
    assert.equal(statSync(tokens).mode & 0o777, 0o600, 'the token file is private');

    // B's token expires: B's client renews it at B's OAuth server with B's application, and keeps it under B's member_id.
    await http(`${portalB.url}/_emulator/tokens/expire`, { method: 'POST' });
    assert.equal((await post(eventForm('ONCRMLEADADD', portalB.app.memberId, portalB.app.applicationToken, { FIELDS: { ID: leadsB[0] } }))).status, 200);
    await receiver.waitForLog((_message, all) => doneCount(all) >= 3);
    assert.deepEqual(Object.fromEntries(await contactsByOrigin(portalB)), { [`lead-${leadsB[0]}`]: 1, [`lead-${leadB}`]: 1 });
    assert.deepEqual(
      [
        ((await fetchStats(portalB.url)) as { tokenRefreshes: number }).tokenRefreshes,
        ((await fetchStats(portalA.url)) as { tokenRefreshes: number }).tokenRefreshes,
      ],
      [1, 0],
    );
    const kept = (JSON.parse(readFileSync(tokens, 'utf8')) as { portals: Record<string, { accessToken: string }> }).portals;
    assert.deepEqual(Object.keys(kept).sort(), [portalA.app.memberId, portalB.app.memberId].sort());
    assert.notEqual(kept[portalB.app.memberId]?.accessToken, portalB.app.accessToken, 'the renewed token is kept');
    assert.equal(kept[portalA.app.memberId]?.accessToken, portalA.app.accessToken);
    const stopped = await receiver.stop();
    receiver = undefined;
    assert.equal(stopped.code, 0, stopped.stderr);
    const stateFiles = [database, `${database}-wal`]
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path).toString('latin1'))
      .join('');
    for (const secret of [
      portalA.app.accessToken,
      portalB.app.accessToken,
      portalA.app.applicationToken,
      portalB.app.applicationToken,
      portalB.app.clientSecret,
    ]) {
      assert.ok(!stopped.stderr.includes(secret) && !stopped.stdout.includes(secret), 'no token in the log');
      assert.ok(!stateFiles.includes(secret), 'no token in the state database');
    }
  });

  it('refuses a forged install: an invented member, an unconfirmed token, an untrusted OAuth server', async () => {
    let fakeServerRequests = 0;
    const fakeOAuthServer: Server = createServer((_request, response) => {
      fakeServerRequests += 1;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ result: { member_id: 'member-invented', client_id: portalA.app.clientId } }));
    });
    await new Promise<void>((resolve) => fakeOAuthServer.listen(0, '127.0.0.1', resolve));
    try {
      receiver = await startReceiverCli(['--handler', handlerPath, '--confirm-write'], receiverEnv(database));
      const before = await appInfoCalls(portalA);
      const forgeries: Array<[string, string, string]> = [
        [
          "A's real token for an invented member",
          installForm(portalA.app, { memberId: 'member-invented', applicationToken: 'attacker-token-1' }),
          'INSTALL_NOT_VERIFIED',
        ],
        [
          'an invented token',
          installForm(portalA.app, { memberId: 'member-invented', accessToken: 'invented-access-token', applicationToken: 'attacker-token-1' }),
          'INSTALL_NOT_VERIFIED',
        ],
        [
          'an OAuth server of its own',
          installForm(portalA.app, {
            memberId: 'member-invented',
            serverEndpoint: `http://127.0.0.1:${(fakeOAuthServer.address() as AddressInfo).port}/rest/`,
            applicationToken: 'attacker-token-1',
          }),
          'UNTRUSTED_OAUTH_SERVER',
        ],
      ];
      for (const [name, form, code] of forgeries) {
        const answer = await post(form);
        assert.deepEqual([answer.status, answer.body.error], [403, code], name);
      }
      assert.equal(fakeServerRequests, 0, 'the server a post names is never asked');
      assert.equal(await appInfoCalls(portalA), before, 'the portal is not asked when the OAuth server did not confirm');
      const event = await post(eventForm('ONCRMLEADADD', 'member-invented', 'attacker-token-1', { FIELDS: { ID: '1' } }));
      assert.deepEqual([event.status, event.body.error], [404, 'PORTAL_UNKNOWN']);
      assert.equal(inboxCount(database), 0);
      assert.equal((await contactsByOrigin(portalA)).size, 0);
      assert.ok(
        receiver.logs.some(
          (line) =>
            line.includes('refused ONAPPINSTALL from member member-invented') && line.includes('the OAuth server says the token belongs to another member'),
        ),
      );
    } finally {
      fakeOAuthServer.close();
    }
  });

  it('refuses a take-over of a known member_id, before and after the real install', async () => {
    receiver = await startReceiverCli(['--handler', handlerPath, '--confirm-write'], receiverEnv(database));
    const [lead] = await addLeads(portalA, 1);
    const takeOver = installForm(portalA.app, { accessToken: 'stolen-or-invented-token', applicationToken: 'attacker-token-2' });

    const claimedFirst = await post(takeOver);
    assert.deepEqual([claimedFirst.status, claimedFirst.body.error], [403, 'INSTALL_NOT_VERIFIED'], 'claiming a member first gets nothing');
    assert.equal((await post(installForm(portalA.app))).status, 200, 'the real install still works');
    const checks = await appInfoCalls(portalA);
    assert.equal((await post(installForm(portalA.app))).status, 200, 'the same install again is answered 200');
    assert.equal(await appInfoCalls(portalA), checks, 'and changes nothing: no new check, no new binding');

    const afterwards = await post(takeOver);
    assert.deepEqual([afterwards.status, afterwards.body.error], [403, 'INSTALL_NOT_VERIFIED'], 'no re-binding without proof');
    const update = await post(
      installForm(portalA.app, { event: 'ONAPPUPDATE', accessToken: 'stolen-or-invented-token', applicationToken: 'attacker-token-2' }),
    );
    assert.equal(update.status, 403, 'an update with a new application token needs the same proof');
    assert.ok(receiver.logs.some((line) => line.includes('a new application token for an installed portal without proof')));

    const forged = await post(eventForm('ONCRMLEADADD', portalA.app.memberId, 'attacker-token-2', { FIELDS: { ID: lead } }));
    assert.deepEqual([forged.status, forged.body.error], [401, 'TOKEN_MISMATCH']);
    const real = await post(eventForm('ONCRMLEADADD', portalA.app.memberId, portalA.app.applicationToken, { FIELDS: { ID: lead } }));
    assert.equal(real.status, 200, "the real portal's events are still accepted");
    await receiver.waitForLog((_message, all) => doneCount(all) >= 1);
    assert.deepEqual(Object.fromEntries(await contactsByOrigin(portalA)), { [`lead-${lead}`]: 1 });
    assert.equal(inboxCount(database), 1);
  });

  it('refuses the events of a portal without a verified install, and a profile’s portal with another member_id', async () => {
    receiver = await startReceiverCli(['--handler', handlerPath, '--confirm-write'], receiverEnv(database));
    const notInstalled = await post(eventForm('ONCRMLEADADD', portalB.app.memberId, portalB.app.applicationToken, { FIELDS: { ID: '1' } }));
    assert.deepEqual([notInstalled.status, notInstalled.body.error], [404, 'PORTAL_UNKNOWN']);
    const wrongMember = await post(installForm(portalB.app, { memberId: portalA.app.memberId }));
    assert.equal(wrongMember.status, 403, "B's install claiming A's member_id");
    const stillUnknown = await post(eventForm('ONCRMLEADADD', portalA.app.memberId, portalB.app.applicationToken, { FIELDS: { ID: '1' } }));
    assert.equal(stillUnknown.status, 404);
    assert.equal(inboxCount(database), 0);
  });

  it('answers 405, 415, 413 and 400 to what is not an event, storing nothing', async () => {
    receiver = await startReceiverCli(['--handler', handlerPath, '--confirm-write', '--max-body', '4096'], receiverEnv(database));
    assert.equal((await post(installForm(portalA.app))).status, 200);
    const token = portalA.app.applicationToken;
    const memberId = portalA.app.memberId;
    const cases: Array<[string, () => Promise<{ status: number; headers: Headers }>, number]> = [
      ['a GET', () => http(receiver?.url ?? ''), 405],
      ['a JSON body', () => http(receiver?.url ?? '', { json: { event: 'ONCRMLEADADD' } }), 415],
      ['a body over the limit', () => post(eventForm('ONCRMLEADADD', memberId, token, { FIELDS: { ID: '1', NOTE: 'x'.repeat(5000) } })), 413],
      ['a form without auth[application_token]', () => post(buildQuery({ event: 'ONCRMLEADADD', auth: { member_id: memberId } })), 400],
    ];
    for (const [name, send, status] of cases) {
      const answer = await send();
      assert.equal(answer.status, status, name);
      if (status === 405) assert.equal(answer.headers.get('allow'), 'POST');
    }
    assert.equal(inboxCount(database), 0);
  });

  it('dead-letters an event the handler cannot process, under its portal', async () => {
    receiver = await startReceiverCli(['--handler', handlerPath, '--confirm-write', '--max-retries', '0'], receiverEnv(database));
    assert.equal((await post(installForm(portalA.app))).status, 200);
    assert.equal((await post(eventForm('ONCRMLEADADD', portalA.app.memberId, portalA.app.applicationToken, { FIELDS: { ID: '999999' } }))).status, 200);
    await receiver.waitForLog((_message, all) => doneCount(all) >= 1);
    const db = new Database(database, { readonly: true });
    try {
      const letters = db.prepare('SELECT portal, source, error_message FROM event_dead_letters').all() as Array<{
        portal: string;
        source: string;
        error_message: string;
      }>;
      assert.equal(letters.length, 1);
      assert.deepEqual([letters[0]?.portal, letters[0]?.source], [portalA.app.memberId, 'online']);
      assert.match(letters[0]?.error_message ?? '', /crm\.lead\.get.*Not found/);
    } finally {
      db.close();
    }
  });

  it('answers 503 and binds nothing when the OAuth server cannot be asked', async () => {
    const down: Server = createServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
    });
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    try {
      const oauth = `http://127.0.0.1:${(down.address() as AddressInfo).port}/rest/`;
      receiver = await startReceiverCli(['--handler', handlerPath, '--confirm-write'], { ...receiverEnv(database), B24_OAUTH_URL: oauth });
      const answer = await post(installForm(portalA.app, { serverEndpoint: oauth }));
      assert.deepEqual([answer.status, answer.body.error], [503, 'VERIFICATION_UNAVAILABLE']);
      const event = await post(eventForm('ONCRMLEADADD', portalA.app.memberId, portalA.app.applicationToken, { FIELDS: { ID: '1' } }));
      assert.equal(event.status, 404);
    } finally {
      down.close();
    }
  });

  it('refuses to start without an application to check installs against (exit 2)', async () => {
    const { B24_CLIENT_ID: _clientId, B24_CREDENTIALS: _credentials, ...env } = receiverEnv(database);
    const result = await runCli(['serve-events', '--handler', handlerPath, '--port', '0', '--confirm-write'], env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /RECEIVER_APPLICATION_MISSING/);
  });
});
