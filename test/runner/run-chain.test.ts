import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { generateLeads } from '../../src/emulator/seed/index.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runChainFile } from '../helpers/run-in-process.ts';

let emulator: RunningEmulator;

before(async () => {
  emulator = await startEmulator({ seed: 'empty', rate: 1000, burst: 1000 });
});
after(async () => emulator.close());
beforeEach(async () => emulator.reset());

describe('batch compilation', () => {
  it('converts 1,000 leads in at most 63 batch requests (16 leads, 48 commands per request) plus the list reads', async () => {
    generateLeads(emulator.portal, 1000, { status: 'IN_PROCESS' });
    const { outcome } = await runChainFile(emulator, 'chains/core/lead-to-deal.yml', { concurrency: 4 });
    assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
    assert.equal(outcome.items.done, 1000);
    assert.deepEqual(outcome.outputs, { converted: 1000, failed: 0 });
    const stats = await emulator.stats();
    assert.equal(stats.methods['crm.contact.add'], 1000);
    assert.equal(stats.methods['crm.deal.add'], 1000);
    assert.equal(stats.methods['crm.lead.update'], 1000);
    const listReads = 1 + Math.ceil(1000 / 2500); // one counted request, then 50 chained pages per batch
    const writeBatches = (stats.methods.batch ?? 0) - Math.ceil(1000 / 2500);
    assert.ok(writeBatches <= 63, `write batches: ${writeBatches}`);
    assert.ok(stats.httpRequests <= 63 + listReads + 1, `HTTP requests: ${stats.httpRequests} (63 batches, ${listReads} list reads, 1 scope check)`);
    const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { select: ['ID', 'CONTACT_ID', 'ORIGIN_ID'] });
    const contacts = new Map((await listAll(emulator.webhookUrl, 'crm.contact.list', { select: ['ID', 'ORIGIN_ID'] })).map((row) => [row.ORIGIN_ID, row.ID]));
    assert.equal(deals.length, 1000);
    for (const deal of deals) assert.equal(deal.CONTACT_ID, contacts.get(deal.ORIGIN_ID), 'each deal is linked through $result to its own contact');
  });

  it('a failed first command leaves its dependent commands unsent and the other items done', async () => {
    generateLeads(emulator.portal, 40, { status: 'IN_PROCESS' });
    const leads = await listAll(emulator.webhookUrl, 'crm.lead.list', { select: ['ID'] });
    const failing = leads[5]?.ID as string;
    const { outcome } = await runChainFile(emulator, 'test/fixtures/chains/runner/convert-with-failure.yml', { inputs: { failing } });
    assert.equal(outcome.status, 'done');
    assert.deepEqual(outcome.outputs, { converted: 39, skipped: 1 });
    const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { select: ['ID', 'ORIGIN_ID'] });
    assert.equal(deals.length, 39);
    assert.ok(!deals.some((deal) => deal.ORIGIN_ID === `lead-${failing}`), 'no deal for the failed lead');
    const statuses = new Map((await listAll(emulator.webhookUrl, 'crm.lead.list', { select: ['ID', 'STATUS_ID'] })).map((row) => [row.ID, row.STATUS_ID]));
    assert.equal(statuses.get(failing), 'IN_PROCESS', 'the failed lead is not marked converted');
    assert.equal([...statuses.values()].filter((status) => status === 'CONVERTED').length, 39);
  });
});

describe('write gates', () => {
  it('refuses before the first request without --confirm-write, naming the steps', async () => {
    generateLeads(emulator.portal, 5, { status: 'IN_PROCESS' });
    await assert.rejects(runChainFile(emulator, 'chains/core/lead-to-deal.yml', { confirmWrite: false }), (error: Error) => {
      assert.equal((error as { code?: string }).code, 'CONFIRMATION_REQUIRED');
      assert.match(error.message, /convert\.contact \(crm\.contact\.add\)/);
      return true;
    });
    assert.equal((await emulator.stats()).httpRequests, 0, 'no request reached the portal');
  });

  it('stops before the first write when the credentials lack a scope the chain needs', async () => {
    generateLeads(emulator.portal, 5, { status: 'IN_PROCESS' });
    const response = await fetch(`${emulator.url}/_emulator/apps`, { method: 'POST', body: JSON.stringify({ kind: 'webhook', scopes: ['task', 'user'] }) });
    const limited = (await response.json()) as { webhookUrl: string; userId: number; code: string };
    const { outcome } = await runChainFile({ url: emulator.url, userId: limited.userId, code: limited.code }, 'chains/core/lead-to-deal.yml');
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.refused, true);
    assert.equal(outcome.error?.code, 'INSUFFICIENT_SCOPE');
    const stats = await emulator.stats();
    assert.equal(stats.methods['crm.contact.add'] ?? 0, 0);
  });
});

describe('every step kind', () => {
  it('runs call, list, assert, for_each over an expression with $result paths, if, and an explicit batch', async () => {
    for (const [index, opportunity] of [100, 0, 250].entries()) {
      await fetch(`${emulator.webhookUrl}crm.lead.add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fields: { TITLE: `Lead ${index}`, NAME: `Name${index}`, STATUS_ID: 'NEW', ASSIGNED_BY_ID: 1, OPPORTUNITY: opportunity } }),
      });
    }
    const { outcome } = await runChainFile(emulator, 'test/fixtures/chains/valid/all-step-kinds.yml', { inputs: { status: 'NEW', notify: true } });
    assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
    assert.deepEqual(outcome.outputs, { followed_up: 2, failed: 0, newest_title: 'Lead 2' });
    const stats = await emulator.stats();
    assert.equal(stats.methods['tasks.task.add'], 2, 'one task per lead with an opportunity');
    assert.equal(stats.methods['crm.timeline.comment.add'], 2);
    assert.equal(stats.methods['im.message.add'], 2, 'the if that reads an earlier sub-step waits for its result');
  });
});
