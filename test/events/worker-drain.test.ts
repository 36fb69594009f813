/**
 * `chain worker` against the emulator in its own process: rows reserved with clear=0, handled by the
 * bundled lead-contact-sync handler, cleared; failures retried through the saved reservation, then
 * dead-lettered; malformed rows dead-lettered; own writes kept out of the queue by auth_connector.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Database } from '../../src/store/index.ts';
import { bindEvents, DeadLetterStore, loadHandler, runWorker, type EventHandler, type WorkerEvent, type WorkerOptions } from '../../src/events/index.ts';
import type { PortalClient } from '../../src/client/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import type { EmulatorProcess } from '../helpers/emulator-process.ts';
import {
  addLeads,
  applicationClient,
  contactsByOrigin,
  handlerPath,
  methodCount,
  portalCall,
  queueRows,
  resetPortal,
  startEventsEmulator,
} from './helpers/events-fixture.ts';

describe('chain worker drains the offline queue', () => {
  let emulator: EmulatorProcess;
  let client: PortalClient;
  let closeClient: () => Promise<void>;
  let handler: EventHandler;
  let database: Database;

  before(async () => {
    emulator = await startEventsEmulator();
    ({ client, close: closeClient } = applicationClient(emulator));
    handler = await loadHandler(handlerPath);
  });
  after(async () => {
    await closeClient?.();
    await emulator?.stop();
  });
  beforeEach(async () => {
    await resetPortal(emulator);
    database = openStateDatabase(':memory:');
  });

  const drain = (options: Partial<WorkerOptions> = {}, events: WorkerEvent[] = []) =>
    runWorker({ client, database, handler, once: true, confirmWrite: true, onEvent: (event) => events.push(event), ...options });

  it('applies the handler once per lead for changes to 1,000 distinct leads, and leaves the queue empty', async () => {
    await bindEvents(client, { events: ['ONCRMLEADADD'], offline: true });
    const leads = await addLeads(emulator, 1000);
    assert.equal((await queueRows(client)).length, 1000, 'one queued row per new lead');

    const summary = await drain();

    assert.equal(summary.done, 1000);
    assert.equal(summary.deadLettered, 0);
    const contacts = await contactsByOrigin(emulator);
    assert.deepEqual([...contacts.keys()].sort(), leads.map((id) => `lead-${id}`).sort(), 'a contact for every lead');
    assert.ok(
      [...contacts.values()].every((count) => count === 1),
      'and only one',
    );
    assert.equal(await methodCount(emulator, 'crm.contact.add'), 1000, 'no add was ever sent twice');
    assert.deepEqual(await queueRows(client), [], 'the queue is empty, nothing left reserved');
  });

  it('handles several changes to one lead before a poll as one row, once', async () => {
    await bindEvents(client, { events: ['ONCRMLEADUPDATE'], offline: true });
    const [busy, quiet] = await addLeads(emulator, 2);
    for (let change = 1; change <= 5; change += 1) await portalCall(emulator, 'crm.lead.update', { id: busy, fields: { TITLE: `Change ${change}` } });
    await portalCall(emulator, 'crm.lead.update', { id: quiet, fields: { TITLE: 'Once' } });
    assert.equal((await queueRows(client)).length, 2, 'the portal keeps one row per changed lead');

    const summary = await drain();

    assert.equal(summary.reserved, 2);
    assert.equal(summary.done, 2);
    assert.equal(await methodCount(emulator, 'crm.lead.get'), 2, 'each row reached the handler once');
    assert.deepEqual(Object.fromEntries(await contactsByOrigin(emulator)), { [`lead-${busy}`]: 1, [`lead-${quiet}`]: 1 });
    assert.deepEqual(await queueRows(client), []);
  });

  it('retries failing rows through their saved reservation, then dead-letters them; the others are unaffected', async () => {
    await bindEvents(client, { events: ['ONCRMLEADADD'], offline: true });
    const leads = await addLeads(emulator, 60);
    const deleted = [leads[5], leads[17], leads[42]] as string[];
    for (const id of deleted) await portalCall(emulator, 'crm.lead.delete', { id });

    const summary = await drain({ maxRetries: 2 });

    assert.equal(summary.done, 57);
    assert.equal(summary.deadLettered, 3);
    const contacts = await contactsByOrigin(emulator);
    assert.equal(contacts.size, 57);
    assert.ok(deleted.every((id) => !contacts.has(`lead-${id}`)));
    assert.ok([...contacts.values()].every((count) => count === 1));
    assert.deepEqual(await queueRows(client), [], 'dead-lettered rows are cleared too');

    const letters = new DeadLetterStore(database).list();
    assert.equal(letters.length, 3);
    for (const letter of letters) {
      assert.equal(letter.attempts, 3, 'the first attempt and two retries');
      assert.match(letter.error.message, /crm\.lead\.get.*Not found.*gave up after 3 attempts/);
      assert.ok(deleted.includes(String((letter.payload as { EVENT_DATA: { FIELDS: { ID: number } } }).EVENT_DATA.FIELDS.ID)));
      const history = database.prepare('SELECT process_id, attempts, status FROM event_rows WHERE row_id = ? ORDER BY rowid').all(letter.rowId) as Array<{
        process_id: string;
        attempts: number;
        status: string;
      }>;
      assert.deepEqual(
        history.map((entry) => entry.attempts),
        [1, 3],
        'attempt 1 in the first reservation, attempts 2 and 3 in the error reservation',
      );
      const errorReservation = database.prepare('SELECT error_read FROM event_reservations WHERE process_id = ?').get(history[1]?.process_id) as {
        error_read: number;
      };
      assert.equal(errorReservation.error_read, 1, 'the retries were read with error=1');
      assert.equal(letter.processId, history[1]?.process_id, 'and re-read through the saved process_id');
    }
    assert.ok((await methodCount(emulator, 'event.offline.error')) >= 1, 'failures were marked with event.offline.error');
  });

  it('dead-letters a malformed row with a clear error instead of crashing', async () => {
    await bindEvents(client, { events: ['ONCRMLEADADD'], offline: true });
    await addLeads(emulator, 5);
    let mangled = '';
    const mangling: PortalClient = {
      portalKey: client.portalKey,
      batch: (commands, options) => client.batch(commands, options),
      list: (method, params, options) => client.list(method, params, options),
      counters: () => client.counters(),
      call: async (method, params, options) => {
        const answer = await client.call(method, params, options);
        const events = (answer.result as { events?: Array<Record<string, unknown>> } | null)?.events;
        if (method === 'event.offline.get' && params.process_id === undefined && events?.[0] && mangled === '') {
          events[0].EVENT_DATA = false;
          mangled = String(events[0].ID);
        }
        return answer;
      },
    };
    const events: WorkerEvent[] = [];

    const summary = await runWorker({ client: mangling, database, handler, once: true, confirmWrite: true, onEvent: (event) => events.push(event) });

    assert.equal(summary.done, 4);
    assert.equal(summary.deadLettered, 1);
    const [letter] = new DeadLetterStore(database).list();
    assert.equal(letter?.error.code, 'MALFORMED_EVENT');
    assert.equal(letter?.error.message, `event.offline.get: row ${mangled} (ONCRMLEADADD) is malformed: EVENT_DATA is boolean false, expected an object`);
    assert.equal(letter?.attempts, 0, 'not retried: a malformed row cannot get better');
    assert.ok(events.some((event) => event.type === 'dead_letter' && event.rowId === mangled));
    assert.deepEqual(await queueRows(client), [], 'the malformed row was cleared after it was dead-lettered');
  });

  it('finds a reservation that was never saved with event.offline.list and processes it', async () => {
    await bindEvents(client, { events: ['ONCRMLEADADD'], offline: true });
    await addLeads(emulator, 30);
    const stranded = (await client.call('event.offline.get', { clear: 0, limit: 10 }, { write: true })).result as { process_id: string };
    const events: WorkerEvent[] = [];

    const summary = await drain({}, events);

    assert.ok(events.some((event) => event.type === 'adopted' && event.processId === stranded.process_id && event.rows === 10));
    assert.equal(summary.done, 30);
    assert.equal((await contactsByOrigin(emulator)).size, 30);
    assert.deepEqual(await queueRows(client), []);
  });

  it('keeps its own writes out of the queue with --auth-connector', async () => {
    await bindEvents(client, { events: ['ONCRMLEADADD', 'ONCRMCONTACTADD'], offline: true, authConnector: 'erp-sync' });
    await addLeads(emulator, 20);

    const summary = await drain({ authConnector: 'erp-sync' });

    assert.equal(summary.done, 20);
    assert.equal((await contactsByOrigin(emulator)).size, 20);
    assert.deepEqual(await queueRows(client, 'erp-sync'), [], "the handler's 20 contact adds did not come back as events");
    await portalCall(emulator, 'crm.contact.add', { fields: { NAME: 'Someone else' } });
    assert.equal((await queueRows(client, 'erp-sync')).length, 1, 'while a contact added by someone else does');
  });

  it('refuses to read with clear=1 when the portal cannot reserve: WRONG_LICENSE, with what to do', async () => {
    await bindEvents(client, { events: ['ONCRMLEADADD'], offline: true });
    await addLeads(emulator, 2);
    await fetch(`${emulator.url}/_emulator/features`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'rest_offline_extended', enabled: false }),
    });
    await assert.rejects(drain(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'WRONG_LICENSE');
      assert.match(error.message, /does not allow reserving events with clear=0 \(WRONG_LICENSE\)\. The worker never reads with clear=1/);
      return true;
    });
    assert.equal((await queueRows(client)).length, 2, 'nothing was read away');
  });

  it('when running, spaces the retries of a failing row: one poll interval, then doubling', async () => {
    await bindEvents(client, { events: ['ONCRMLEADADD'], offline: true });
    const [gone] = await addLeads(emulator, 1);
    await portalCall(emulator, 'crm.lead.delete', { id: gone });
    const clock = new ManualClock();
    const stop = new AbortController();
    const attemptsAt: number[] = [];
    let events = 0;
    const summary = await runWorker({
      client,
      database,
      handler,
      confirmWrite: true,
      maxRetries: 2,
      pollIntervalMs: 3000,
      clock,
      stopSignal: stop.signal,
      onEvent: (event) => {
        events += 1;
        if (event.type === 'processed' && event.failed + event.deadLettered > 0) attemptsAt.push(clock.now());
        if ((event.type === 'idle' && attemptsAt.length === 3) || events > 200) stop.abort();
      },
    });
    assert.equal(summary.deadLettered, 1);
    assert.deepEqual(
      attemptsAt.slice(1).map((at, index) => at - (attemptsAt[index] as number)),
      [3000, 6000],
    );
    assert.ok(
      clock.sleeps.every((ms) => ms === 3000),
      'the worker slept the poll interval between passes',
    );
  });
});
