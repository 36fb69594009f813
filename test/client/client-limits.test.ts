import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPortal, type TestPortal } from './emulator-client.ts';
import { ManualClock } from '../../src/util/clock.ts';
import type { LimiterWait } from '../../src/limiter/rate-limiter.ts';

const portals: TestPortal[] = [];
after(async () => Promise.all(portals.map((portal) => portal.close())));
async function open(options: Parameters<typeof startTestPortal>[0]): Promise<TestPortal> {
  const portal = await startTestPortal(options);
  portals.push(portal);
  return portal;
}

describe("the limiter keeps the client inside the portal's bucket", () => {
  it('120 concurrent requests against burst 10 at 20/s: no 503, and the burst is used at once', async () => {
    // The portal drains at 25/s, the client plans for 20/s: the margin absorbs the event-loop lag of a
    // loaded machine (client and portal share this process), which bunches requests sent on time.
    const portal = await open({ rate: 25, burst: 10 });
    const waits: LimiterWait[] = [];
    const client = portal.webhookClient({ hooks: { onLimiterWait: (wait) => waits.push(wait) } }, { rate: 20 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 120 }, (_, index) => client.call('crm.lead.list', { filter: { '>ID': index } })));
    const elapsed = Date.now() - started;
    const stats = await portal.emulator.stats();
    // One request per call; on a loaded machine a response timeout may be retried (a read), which the
    // client counts: no request is wasted on the limit itself.
    assert.equal(stats.httpRequests, 120 + client.counters().retries);
    assert.equal(stats.statuses['503'], undefined);
    assert.equal(stats.refusals.QUERY_LIMIT_EXCEEDED, undefined);
    // At least the burst minus one request of headroom went without waiting (more may, on a slow machine,
    // as the bucket drains meanwhile); the rest waited for the drain rather than for nothing.
    assert.ok(120 - waits.length >= 9, `${120 - waits.length} requests went without waiting`);
    const floorMs = ((120 - 10) / 20) * 1000;
    assert.ok(elapsed < floorMs * 2, `took ${elapsed} ms, floor ${floorMs} ms: the limiter waited far longer than the bucket needs`);
  });
});

describe('the operating-time budget (shared virtual clock: no waiting on the wall clock)', () => {
  it('pauses a method until operating_reset_at instead of failing when the budget is spent', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const portal = await open({ clock, operatingLimitSeconds: 0.3, executionMs: { methods: { 'crm.lead.list': 150 } } });
    const waits: LimiterWait[] = [];
    const client = portal.webhookClient({ clock, operatingLimitSeconds: 0.3, hooks: { onLimiterWait: (wait) => waits.push(wait) } });
    for (let index = 0; index < 3; index += 1) await client.call('crm.lead.list');
    const stats = await portal.emulator.stats();
    assert.equal(stats.refusals.OPERATION_TIME_LIMIT, undefined, 'the client paused before the portal had to refuse');
    assert.equal(stats.methods['crm.lead.list'], 3);
    const pause = waits.find((wait) => wait.reason === 'operating');
    assert.equal(pause?.method, 'crm.lead.list');
    assert.ok(pause !== undefined && pause.waitMs > 500_000 && pause.waitMs <= 600_000, `paused ${pause?.waitMs} ms`);
  });

  it('after a 429 it waits for the reset and retries, even a write, exactly once', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const portal = await open({ clock, operatingLimitSeconds: 0.3, executionMs: { methods: { 'crm.lead.add': 150 } } });
    // This client does not know the portal's budget (480 s), so it meets the 429.
    const client = portal.webhookClient({ clock });
    const ids = [];
    for (let index = 0; index < 3; index += 1) ids.push((await client.call<number>('crm.lead.add', { fields: { TITLE: `L${index}` } })).result);
    const stats = await portal.emulator.stats();
    assert.equal(stats.refusals.OPERATION_TIME_LIMIT, 1);
    assert.equal(stats.methods['crm.lead.add'], 3);
    assert.equal(new Set(ids).size, 3);
    assert.ok(
      clock.sleeps.some((ms) => ms > 500_000),
      `slept ${JSON.stringify(clock.sleeps)}`,
    );
  });

  it('charges a batch to `batch` (measured): its budget pauses batches, not single calls', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const portal = await open({ clock, operatingLimitSeconds: 0.3, executionMs: { methods: { 'crm.lead.list': 100 } } });
    const waits: LimiterWait[] = [];
    const client = portal.webhookClient({ clock, operatingLimitSeconds: 0.3, hooks: { onLimiterWait: (wait) => waits.push(wait) } });
    await client.batch({ a: 'crm.lead.list', b: 'crm.lead.list', c: 'crm.lead.list', d: 'crm.lead.list' });
    await client.call('crm.lead.list');
    assert.equal(waits.length, 0, 'a single call is not held back by the batch budget');
    await client.batch({ a: 'crm.lead.list' });
    assert.deepEqual(
      waits.map((wait) => [wait.reason, wait.method]),
      [['operating', 'batch']],
    );
  });

  it('charges each command to its own method when the portal is documented-style (switchable)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const portal = await open({ clock, batchCharging: 'documented', operatingLimitSeconds: 0.3, executionMs: { methods: { 'crm.lead.list': 200 } } });
    const waits: LimiterWait[] = [];
    const client = portal.webhookClient({
      clock,
      batchCharging: 'documented',
      operatingLimitSeconds: 0.3,
      hooks: { onLimiterWait: (wait) => waits.push(wait) },
    });
    await client.batch({ a: 'crm.lead.list', b: 'server.time' });
    await client.batch({ a: 'crm.lead.list' });
    await client.batch({ a: 'server.time' });
    assert.equal(waits.length, 0, 'batches without crm.lead.list are not held back');
    await client.batch({ a: 'crm.lead.list' });
    assert.deepEqual(
      waits.map((wait) => [wait.reason, wait.method]),
      [['operating', 'crm.lead.list']],
    );
    assert.equal((await portal.emulator.stats()).refusals.OPERATION_TIME_LIMIT, undefined);
  });
});
