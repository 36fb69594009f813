import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startTestPortal, caught, type TestPortal } from './emulator-client.ts';
import { isOutcomeUnknownError } from '../../src/errors/outcome-unknown-error.ts';
import { isNetworkError } from '../../src/errors/network-error.ts';
import { isBitrixApiError } from '../../src/errors/bitrix-api-error.ts';
import type { RetryEvent } from '../../src/client/client-hooks.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(async () => portal.close());
beforeEach(async () => portal.emulator.reset());

async function leadCount(): Promise<number> {
  const answer = await portal.webhookClient().call('crm.lead.list', { select: ['ID'] });
  return answer.total ?? -1;
}

const writeBatch = {
  a: { method: 'crm.lead.add', params: { fields: { TITLE: 'A' } } },
  b: { method: 'crm.lead.add', params: { fields: { TITLE: 'B' } } },
};

describe('faults: reads are retried', () => {
  const faults: Array<[string, Record<string, unknown>]> = [
    ['an HTML 502', { status: 502 }],
    ['an HTML 503', { status: 503 }],
    ['a JSON 500', { status: 500 }],
    ['garbage in a 200', { garbage: true }],
    ['a connection dropped before execution', { drop: 'before' }],
    ['a connection dropped after execution', { drop: 'after' }],
  ];
  for (const [name, fault] of faults) {
    it(`after ${name}`, async () => {
      await portal.emulator.setFaults({ rules: [{ method: 'batch', rate: 1, times: 2, ...fault }] });
      const retries: RetryEvent[] = [];
      const result = await portal.webhookClient({ hooks: { onRetry: (event) => retries.push(event) } }).batch({ t: 'server.time', l: 'crm.lead.list' });
      const time = result.outcomes.t;
      assert.equal(time?.status === 'done' ? typeof time.result : time?.status, 'string');
      assert.equal(retries.length, 2);
      assert.equal((await portal.emulator.stats()).methods.batch, 'drop' in fault && fault.drop === 'after' ? 3 : 1);
    });
  }
});

describe('faults: a write is never sent twice', () => {
  it('a batch of writes whose connection drops after the portal executed it: outcome unknown, not re-sent', async () => {
    await portal.emulator.setFaults({ rules: [{ method: 'batch', rate: 1, times: 1, drop: 'after' }] });
    const error = await caught(() => portal.webhookClient().batch(writeBatch));
    assert.ok(isOutcomeUnknownError(error));
    assert.deepEqual(error.commands, ['a', 'b']);
    assert.match(error.hint, /not re-sent/);
    const stats = await portal.emulator.stats();
    assert.equal(stats.methods.batch, 1);
    assert.equal(stats.methods['crm.lead.add'], 2, 'executed once, never again');
    assert.equal(await leadCount(), 2);
  });

  it('a single write whose connection drops before execution: outcome unknown too (the client cannot tell)', async () => {
    await portal.emulator.setFaults({ rules: [{ method: 'crm.lead.add', rate: 1, times: 1, drop: 'before' }] });
    const error = await caught(() => portal.webhookClient().call('crm.lead.add', { fields: { TITLE: 'x' } }));
    assert.ok(isOutcomeUnknownError(error));
    assert.equal((await portal.emulator.stats()).httpRequests, 1);
  });

  for (const [name, fault] of [
    ['an HTML 503', { status: 503 }],
    ['a JSON 500', { status: 500 }],
    ['garbage in a 200', { garbage: true }],
  ] as const) {
    it(`a write answered with ${name}: outcome unknown, sent once`, async () => {
      await portal.emulator.setFaults({ rules: [{ method: 'batch', rate: 1, times: 1, ...fault }] });
      const error = await caught(() => portal.webhookClient().batch(writeBatch));
      assert.ok(isOutcomeUnknownError(error), String(error));
      assert.ok(isBitrixApiError(error.cause));
      assert.equal((await portal.emulator.stats()).httpRequests, 1);
    });
  }

  it('a write refused by the rate limit (503 QUERY_LIMIT_EXCEEDED) is re-sent and executed exactly once', async () => {
    const limited = await startTestPortal({ rate: 20, burst: 5 });
    try {
      // The client believes in a much larger bucket, so it overshoots and meets real 503s.
      const client = limited.webhookClient({ random: () => 0.5 }, { rate: 1000, burst: 1000 });
      const adds = Array.from({ length: 12 }, (_, index) => client.call<number>('crm.lead.add', { fields: { TITLE: `L${index}` } }));
      const ids = (await Promise.all(adds)).map((answer) => answer.result);
      assert.equal(new Set(ids).size, 12);
      const stats = await limited.emulator.stats();
      assert.ok((stats.refusals.QUERY_LIMIT_EXCEEDED ?? 0) > 0, 'the test met real 503s');
      assert.equal(stats.methods['crm.lead.add'], 12, 'each write executed once');
    } finally {
      await limited.close();
    }
  });

  it('a connection refused before sending is retried even for a write, then fails as a network error', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const retries: RetryEvent[] = [];
    const client = portal.webhookClient(
      { hooks: { onRetry: (event) => retries.push(event) }, retry: { maxAttempts: 3 } },
      { domain: `http://127.0.0.1:${port}` },
    );
    const error = await caught(() => client.call('crm.lead.add', { fields: { TITLE: 'x' } }));
    assert.ok(isNetworkError(error) && error.phase === 'connect' && error.systemCode === 'ECONNREFUSED');
    assert.equal(retries.length, 2);
  });
});
