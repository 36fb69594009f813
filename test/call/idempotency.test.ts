import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, type Clock } from '../../src/util/clock.ts';
import { countLeads, startCallFixture, type CallFixture } from './helpers/call-fixture.ts';

function leadParams(title: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ fields: { TITLE: title, ...extra } });
}

describe('chain call: idempotency', () => {
  let fixture: CallFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('the same key with the same params replays the stored answer and says so; nothing is sent', async () => {
    fixture = await startCallFixture();
    const request = { method: 'crm.lead.add', paramsText: leadParams('Keyed'), confirmWrite: true, idempotencyKey: 'import-7' };
    const first = await fixture.call(request);
    assert.equal(first.status, 'ok');
    assert.deepEqual(first.idempotency, { key: 'import-7', source: 'explicit', replayed: false, enabled: true });
    const reordered = JSON.stringify({ fields: { TITLE: 'Keyed' } });
    const second = await fixture.call({ ...request, paramsText: reordered });
    assert.equal(second.status, 'replayed');
    assert.equal(second.exitCode, 0);
    assert.equal(second.idempotency.replayed, true);
    assert.equal(second.result, first.result);
    assert.match(second.notices.join('\n'), /Replayed: .* for idempotency key "import-7"; nothing was sent\./);
    assert.equal(await fixture.requests(), 1);
    assert.equal(await countLeads(fixture.emulator, 'Keyed'), 1);
    assert.deepEqual(
      fixture.stores.audit.list().map((row) => [row.outcome, row.idempotencyKey]),
      [
        ['ok', 'import-7'],
        ['replayed', 'import-7'],
      ],
    );
  });

  it('the same key with different params is refused (exit 2), as REST 3.0 answers 422', async () => {
    fixture = await startCallFixture();
    await fixture.call({ method: 'crm.lead.add', paramsText: leadParams('First'), confirmWrite: true, idempotencyKey: 'k-conflict' });
    const conflict = await fixture.call({ method: 'crm.lead.add', paramsText: leadParams('Second'), confirmWrite: true, idempotencyKey: 'k-conflict' });
    assert.equal(conflict.status, 'refused');
    assert.equal(conflict.exitCode, 2);
    assert.equal(conflict.errors[0]?.code, 'IDEMPOTENCY_KEY_CONFLICT');
    assert.equal(await fixture.requests(), 1);
    assert.equal(await countLeads(fixture.emulator, 'Second'), 0);
  });

  it('uses the natural key ORIGINATOR_ID + ORIGIN_ID inside fields when no key is given', async () => {
    fixture = await startCallFixture();
    const request = { method: 'crm.lead.add', paramsText: leadParams('Natural', { ORIGINATOR_ID: 'shop', ORIGIN_ID: 'order-1' }), confirmWrite: true };
    const first = await fixture.call(request);
    assert.deepEqual(first.idempotency, { key: 'ORIGINATOR_ID=shop&ORIGIN_ID=order-1', source: 'natural', replayed: false, enabled: true });
    const second = await fixture.call(request);
    assert.equal(second.status, 'replayed');
    assert.equal(await countLeads(fixture.emulator, 'Natural'), 1);
  });

  it('without a key the write is sent every time, and the output says how to make it idempotent', async () => {
    fixture = await startCallFixture();
    const request = { method: 'crm.lead.add', paramsText: leadParams('Unkeyed'), confirmWrite: true };
    const first = await fixture.call(request);
    const second = await fixture.call(request);
    assert.deepEqual([first.status, second.status], ['ok', 'ok']);
    assert.equal(first.idempotency.key, null);
    assert.match(first.notices.join('\n'), /sent without an idempotency key.*--idempotency-key KEY.*ORIGINATOR_ID and ORIGIN_ID/);
    assert.equal(await countLeads(fixture.emulator, 'Unkeyed'), 2);
  });

  it('--no-idempotency sends even a write that has a natural key', async () => {
    fixture = await startCallFixture();
    const request = {
      method: 'crm.lead.add',
      paramsText: leadParams('Forced', { ORIGINATOR_ID: 'shop', ORIGIN_ID: 'order-2' }),
      confirmWrite: true,
      idempotency: false,
    };
    await fixture.call(request);
    const second = await fixture.call(request);
    assert.equal(second.status, 'ok');
    assert.equal(second.idempotency.enabled, false);
    assert.match(second.notices.join('\n'), /--no-idempotency/);
    assert.equal(await countLeads(fixture.emulator, 'Forced'), 2);
  });

  it('a key another caller holds in flight is not sent; it is refused after the wait', async () => {
    const clock = new ManualClock();
    fixture = await startCallFixture({ clock });
    const params = { fields: { TITLE: 'In flight' } };
    const held = fixture.stores.idempotency.begin({ portal: fixture.client.portalKey, method: 'crm.lead.add', key: 'k-busy', params });
    assert.equal(held.outcome, 'fresh');
    const outcome = await fixture.call(
      { method: 'crm.lead.add', paramsText: JSON.stringify(params), confirmWrite: true, idempotencyKey: 'k-busy' },
      { inFlightWaitMs: 2_000, inFlightPollMs: 500 },
    );
    assert.equal(outcome.errors[0]?.code, 'IDEMPOTENCY_KEY_IN_FLIGHT');
    assert.equal(outcome.exitCode, 2);
    assert.deepEqual(clock.sleeps, [500, 500, 500, 500]);
    assert.equal(await fixture.requests(), 0);
  });

  it('waiting on a key in flight ends in a replay when the other caller finishes', async () => {
    fixture = await startCallFixture();
    const params = { fields: { TITLE: 'Finished meanwhile' } };
    const held = fixture.stores.idempotency.begin({ portal: fixture.client.portalKey, method: 'crm.lead.add', key: 'k-soon', params });
    assert.ok(held.outcome === 'fresh');
    let now = 1_000;
    const finishingClock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
        fixture?.stores.idempotency.complete(held.claim, { result: 777 });
      },
    };
    const outcome = await fixture.call(
      { method: 'crm.lead.add', paramsText: JSON.stringify(params), confirmWrite: true, idempotencyKey: 'k-soon' },
      { clock: finishingClock, inFlightWaitMs: 5_000, inFlightPollMs: 100 },
    );
    assert.equal(outcome.status, 'replayed');
    assert.equal(outcome.result, 777);
    assert.equal(await fixture.requests(), 0);
  });

  it('a definite Bitrix24 error gives the key back: the next attempt is sent', async () => {
    fixture = await startCallFixture();
    const request = {
      method: 'crm.lead.update',
      paramsText: JSON.stringify({ id: 999_999, fields: { TITLE: 'x' } }),
      confirmWrite: true,
      idempotencyKey: 'k-missing',
    };
    const failed = await fixture.call(request);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.exitCode, 1);
    const retried = await fixture.call(request);
    assert.equal(retried.status, 'failed', 'sent again, not refused as in flight');
    assert.equal(await fixture.requests(), 2);
    assert.equal(fixture.stores.audit.list().at(-1)?.outcome, 'error');
  });

  it('an unknown outcome keeps the key reserved, so the write cannot go out twice', async () => {
    fixture = await startCallFixture();
    await fixture.emulator.setFaults({ rules: [{ method: 'crm.lead.add', rate: 1, drop: 'after', times: 1 }] });
    const request = { method: 'crm.lead.add', paramsText: leadParams('Dropped answer'), confirmWrite: true, idempotencyKey: 'k-dropped' };
    const unknown = await fixture.call(request);
    assert.equal(unknown.status, 'failed');
    assert.equal(unknown.exitCode, 1);
    assert.equal(unknown.errors[0]?.code, 'OUTCOME_UNKNOWN');
    assert.match(unknown.notices.join('\n'), /stays reserved/);
    const retried = await fixture.call(request);
    assert.equal(retried.errors[0]?.code, 'IDEMPOTENCY_KEY_IN_FLIGHT');
    assert.equal(await countLeads(fixture.emulator, 'Dropped answer'), 1);
  });

  it('reads carry no key and are never replayed', async () => {
    fixture = await startCallFixture();
    const first = await fixture.call({ method: 'user.current', idempotencyKey: 'read-key' });
    const second = await fixture.call({ method: 'user.current', idempotencyKey: 'read-key' });
    assert.deepEqual([first.status, second.status], ['ok', 'ok']);
    assert.equal(second.idempotency.key, null);
    assert.match(second.notices.join('\n'), /ignored for a read/);
    assert.equal(await fixture.requests(), 2);
  });
});
