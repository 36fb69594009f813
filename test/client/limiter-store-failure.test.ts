/**
 * A shared limiter store that fails (Redis gone) never turns a request the portal executed into an
 * error (a write's caller would take it for "not sent" and send it again on resume), and stops a
 * request it cannot reserve for before it is sent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLimiterStoreError, LimiterStoreError } from '../../src/errors/index.ts';
import type { BucketSettings } from '../../src/limiter/leaky-bucket.ts';
import { MemoryLimiterStore } from '../../src/limiter/memory-limiter-store.ts';
import { caught, startTestPortal, type TestPortal } from './emulator-client.ts';

/** A memory store whose operations fail once `down` is set, counting the attempts. */
class FlakyStore extends MemoryLimiterStore {
  down = false;
  failed: string[] = [];
  private check(operation: string): void {
    if (!this.down) return;
    this.failed.push(operation);
    throw new LimiterStoreError({ address: 'redis://:***@cache:6379', detail: 'Redis did not answer: connect ECONNREFUSED' });
  }
  override async reserve(key: string, settings: BucketSettings, nowMs: number): Promise<number> {
    this.check('reserve');
    return super.reserve(key, settings, nowMs);
  }
  override async observeOperating(...args: Parameters<MemoryLimiterStore['observeOperating']>): Promise<void> {
    this.check('observeOperating');
    return super.observeOperating(...args);
  }
}

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal({ seed: 'empty' });
});
after(async () => portal.close());

describe('a failing limiter store', () => {
  it('after the answer: the write is done, not an error', async () => {
    const store = new FlakyStore();
    const client = portal.webhookClient({ limiterStore: store });
    const requests = (await portal.emulator.stats()).httpRequests;
    // Fail only what happens after the request went out.
    const reserve = store.reserve.bind(store);
    store.reserve = async (...args) => {
      const sendAt = await reserve(...args);
      store.down = true;
      return sendAt;
    };
    const created = await client.call<number>('crm.lead.add', { fields: { TITLE: 'Kept' } }, { write: true });
    assert.equal(typeof created.result, 'number');
    store.down = false;
    const batch = await client.batch({ one: { method: 'crm.lead.add', params: { fields: { TITLE: 'Kept too' } } } }, { write: true });
    assert.equal(batch.outcomes.one?.status, 'done');
    assert.ok(store.failed.includes('observeOperating'), `the observation was attempted: ${store.failed.join(', ')}`);
    assert.equal((await portal.emulator.stats()).httpRequests - requests, 2);
  });

  it('before the request: LIMITER_STORE_UNAVAILABLE and nothing sent', async () => {
    const store = new FlakyStore();
    store.down = true;
    const client = portal.webhookClient({ limiterStore: store });
    const requests = (await portal.emulator.stats()).httpRequests;
    const error = await caught(() => client.call('crm.lead.add', { fields: { TITLE: 'Never' } }, { write: true }));
    assert.ok(isLimiterStoreError(error));
    assert.equal((await portal.emulator.stats()).httpRequests, requests);
  });
});
