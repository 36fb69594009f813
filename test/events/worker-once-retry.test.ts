/**
 * `chain worker --once` and a portal that fails now and then: a transient failure of
 * `event.offline.get` (5xx, garbage, a dropped connection) is tried again within a small budget, with
 * back-off, and the queue is drained; only a failure that persists past the budget exits 1, with a
 * message that names the call and says the rows stay reserved. Faults are seeded in the emulator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindEvents } from '../../src/events/index.ts';
import { fetchStats } from '../helpers/emulator-process.ts';
import {
  addLeads,
  applicationEnv,
  contactsByOrigin,
  handlerPath,
  queueRows,
  runEventsCli,
  temporaryDatabase,
  useEventsPortal,
} from './helpers/events-fixture.ts';

async function setFaults(url: string, rules: Array<Record<string, unknown>>): Promise<void> {
  const response = await fetch(`${url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }) });
  assert.equal(response.status, 200, await response.text());
}

function progress(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('chain worker --once retries a transient failure of the queue', () => {
  const portal = useEventsPortal();

  const transient: Array<[string, Record<string, unknown>]> = [
    ['an HTML 503', { status: 503 }],
    ['garbage in a 200', { garbage: true }],
    ['a connection dropped before the portal read it', { drop: 'before' }],
    ['a connection dropped after the portal reserved rows (they are adopted)', { drop: 'after' }],
  ];
  for (const [name, fault] of transient) {
    it(`survives ${name} of event.offline.get and drains the queue`, async () => {
      const env = applicationEnv(portal.emulator, temporaryDatabase('worker-once-retry'));
      await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
      const leads = await addLeads(portal.emulator, 60);
      await setFaults(portal.emulator.url, [{ method: 'event.offline.get', rate: 1, times: 1, ...fault }]);

      const result = await runEventsCli(['worker', '--handler', handlerPath, '--once', '--confirm-write', '--json'], env);

      assert.equal(result.code, 0, result.stderr);
      const errors = progress(result.stderr).filter((event) => event.type === 'error');
      assert.equal(errors.length, 1, result.stderr);
      assert.equal(errors[0]?.code, 'QUEUE_ANSWER_LOST');
      assert.equal(errors[0]?.retryInMs, 250, 'a short back-off before the second attempt');
      assert.match(String(errors[0]?.message), /^event\.offline\.get: the reservation got no usable answer/);
      const adopted = progress(result.stderr).filter((event) => event.type === 'adopted');
      assert.equal(adopted.length, fault.drop === 'after' ? 1 : 0, 'a reservation made without an answer is found and adopted, none otherwise');
      assert.deepEqual([...(await contactsByOrigin(portal.emulator)).keys()].sort(), leads.map((id) => `lead-${id}`).sort(), 'a contact for every lead');
      assert.ok(
        [...(await contactsByOrigin(portal.emulator)).values()].every((count) => count === 1),
        'and only one',
      );
      assert.deepEqual(await queueRows(portal.client), [], 'the queue is drained, nothing left reserved');
    });
  }

  it('exits 1 after the retry budget, naming event.offline.get and saying the rows stay reserved', async () => {
    const env = applicationEnv(portal.emulator, temporaryDatabase('worker-once-give-up'));
    await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
    await addLeads(portal.emulator, 5);
    await setFaults(portal.emulator.url, [{ method: 'event.offline.get', rate: 1, status: 503 }]);

    const result = await runEventsCli(['worker', '--handler', handlerPath, '--once', '--confirm-write'], env);

    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /event\.offline\.get: the offline queue gave no usable answer 3 times in a row; the last: .*\(QUEUE_UNAVAILABLE\)\. Nothing is lost: rows already reserved stay reserved/,
    );
    assert.match(result.stderr, /Run chain worker --once again when the portal answers/);
    assert.match(result.stderr, /retrying in 250 ms[\s\S]*retrying in 500 ms/, 'backed off twice before giving up');
    const stats = (await fetchStats(portal.emulator.url)) as { statuses: Record<string, number>; methods: Record<string, number> };
    assert.equal(stats.statuses['503'], 3, 'three attempts, no more');
    assert.equal(stats.methods['event.offline.get'] ?? 0, 0, 'none of them reserved anything');
    await setFaults(portal.emulator.url, []);
    const again = await runEventsCli(['worker', '--handler', handlerPath, '--once', '--confirm-write'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await contactsByOrigin(portal.emulator)).size, 5, 'the next worker handles every row');
  });
});
