/**
 * The client against a portal behind a path prefix (one of several portals of one emulator): calls,
 * batches with references, lists and REST 3.0 go under the prefix and reach that portal only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { B24Client } from '../../src/client/b24-client.ts';
import { resolveConnection } from '../../src/client/resolve-connection.ts';
import { startEmulator, type PortalDescription, type RunningEmulator } from '../../src/emulator/index.ts';

let emulator: RunningEmulator;
let client: B24Client;
let p2: PortalDescription;

before(async () => {
  emulator = await startEmulator({ portals: 3, seed: 'empty', rate: 1000, burst: 1000 });
  p2 = emulator.portals[1] as PortalDescription;
  const env = {
    B24_DOMAIN: p2.url,
    B24_AUTH_MODE: 'webhook',
    B24_WEBHOOK_USER_ID: String(p2.userId),
    B24_WEBHOOK_CODE: p2.code,
    B24_RATE_LIMITER_RATE: '1000',
    B24_RATE_LIMITER_BURST: '1000',
  };
  client = new B24Client({ connection: resolveConnection({ env }), retry: { baseDelayMs: 1, maxDelayMs: 2 } });
});
after(async () => {
  await client.close();
  await emulator.close();
});

describe('B24Client with a base URL at a path prefix', () => {
  it('sends calls, batches, lists and REST 3.0 to that portal only', async () => {
    const lead = await client.call<number>('crm.lead.add', { fields: { TITLE: 'single' } });
    assert.equal(typeof lead.result, 'number');
    const batch = await client.batch({
      contact: { method: 'crm.contact.add', params: { fields: { NAME: 'Ann' } } },
      deal: { method: 'crm.deal.add', params: { fields: { TITLE: 'deal', CONTACT_ID: '$result[contact]' } } },
    });
    assert.equal(batch.outcomes.deal?.status, 'done');
    const rows: unknown[] = [];
    for await (const row of client.list('crm.lead.list', { select: ['ID'] }).rows()) rows.push(row);
    assert.equal(rows.length, 1);
    const task = await client.call<{ item: { id: number } }>('tasks.task.add', { fields: { title: 'v3 task', creatorId: 1, responsibleId: 1 } });
    assert.equal(task.version, 3);

    const stats = await emulator.stats('p2');
    assert.deepEqual(
      {
        lead: stats.methods['crm.lead.add'],
        deal: stats.methods['crm.deal.add'],
        list: stats.methods['crm.lead.list'],
        v3: stats.v3.methods['tasks.task.add'],
      },
      { lead: 1, deal: 1, list: 1, v3: 1 },
    );
    for (const other of ['p1', 'p3']) assert.equal((await emulator.stats(other)).httpRequests, 0, other);
  });
});
