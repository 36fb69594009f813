/**
 * `chain serve-events`: the receiver in this process, the portal (for the handler's calls) in its own.
 * Events are posted the way the portal posts them: form-encoded, nested keys in brackets, all strings.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Database } from 'better-sqlite3';
import { buildQuery } from '../../src/protocol/php-query.ts';
import { DeadLetterStore, InboxStore, loadHandler, startEventReceiver, type EventReceiver } from '../../src/events/index.ts';
import type { RunnerClient } from '../../src/runner/runner-client.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import { http } from '../helpers/http.ts';
import { addLeads, applicationClient, applicationEnv, contactsByOrigin, handlerPath, resetPortal, startEventsCli, startEventsEmulator, temporaryDatabase } from './helpers/events-fixture.ts';

function eventForm(event: string, memberId: string, applicationToken: string, data: Record<string, unknown> = {}): string {
  return buildQuery({
    event,
    event_handler_id: '7',
    data,
    ts: '1766047124',
    auth: { access_token: 'access-secret-123', expires_in: '3600', domain: 'portal.example.test', member_id: memberId, application_token: applicationToken },
  });
}

describe('chain serve-events receives online events', () => {
  let emulator: EmulatorProcess;
  let client: RunnerClient;
  let closeClient: () => Promise<void>;
  let database: Database;
  let receiver: EventReceiver;
  let logs: string[];
  const memberId = 'member-1';
  const token = 'app-token-0123456789abcdef';

  before(async () => {
    emulator = await startEventsEmulator();
    ({ client, close: closeClient } = applicationClient(emulator));
  });
  after(async () => {
    await receiver?.close();
    await closeClient?.();
    await emulator?.stop();
  });
  beforeEach(async () => {
    await receiver?.close();
    await resetPortal(emulator);
    database = openStateDatabase(':memory:');
    logs = [];
    receiver = await startEventReceiver({
      database,
      log: (line) => logs.push(line),
      maxBodyBytes: 4096,
      processing: { handler: await loadHandler(handlerPath), client, confirmWrite: true, maxRetries: 0, retryDelayMs: 60_000 },
    });
  });

  const post = (form: string) => http(receiver.url, { form });

  it('stores the token at ONAPPINSTALL, then accepts, stores and processes events that carry it', async () => {
    const [lead] = await addLeads(emulator, 1);
    assert.equal((await post(eventForm('ONAPPINSTALL', memberId, token, { VERSION: '1', ACTIVE: 'Y' }))).status, 200);
    const answer = await post(eventForm('ONCRMLEADADD', memberId, token, { FIELDS: { ID: lead } }));
    assert.equal(answer.status, 200);
    const stored = new InboxStore(database).get(answer.body.id as number);
    assert.deepEqual(stored?.data, { FIELDS: { ID: lead } }, 'stored before the answer');
    await receiver.drain();
    assert.deepEqual(Object.fromEntries(await contactsByOrigin(emulator)), { [`lead-${lead}`]: 1 });
    assert.equal(new InboxStore(database).get(answer.body.id as number)?.status, 'done');
    const text = `${logs.join('\n')}\n${JSON.stringify(database.prepare('SELECT * FROM event_inbox').all())}${JSON.stringify(database.prepare('SELECT * FROM event_portals').all())}`;
    assert.ok(!text.includes(token) && !text.includes('access-secret-123'), 'no token in the logs or the state database');
  });

  it('refuses a forged application_token with 401 and processes nothing', async () => {
    const [lead] = await addLeads(emulator, 1);
    await post(eventForm('ONAPPINSTALL', memberId, token));
    const answer = await post(eventForm('ONCRMLEADADD', memberId, 'forged-token', { FIELDS: { ID: lead } }));
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error, 'TOKEN_MISMATCH');
    const reinstall = await post(eventForm('ONAPPINSTALL', memberId, 'forged-token'));
    assert.equal(reinstall.status, 401, 'a second ONAPPINSTALL cannot replace the stored token');
    await receiver.drain();
    assert.deepEqual(new InboxStore(database).counts(), { pending: 0, done: 0, dead: 0 });
    assert.equal((await contactsByOrigin(emulator)).size, 0);
    assert.ok(logs.some((line) => line === `refused ONCRMLEADADD from member ${memberId}: application_token mismatch (401)`));
  });

  const refusals: Array<[string, () => Promise<{ status: number; headers: Headers }>, number]> = [
    ['an event from a portal that never installed', () => post(eventForm('ONCRMLEADADD', 'member-unknown', token, { FIELDS: { ID: '1' } })), 404],
    ['a GET', () => http(receiver.url), 405],
    ['a JSON body', () => http(receiver.url, { json: { event: 'ONCRMLEADADD' } }), 415],
    ['a body over the limit', () => post(eventForm('ONCRMLEADADD', memberId, token, { FIELDS: { ID: '1', NOTE: 'x'.repeat(5000) } })), 413],
    ['a form without auth[application_token]', () => post(buildQuery({ event: 'ONCRMLEADADD', auth: { member_id: memberId } })), 400],
  ];
  for (const [name, send, status] of refusals) {
    it(`answers ${status} to ${name}, storing nothing`, async () => {
      await post(eventForm('ONAPPINSTALL', memberId, token));
      const answer = await send();
      assert.equal(answer.status, status);
      if (status === 405) assert.equal(answer.headers.get('allow'), 'POST');
      assert.deepEqual(new InboxStore(database).counts(), { pending: 0, done: 0, dead: 0 });
    });
  }

  it('dead-letters an event the handler cannot process', async () => {
    await post(eventForm('ONAPPINSTALL', memberId, token));
    const answer = await post(eventForm('ONCRMLEADADD', memberId, token, { FIELDS: { ID: '999999' } }));
    await receiver.drain();
    assert.equal(new InboxStore(database).get(answer.body.id as number)?.status, 'dead');
    const [letter] = new DeadLetterStore(database).list();
    assert.equal(letter?.source, 'online');
    assert.match(letter?.error.message ?? '', /crm\.lead\.get.*Not found/);
  });

  it('runs as a command until SIGTERM, then exits 0', async () => {
    await receiver.close();
    const env = applicationEnv(emulator, temporaryDatabase('serve-events'));
    const started = startEventsCli(['serve-events', '--handler', handlerPath, '--port', '0', '--confirm-write', '--json'], env);
    const url = await new Promise<string>((resolve) => started.child.stdout?.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { url: string }).url)));
    assert.equal((await http(url, { form: eventForm('ONAPPINSTALL', memberId, token) })).status, 200);
    started.child.kill('SIGTERM');
    const result = await started.done;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stderr.includes(token), 'no token in the log');
  });
});
