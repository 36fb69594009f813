import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateLimiter, type LimiterWait } from '../../src/limiter/rate-limiter.ts';
import { SqliteLimiterStore } from '../../src/limiter/sqlite-limiter-store.ts';
import { MemoryLimiterStore } from '../../src/limiter/memory-limiter-store.ts';
import { ManualClock } from '../../src/util/clock.ts';

const directory = mkdtempSync(join(tmpdir(), 'b24-limiter-'));
after(() => rmSync(directory, { recursive: true, force: true }));

describe('RateLimiter', () => {
  it('hands concurrent callers distinct slots (no stampede) and reports the waits', async () => {
    const clock = new ManualClock(0);
    const waits: LimiterWait[] = [];
    const limiter = new RateLimiter({ clock, rate: 2, burst: 5, headroom: 0, onWait: (wait) => waits.push(wait) });
    await Promise.all(Array.from({ length: 8 }, () => limiter.acquire('portal', ['crm.lead.add'])));
    assert.deepEqual(
      waits.map((wait) => [wait.reason, wait.waitMs]),
      [
        ['rate', 500],
        ['rate', 1000],
        ['rate', 1500],
      ],
    );
  });

  it('pauses a method until operating_reset_at once its budget is spent, other methods unaffected', async () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new RateLimiter({ clock, operatingLimitSeconds: 480 });
    await limiter.observe('portal', 'crm.lead.list', { operating: 480.5, operatingResetAtMs: 1_090_000 });
    const other = await limiter.acquire('portal', ['crm.deal.list']);
    assert.equal(other.waitedMs, 0);
    const paused = await limiter.acquire('portal', ['crm.lead.list']);
    assert.equal(paused.waitedMs, 90_000);
    assert.equal(clock.now(), 1_090_000);
  });

  it('does not pause below the budget', async () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ clock, operatingLimitSeconds: 480 });
    await limiter.observe('portal', 'batch', { operating: 470, operatingResetAtMs: 600_000 });
    assert.equal((await limiter.acquire('portal', ['batch'])).waitedMs, 0);
  });

  it('charges a batch to `batch` when measured, to its commands when documented', () => {
    assert.deepEqual(new RateLimiter().chargedMethods('batch', ['crm.lead.add', 'crm.deal.add']), ['batch']);
    assert.deepEqual(new RateLimiter({ batchCharging: 'documented' }).chargedMethods('batch', ['crm.lead.add', 'CRM.LEAD.ADD', 'crm.deal.add']), [
      'crm.lead.add',
      'crm.deal.add',
    ]);
  });

  it('gives the slot back when aborted while waiting', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryLimiterStore();
    const limiter = new RateLimiter({ clock, store, rate: 1, burst: 1, headroom: 0 });
    await limiter.acquire('portal', ['x']);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(limiter.acquire('portal', ['x'], controller.signal), /stop/);
    // A fresh limiter over the same store finds one slot used, not two.
    const waits: number[] = [];
    await new RateLimiter({ clock, store, rate: 1, burst: 1, headroom: 0, onWait: (wait) => waits.push(wait.waitMs) }).acquire('portal', ['x']);
    assert.deepEqual(waits, [1000]);
  });
});

describe('SqliteLimiterStore', () => {
  it('two stores on one file (two processes) share one bucket and one operating state', async () => {
    const path = join(directory, 'shared.db');
    const first = new SqliteLimiterStore(path);
    const second = new SqliteLimiterStore(path);
    const settings = { rate: 2, burst: 10, headroom: 0, refusalSlowdown: 0.8, refusalCooldownMs: 30_000 };
    const times: number[] = [];
    for (let index = 0; index < 12; index += 1) times.push(await (index % 2 === 0 ? first : second).reserve('portal', settings, 0));
    assert.equal(times.filter((time) => time === 0).length, 10);
    assert.deepEqual(times.slice(10), [500, 1000]);
    await first.observeOperating('portal', 'batch', { operating: 500, resetAtMs: 77_000 }, 0, 480);
    assert.equal((await second.methodState('portal', 'batch'))?.blockedUntilMs, 77_000);
    assert.equal(await second.methodState('other', 'batch'), undefined);
    await first.close();
    await second.close();
  });

  it('keeps portals apart', async () => {
    const store = new SqliteLimiterStore(':memory:');
    const settings = { rate: 1, burst: 1, headroom: 0, refusalSlowdown: 1, refusalCooldownMs: 0 };
    assert.equal(await store.reserve('a.bitrix24.com', settings, 0), 0);
    assert.equal(await store.reserve('b.bitrix24.com', settings, 0), 0);
    assert.equal(await store.reserve('a.bitrix24.com', settings, 0), 1000);
    await store.close();
  });
});
