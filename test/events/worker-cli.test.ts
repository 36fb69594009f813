/**
 * The event commands as a user runs them: refusals before any request, `chain events bind/list`,
 * and the dead letters (`chain worker dlq list | retry | drop`).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadHandler, runWorker, type DeadLetter } from '../../src/events/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { fetchStats } from '../helpers/emulator-process.ts';
import { addLeads, applicationEnv, contactsByOrigin, handlerPath, runEventsCli, temporaryDatabase, useEventsPortal } from './helpers/events-fixture.ts';

const flakyHandler = fileURLToPath(new URL('./fixtures/flaky-contact.yml', import.meta.url));

describe('chain worker, chain events and chain worker dlq on the command line', () => {
  const portal = useEventsPortal();

  const refusals: Array<[string, string[], (env: Record<string, string>) => Record<string, string>, RegExp]> = [
    [
      'a webhook, with a clear error that offline events need an application',
      ['--confirm-write'],
      (env) => ({ ...env, B24_AUTH_MODE: 'webhook', B24_WEBHOOK_USER_ID: '1', B24_WEBHOOK_CODE: portal.emulator.code }),
      /offline events need an application \(OAuth\) connection.*\(OFFLINE_EVENTS_NEED_APPLICATION\)\. Install a local application as a portal administrator/,
    ],
    ['a handler that writes, without --confirm-write', [], (env) => env, /\(CONFIRMATION_REQUIRED\)\. .*--confirm-write/],
    ['a bad --poll-interval', ['--confirm-write', '--poll-interval', 'soon'], (env) => env, /--poll-interval "soon": expected a duration such as 3s/],
  ];
  for (const [name, flags, envOf, message] of refusals) {
    it(`refuses ${name}, exit 2, before any request`, async () => {
      const env = envOf(applicationEnv(portal.emulator, temporaryDatabase('worker-refusal')));
      const requestsBefore = (await fetchStats(portal.emulator.url)).httpRequests;
      const result = await runEventsCli(['worker', '--handler', handlerPath, '--once', ...flags], env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal((await fetchStats(portal.emulator.url)).httpRequests, requestsBefore, 'nothing was sent');
    });
  }

  it('binds offline events (a second bind is not an error) and lists them', async () => {
    const env = applicationEnv(portal.emulator, temporaryDatabase('events-bind'));
    const first = await runEventsCli(['events', 'bind', 'onCrmLeadAdd', 'ONCRMLEADUPDATE', '--offline'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'ONCRMLEADADD: bound (offline)\nONCRMLEADUPDATE: bound (offline)\n');
    const again = await runEventsCli(['events', 'bind', 'ONCRMLEADADD', '--offline', '--json'], env);
    assert.deepEqual(JSON.parse(again.stdout), { status: 'done', bound: [{ event: 'ONCRMLEADADD', status: 'already bound' }] });
    const listed = await runEventsCli(['events', 'list', '--json'], env);
    assert.deepEqual((JSON.parse(listed.stdout) as { bindings: unknown[] }).bindings, [
      { event: 'ONCRMLEADADD', offline: true },
      { event: 'ONCRMLEADUPDATE', offline: true },
    ]);
    const online = await runEventsCli(['events', 'bind', 'ONCRMLEADADD'], env);
    assert.equal(online.code, 2);
    assert.match(online.stderr, /HANDLER_URL_MISSING/);
  });

  it('lists dead letters, sends one back through the handler and drops another', async () => {
    const database = temporaryDatabase('dlq');
    const env = applicationEnv(portal.emulator, database);
    await runEventsCli(['events', 'bind', 'ONCRMLEADADD', '--offline'], env);
    const [retried, dropped, fine] = await addLeads(portal.emulator, 3);
    const state = openStateDatabase(database);
    try {
      const summary = await runWorker({
        client: portal.client,
        database: state,
        handler: await loadHandler(flakyHandler),
        inputs: { failing: [retried, dropped] },
        once: true,
        confirmWrite: true,
        maxRetries: 0,
      });
      assert.equal(summary.deadLettered, 2);
    } finally {
      state.close();
    }
    const listed = JSON.parse((await runEventsCli(['worker', 'dlq', 'list', '--json'], env)).stdout) as { deadLetters: DeadLetter[] };
    const idOf = (lead: string | undefined): number =>
      listed.deadLetters.find((letter) => String((letter.payload as { EVENT_DATA: { FIELDS: { ID: number } } }).EVENT_DATA.FIELDS.ID) === lead)?.id ?? 0;
    assert.equal(listed.deadLetters.length, 2);
    assert.match(listed.deadLetters[0]?.error.message ?? '', /sync\.contact \(crm\.contact\.add\)/);
    const text = await runEventsCli(['worker', 'dlq', 'list'], env);
    assert.match(text.stdout, new RegExp(`^${idOf(dropped)}  dead  ONCRMLEADADD row \\d+  1 attempt\\(s\\)`, 'm'));

    assert.equal((await runEventsCli(['worker', 'dlq', 'retry', String(idOf(retried))], env)).code, 0);
    assert.equal((await runEventsCli(['worker', 'dlq', 'drop', String(idOf(dropped))], env)).code, 0);
    const pass = await runEventsCli(['worker', '--handler', flakyHandler, '--once', '--confirm-write', '--json'], env);
    assert.equal(pass.code, 0, pass.stderr);
    assert.ok(pass.stderr.includes(`"type":"retried","deadLetterId":${idOf(retried)},"status":"resolved"`));

    assert.deepEqual(
      [...(await contactsByOrigin(portal.emulator)).keys()].sort(),
      [`lead-${fine}`, `lead-${retried}`].sort(),
      'the retried row was handled, the dropped one not',
    );
    assert.equal((await runEventsCli(['worker', 'dlq', 'list'], env)).stdout, 'No dead letters.\n');
    const all = JSON.parse((await runEventsCli(['worker', 'dlq', 'list', '--all', '--json'], env)).stdout) as { deadLetters: DeadLetter[] };
    assert.deepEqual(
      all.deadLetters.map((letter) => [letter.id, letter.status]).sort(),
      [
        [idOf(retried), 'resolved'],
        [idOf(dropped), 'dropped'],
      ].sort(),
    );
    const settled = await runEventsCli(['worker', 'dlq', 'retry', String(idOf(dropped))], env);
    assert.equal(settled.code, 2);
    assert.match(settled.stderr, /already dropped \(DEAD_LETTER_SETTLED\)/);
  });
});
