/**
 * The Redis limiter store against a real Redis (`npm run test:fleet`): the same answers as the memory
 * store for every operation, atomic under concurrent stores, on the server's clock when hosts' clocks
 * disagree, keys that expire, and a typed error (password masked) when Redis cannot be reached.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { isLimiterStoreError } from '../../src/errors/index.ts';
import type { BucketSettings } from '../../src/limiter/leaky-bucket.ts';
import type { LimiterStore, OperatingObservation } from '../../src/limiter/limiter-store.ts';
import { MemoryLimiterStore } from '../../src/limiter/memory-limiter-store.ts';
import { RateLimiter } from '../../src/limiter/rate-limiter.ts';
import { RedisLimiterStore } from '../../src/limiter/redis-limiter-store.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { fleetServers, freshRedisPrefix } from '../helpers/fleet-env.ts';

const { redisUrl } = fleetServers();
const opened: LimiterStore[] = [];
const inspector = new Redis(redisUrl);
after(async () => {
  for (const store of opened) await store.close();
  await inspector.quit();
});

function redisStore(prefix: string, timeSource: 'server' | 'caller' = 'caller', shareConnection = true): RedisLimiterStore {
  const store = new RedisLimiterStore({ url: redisUrl, prefix, timeSource, shareConnection });
  opened.push(store);
  return store;
}

const settings = (overrides: Partial<BucketSettings> = {}): BucketSettings => ({
  rate: 2,
  burst: 10,
  headroom: 1,
  refusalSlowdown: 0.8,
  refusalCooldownMs: 5_000,
  ...overrides,
});

type Operation =
  | { kind: 'reserve' | 'release' | 'refuse'; key: string; at: number; bucket?: Partial<BucketSettings> }
  | { kind: 'observe'; key: string; method: string; observation: OperatingObservation; at: number; limit?: number }
  | { kind: 'block'; key: string; method: string; until: number; at: number }
  | { kind: 'state'; key: string; method: string; at: number };

/** Applies the operations in order; what each returned. */
async function replay(store: LimiterStore, operations: readonly Operation[]): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const operation of operations) {
    switch (operation.kind) {
      case 'reserve':
        results.push(await store.reserve(operation.key, settings(operation.bucket), operation.at));
        break;
      case 'release':
        results.push(await store.release(operation.key, settings(operation.bucket), operation.at));
        break;
      case 'refuse':
        results.push(await store.recordRefusal(operation.key, settings(operation.bucket), operation.at));
        break;
      case 'observe':
        results.push(await store.observeOperating(operation.key, operation.method, operation.observation, operation.at, operation.limit ?? 480));
        break;
      case 'block':
        results.push(await store.blockMethod(operation.key, operation.method, operation.until, operation.at));
        break;
      case 'state':
        results.push(await store.methodState(operation.key, operation.method, operation.at));
        break;
    }
  }
  return results;
}

const reserves = (count: number, at: number, key = 'portal'): Operation[] => Array.from({ length: count }, () => ({ kind: 'reserve', key, at }));

const scenarios: Array<{ name: string; operations: Operation[]; expect?: (results: unknown[]) => void }> = [
  {
    name: 'the burst (minus headroom) at once, then one request per 1/rate',
    operations: reserves(12, 1_000),
    expect: (results) => assert.deepEqual(results.slice(8), [1_000, 1_500, 2_000, 2_500]),
  },
  {
    name: 'the bucket drains between reservations',
    operations: [...reserves(10, 0), ...reserves(2, 3_000)],
    expect: (results) => assert.deepEqual(results.slice(9), [500, 3_000, 3_000]),
  },
  {
    name: 'a released slot is free again',
    operations: [...reserves(9, 0), { kind: 'release', key: 'portal', at: 0 }, ...reserves(2, 0)],
    expect: (results) => assert.deepEqual(results.slice(10), [0, 500]),
  },
  {
    name: 'a 503 fills the bucket and slows the drain, more with each 503 in the cooldown, not after it',
    operations: [
      { kind: 'refuse', key: 'portal', at: 0 },
      ...reserves(1, 0),
      { kind: 'refuse', key: 'portal', at: 100 },
      ...reserves(1, 100),
      ...reserves(1, 60_000),
    ],
    expect: (results) => assert.equal(results[4], 60_000),
  },
  {
    name: 'the slowdown stops at 5 % of the rate',
    operations: [...Array.from({ length: 15 }, (): Operation => ({ kind: 'refuse', key: 'portal', at: 1_000 })), ...reserves(1, 1_000)],
    // Full bucket (10) + 1 − capacity (9) = 2 requests too many, drained at 0.05 × 2/s.
    expect: (results) => assert.equal(results[15], 21_000),
  },
  {
    name: 'portals are kept apart',
    operations: [...reserves(9, 0, 'a.example'), ...reserves(1, 0, 'b.example'), ...reserves(1, 0, 'a.example')],
    expect: (results) => assert.deepEqual(results.slice(9), [0, 500]),
  },
  {
    name: 'an operating budget spent blocks the method until operating_reset_at; other methods unaffected',
    operations: [
      { kind: 'observe', key: 'op', method: 'crm.lead.list', observation: { operating: 480.5, resetAtMs: 90_000 }, at: 1_000 },
      { kind: 'state', key: 'op', method: 'crm.lead.list', at: 2_000 },
      { kind: 'state', key: 'op', method: 'crm.deal.list', at: 2_000 },
    ],
    expect: (results) => {
      assert.deepEqual(results[1], { operating: 480.5, resetAtMs: 90_000, observedAtMs: 1_000, blockedUntilMs: 90_000 });
      assert.equal(results[2], undefined);
    },
  },
  {
    name: 'below the budget nothing is blocked; an unknown reset blocks for a minute',
    operations: [
      { kind: 'observe', key: 'op', method: 'batch', observation: { operating: 470 }, at: 0 },
      { kind: 'state', key: 'op', method: 'batch', at: 0 },
      { kind: 'observe', key: 'op', method: 'batch', observation: { operating: 481 }, at: 10_000 },
      { kind: 'state', key: 'op', method: 'batch', at: 10_000 },
    ],
    expect: (results) => {
      assert.equal((results[1] as { blockedUntilMs?: number }).blockedUntilMs, undefined);
      assert.equal((results[3] as { blockedUntilMs?: number }).blockedUntilMs, 70_000);
    },
  },
  {
    name: 'a block (429) keeps the later of two ends and survives a lower observation',
    operations: [
      { kind: 'block', key: 'op', method: 'crm.lead.add', until: 50_000, at: 0 },
      { kind: 'block', key: 'op', method: 'crm.lead.add', until: 20_000, at: 1_000 },
      { kind: 'observe', key: 'op', method: 'crm.lead.add', observation: { operating: 10, resetAtMs: 30_000 }, at: 2_000 },
      { kind: 'state', key: 'op', method: 'crm.lead.add', at: 3_000 },
      { kind: 'observe', key: 'op', method: 'crm.lead.add', observation: { operating: 12 }, at: 60_000 },
      { kind: 'state', key: 'op', method: 'crm.lead.add', at: 60_000 },
    ],
    expect: (results) => {
      assert.deepEqual(results[3], { operating: 10, resetAtMs: 30_000, observedAtMs: 2_000, blockedUntilMs: 50_000 });
      assert.deepEqual(results[5], { operating: 12, resetAtMs: 30_000, observedAtMs: 60_000, blockedUntilMs: undefined });
    },
  },
];

/** A long mixed sequence from a seeded generator (mulberry32), so every branch meets every other. */
function randomOperations(seed: number, count: number): Operation[] {
  let state = seed;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const operations: Operation[] = [];
  let at = 0;
  for (let index = 0; index < count; index += 1) {
    at += pick([0, 0, 0, 37, 250, 800, 4_000]);
    const key = pick(['a.example', 'b.example']);
    const method = pick(['batch', 'crm.lead.add']);
    const roll = random();
    if (roll < 0.45) operations.push({ kind: 'reserve', key, at });
    else if (roll < 0.55) operations.push({ kind: 'release', key, at });
    else if (roll < 0.62) operations.push({ kind: 'refuse', key, at });
    else if (roll < 0.75) {
      const observation: OperatingObservation = { operating: pick([5, 120.25, 479.9, 480, 533.3]) };
      if (random() < 0.7) observation.resetAtMs = at + pick([-1_000, 0, 15_000, 300_000]);
      operations.push({ kind: 'observe', key, method, observation, at, limit: pick([480, 0]) });
    } else if (roll < 0.82) operations.push({ kind: 'block', key, method, until: at + pick([-500, 2_000, 61_000]), at });
    else operations.push({ kind: 'state', key, method, at });
  }
  return operations;
}

describe('RedisLimiterStore: the memory store semantics', () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const expected = await replay(new MemoryLimiterStore(), scenario.operations);
      const actual = await replay(redisStore(freshRedisPrefix('semantics')), scenario.operations);
      assert.deepEqual(actual, expected);
      scenario.expect?.(actual);
    });
  }

  it('600 mixed operations (seeded) give exactly what the memory store gives', async () => {
    const operations = randomOperations(14, 600);
    assert.deepEqual(await replay(redisStore(freshRedisPrefix('mixed')), operations), await replay(new MemoryLimiterStore(), operations));
  });

  it('a rate limiter on it pauses one credential until the reset, not another credential of the same portal', async () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new RateLimiter({ clock, store: redisStore(freshRedisPrefix('limiter')), operatingLimitSeconds: 480 });
    await limiter.observe('portal|apauth|one', 'crm.lead.list', { operating: 480.5, operatingResetAtMs: 1_090_000 });
    const other = await limiter.acquire({ bucket: 'portal', operating: 'portal|apauth|two' }, ['crm.lead.list']);
    assert.equal(other.waitedMs, 0);
    const paused = await limiter.acquire({ bucket: 'portal', operating: 'portal|apauth|one' }, ['crm.lead.list']);
    assert.equal(paused.waitedMs, 90_000);
    assert.equal(await limiter.operatingResetAt('portal|apauth|one', 'crm.lead.list'), 1_090_000);
  });
});

describe('RedisLimiterStore: several hosts', () => {
  it('concurrent reservations from two store instances never exceed the bucket', async () => {
    const prefix = freshRedisPrefix('concurrent');
    // Two connections, as two hosts have.
    const [first, second] = [redisStore(prefix, 'caller', false), redisStore(prefix, 'caller', false)];
    const bucket = settings({ headroom: 0 });
    const times = await Promise.all(Array.from({ length: 60 }, (_, index) => (index % 2 === 0 ? first : second).reserve('portal', bucket, 0)));
    const sorted = [...times].sort((a, b) => a - b);
    // Exactly the burst at once, then one slot per 500 ms: none lost, none handed out twice.
    assert.deepEqual(
      sorted,
      Array.from({ length: 60 }, (_, index) => Math.max(0, index - 9) * 500),
    );
  });

  it("computes on the server's clock: hosts whose clocks are an hour apart share one budget", async () => {
    const prefix = freshRedisPrefix('skew');
    const ahead = redisStore(prefix, 'server', false);
    const behind = redisStore(prefix, 'server', false);
    const aheadNow = (): number => Date.now() + 3_600_000;
    const behindNow = (): number => Date.now() - 3_600_000;
    const bucket = settings({ headroom: 0 });
    const delays: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      const now = index % 2 === 0 ? aheadNow() : behindNow();
      delays.push((await (index % 2 === 0 ? ahead : behind).reserve('portal', bucket, now)) - now);
    }
    assert.deepEqual(
      delays.slice(0, 10),
      Array.from({ length: 10 }, () => 0),
    );
    // Real time passes between the calls and drains a little: the waits are at most 500 and 1000 ms.
    assert.ok(delays[10] !== undefined && delays[10] > 300 && delays[10] <= 500, `11th waits ${delays[10]}`);
    assert.ok(delays[11] !== undefined && delays[11] > 800 && delays[11] <= 1_000, `12th waits ${delays[11]}`);

    // A block set by the host ahead ends, for the host behind, as far from its own now.
    const setAt = aheadNow();
    await ahead.blockMethod('op', 'crm.lead.add', setAt + 30_000, setAt);
    const readAt = behindNow();
    const state = await behind.methodState('op', 'crm.lead.add', readAt);
    const remaining = (state?.blockedUntilMs ?? 0) - readAt;
    assert.ok(remaining > 29_000 && remaining <= 30_000, `block remaining ${remaining} ms`);
  });

  it('keys carry the prefix, expire when idle, and a full bucket lives a few drain times', async () => {
    const prefix = freshRedisPrefix('expiry');
    const store = redisStore(prefix, 'server');
    for (let index = 0; index < 10; index += 1) await store.reserve('portal.example', settings(), Date.now());
    await store.observeOperating('portal.example|apauth|0123', 'batch', { operating: 3 }, Date.now(), 480);
    const keys = (await inspector.keys(`${prefix}*`)).sort();
    assert.deepEqual(keys, [`${prefix}bucket:portal.example`, `${prefix}method:portal.example|apauth|0123|batch`]);
    const bucketTtl = await inspector.pttl(`${prefix}bucket:portal.example`);
    // 3 × (10 / 2 s) + the 5 s cooldown.
    assert.ok(bucketTtl > 15_000 && bucketTtl <= 20_000, `bucket ttl ${bucketTtl}`);
    const methodTtl = await inspector.pttl(`${prefix}method:portal.example|apauth|0123|batch`);
    assert.ok(methodTtl > 590_000 && methodTtl <= 600_000, `method ttl ${methodTtl}`);
  });
});

describe('RedisLimiterStore: one connection per process', () => {
  it('stores share it (a worker with many portals); closing one leaves the others working', async () => {
    const prefix = freshRedisPrefix('shared');
    const clients = async (): Promise<number> =>
      String(await inspector.client('LIST'))
        .trim()
        .split('\n').length;
    const before = await clients();
    const stores = Array.from({ length: 30 }, () => new RedisLimiterStore({ url: redisUrl, prefix }));
    opened.push(...stores);
    await Promise.all(stores.map((store, index) => store.reserve(`portal-${index}`, settings(), Date.now())));
    // One more connection, not thirty (other test files may open or close a few meanwhile).
    assert.ok((await clients()) - before < 10, `${(await clients()) - before} new connections`);
    for (const store of stores.slice(1)) await store.close();
    assert.equal(await (stores[0] as RedisLimiterStore).reserve('portal-0', settings({ headroom: 0 }), 0), 0);
    await stores[0]?.close();
    await assert.rejects((stores[0] as RedisLimiterStore).reserve('portal-0', settings(), 0), { code: 'LIMITER_STORE_UNAVAILABLE' });
    // After the last one let go, a new store opens a new connection.
    const fresh = redisStore(prefix);
    assert.equal(await fresh.reserve('portal-x', settings(), 0), 0);
  });
});

describe('RedisLimiterStore: Redis unreachable', () => {
  it('fails with LIMITER_STORE_UNAVAILABLE, the password masked', async () => {
    const store = new RedisLimiterStore({ url: 'redis://:hunter2-secret@127.0.0.1:1/0', connectTimeoutMs: 500 });
    opened.push(store);
    const failure = await store.reserve('portal', settings(), 0).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(isLimiterStoreError(failure), String(failure));
    assert.equal(failure.code, 'LIMITER_STORE_UNAVAILABLE');
    assert.match(
      failure.message,
      /^limiter store redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: Redis did not answer: .*ECONNREFUSED.* \(LIMITER_STORE_UNAVAILABLE\)\. Check B24_REDIS_URL/,
    );
    assert.doesNotMatch(JSON.stringify(failure.toJSON()) + failure.message, /hunter2/);
    await assert.rejects(store.connect(), { code: 'LIMITER_STORE_UNAVAILABLE' });
  });
});
