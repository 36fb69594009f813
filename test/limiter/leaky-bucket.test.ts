import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyBucket, recordRefusal, releaseSlot, reserveSlot, type BucketSettings, type BucketState } from '../../src/limiter/leaky-bucket.ts';
import { RateBucket } from '../../src/emulator/rate-bucket.ts';

const settings = (overrides: Partial<BucketSettings> = {}): BucketSettings => ({
  rate: 2,
  burst: 50,
  headroom: 1,
  refusalSlowdown: 0.8,
  refusalCooldownMs: 30_000,
  ...overrides,
});

function reserveMany(count: number, bucket: BucketSettings, at = 0): number[] {
  let state: BucketState = emptyBucket(at);
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const reserved = reserveSlot(state, bucket, at);
    state = reserved.state;
    times.push(reserved.sendAtMs);
  }
  return times;
}

describe('reserveSlot', () => {
  it('lets the burst (minus headroom) go at once, then one request per 1/rate', () => {
    const times = reserveMany(60, settings());
    assert.equal(times.filter((time) => time === 0).length, 49);
    assert.deepEqual(times.slice(49, 53), [500, 1000, 1500, 2000]);
  });

  it('the enterprise preset: 249 at once, then 5 per second', () => {
    const times = reserveMany(252, settings({ rate: 5, burst: 250 }));
    assert.equal(times.filter((time) => time === 0).length, 249);
    assert.deepEqual(times.slice(249), [200, 400, 600]);
  });

  it("never lets the portal's bucket refuse: 500 reservations replayed against the server model", () => {
    for (const [rate, burst] of [
      [2, 50],
      [5, 250],
      [20, 10],
    ] as const) {
      const times = reserveMany(500, settings({ rate, burst }));
      const server = new RateBucket(rate, burst, 0);
      const refused = [...times].sort((a, b) => a - b).filter((time) => !server.admit(time));
      assert.deepEqual(refused, [], `rate ${rate}, burst ${burst}`);
    }
  });

  it('uses the budget fully: 200 requests at 2/s with burst 50 end within 10 % of the floor', () => {
    const times = reserveMany(200, settings());
    const floorMs = ((200 - 50) / 2) * 1000;
    const last = Math.max(...times);
    assert.ok(last >= floorMs && last <= floorMs * 1.1, `last ${last} vs floor ${floorMs}`);
  });

  it('gives a slot back when the request is not sent', () => {
    let state: BucketState = emptyBucket(0);
    for (let index = 0; index < 49; index += 1) state = reserveSlot(state, settings(), 0).state;
    state = releaseSlot(state, settings(), 0);
    assert.equal(reserveSlot(state, settings(), 0).sendAtMs, 0);
  });

  it('after a 503, assumes the bucket is full and drains slower for a while', () => {
    const refused = recordRefusal(emptyBucket(0), settings(), 0);
    const next = reserveSlot(refused, settings(), 0);
    assert.ok(next.sendAtMs >= 1000, `waits for the drain, got ${next.sendAtMs}`);
    const afterCooldown = reserveSlot(refused, settings(), 60_000);
    assert.equal(afterCooldown.sendAtMs, 60_000);
  });
});
